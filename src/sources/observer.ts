import type { SourceName } from '../config.js';

/** Single calls a batch did not send: one list read for many keys, or keys a list already read answered. */
export interface Savings {
  batch?: number;
  listCoverage?: number;
}

/**
 * What the sources report of one request's upstream work, to whoever serves the request (its telemetry
 * implements this). The sources know nothing else of it: no metric, no log line, no tracer.
 */
export interface RequestObserver {
  /** Headers every upstream call of the request carries (the request id, so logs can be joined). */
  readonly upstreamHeaders: Readonly<Record<string, string>>;
  /** An attempt of an upstream call is about to be sent (attempt 2 is a retry). */
  onAttempt(source: SourceName, method: string, attempt: number): void;
  /** A batch of `keys` keys was answered, saving these single calls. */
  onBatch(loader: string, keys: number, saved: Savings): void;
}
