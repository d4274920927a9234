import type { SourceName } from './registry.js';

/** Single calls a batch did not send: one list read for many keys, or keys a list already read answered. */
export interface Savings {
  batch?: number;
  listCoverage?: number;
}

/**
 * What the upstream HTTP cache did for one GET: answered it fresh (`hit`, no call), revalidated it (a 304:
 * a call without a body), found nothing usable (`miss`), or could not be read (`error`, served as a miss).
 */
export type UpstreamCacheOutcome = 'hit' | 'revalidated' | 'miss' | 'error';

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
  /**
   * A call this request needed was answered by the same call of another request, already in flight. It
   * counts as one of this request's calls, as it would had this request led it.
   */
  onShared?(source: SourceName): void;
  /** What the upstream HTTP cache did for a GET this request led; a `hit` counts as one of its calls. */
  onUpstreamCache?(source: SourceName, outcome: UpstreamCacheOutcome): void;
  /** The upstream HTTP cache kept (or refreshed) an answer. */
  onUpstreamCacheStore?(source: SourceName): void;
}
