// The sandbox's public shapes: its options, the requests it records, the faults it injects, its handle.
import type { CachingOptions } from './caching.js';

export type SandboxSource = 'matatika' | 'cadenya' | 'moltaro' | 'upsun' | 'upsun-auth';

export interface SandboxOptions {
  /** @default 0 (ephemeral) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Delay added before every response. @default 0 */
  latencyMs?: number;
  /** One line per request on stdout, for `npm run sandbox`. @default false */
  logToConsole?: boolean;
  /** Cap of the in-memory request log; the oldest entries are dropped. @default 10_000 */
  maxRecorded?: number;
  /** Cache-Control and ETag on matatika's reads (caching.ts). @default null (none) */
  caching?: CachingOptions | null;
}

export interface RecordedRequest {
  /** null when the prefix matched no source. */
  source: SandboxSource | null;
  method: string;
  /** Raw path relative to the source prefix, still percent-encoded, no query: '/api/profiles/auth0%7Cx'. */
  path: string;
  /** Raw query string without '?', '' when none. */
  query: string;
  /** The raw request target as received, prefix and query included. */
  url: string;
  /** As received, lower-cased names. */
  headers: Record<string, string>;
  /** Raw request body, '' when none. */
  body: string;
  /** Status answered; 0 for reset and hang (and while the answer is still pending). */
  status: number;
}

export interface Fault {
  /** Extra delay for matching requests. */
  latencyMs?: number;
  /** Answer this status with that source's own error body format. */
  status?: number;
  /** Raw body to answer instead (with `status`, default 200). */
  body?: string;
  /** With `body`. @default 'application/json' */
  contentType?: string;
  /** Extra response headers, e.g. { 'retry-after': '7' }. */
  headers?: Record<string, string>;
  /** Never answer: the socket stays open until the client aborts or the sandbox closes. */
  hang?: boolean;
  /** Destroy the socket without any response. */
  reset?: boolean;
  /** 200 with content-type application/json and a body that is not JSON. */
  malformed?: boolean;
  /** Apply to the next N matching requests only. @default until removed */
  times?: number;
}

/** Matched against a RecordedRequest; `path` is the relative path (a string matches exactly). */
export interface FaultRule {
  source?: SandboxSource;
  method?: string;
  path?: string | RegExp;
  fault: Fault;
}

export interface Sandbox {
  /** Origin, e.g. 'http://127.0.0.1:53121'. */
  readonly url: string;
  /** Base URL of one source, e.g. `${url}/matatika`. */
  urlOf(source: SandboxSource): string;
  /** The recorded log (live, oldest first). */
  readonly requests: readonly RecordedRequest[];
  count(filter?: { source?: SandboxSource; method?: string; path?: string | RegExp }): number;
  /** Live counters that are never capped, for benchmarks. */
  readonly totals: { all: number; bySource: Record<string, number> };
  /** Clears the log and the totals (and the peaks of requests in flight). */
  clearLog(): void;
  /** The most requests of one source the sandbox held unanswered at once since the log was cleared. */
  peakInFlight(source: SandboxSource): number;
  /** Adds a fault rule; returns a function that removes it. Rules match in injection order. */
  inject(rule: FaultRule): () => void;
  clearFaults(): void;
  setLatency(ms: number): void;
  /** Cache-Control and ETag on matatika's profile and workspace reads, 304 to a matching If-None-Match; null: none. */
  setCaching(options: CachingOptions | null): void;
  /** Every upsun access token issued so far, and the static demo one, answers 401 from now on. */
  revokeUpsunTokens(): void;
  /** Demo data back to its initial state; log, totals and faults cleared; latency and caching back to the start options. */
  reset(): void;
  /** Closes the server, destroying open and hanging sockets; never hangs. */
  close(): Promise<void>;
}
