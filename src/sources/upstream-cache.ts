// The upstream HTTP cache's rules, all from http-cache-semantics (RFC 9111, as @apollo/datasource-rest
// and npm's make-fetch-happen use it): freshness, max-age, Age, no-store, no-cache, private, Vary and the
// validators of a revalidation are the library's decisions, never ours. Chosen over undici's cache
// interceptor because its key is the URL and headers, not the credential, and it would run outside the
// circuit, the call budget and the single-flight; here the gateway keys each entry on the credential it
// sent and keeps the cache inside the session's one door to the upstream.
import CachePolicy from 'http-cache-semantics';

/** One answer kept: its policy (the request and response headers that rule on it) and its decoded JSON body. */
export interface UpstreamCacheEntry {
  policy: CachePolicy.CachePolicyObject;
  body: unknown;
  /** Bytes of the body as received, which the memory store counts. */
  bytes: number;
}

/**
 * Where entries live, in memory or in Redis (src/cache/upstream-store.ts); a method that rejects leaves
 * the cache serving as if it held nothing. Entries are filed under an index (one caller's entries of one
 * route), so that a write drops what it changed without a scan.
 */
export interface UpstreamCacheStore {
  get(key: string): Promise<UpstreamCacheEntry | null>;
  /** Keeps `entry` for `ttlMs` (never longer), filed under `index`. */
  set(key: string, entry: UpstreamCacheEntry, ttlMs: number, index: string): Promise<void>;
  delete(key: string): Promise<void>;
  /** Drops every entry filed under any of `indexes`. */
  forget(indexes: readonly string[]): Promise<void>;
}

/** The longest an entry is kept, fresh or not, whatever the upstream says: it bounds what may be stale. */
export const MAX_RETENTION_MS = 10 * 60_000;
/** An entry with a validator (ETag, Last-Modified) is kept this much past its freshness, for a 304. */
export const REVALIDATION_WINDOW_MS = 5 * 60_000;

/**
 * A private cache (`shared: false`): each entry belongs to one credential, so `private` answers may be
 * kept. No heuristic freshness: an API that names no lifetime has not said its answer may be reused.
 */
const POLICY_OPTIONS: CachePolicy.Options = { shared: false, cacheHeuristic: 0 };

/** The response headers the policy reads; nothing else of an answer is kept. */
const CACHING_HEADERS = [
  'cache-control',
  'etag',
  'last-modified',
  'expires',
  'date',
  'age',
  'vary',
  'pragma',
];

/** A GET as the policy sees it: the target and the headers sent, less the credential (the key holds its scope). */
export function policyRequest(target: string, headers: Record<string, string>): CachePolicy.Request {
  return { url: target, method: 'GET', headers };
}

/** The headers of an undici answer that decide caching, as the policy takes them. */
export function cachingHeaders(headers: Record<string, unknown>): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of CACHING_HEADERS) {
    const value = headers[name];
    if (typeof value === 'string') picked[name] = value;
    else if (Array.isArray(value)) picked[name] = value.join(', ');
  }
  return picked;
}

/** What the cache can do with a stored entry for this request. */
export type Verdict =
  | { kind: 'fresh'; entry: UpstreamCacheEntry }
  | { kind: 'stale'; entry: UpstreamCacheEntry; policy: CachePolicy; validators: Record<string, string> }
  | { kind: 'none' };

/** Fresh (serve it), stale (revalidate it with these validators), or nothing usable. */
export function judge(entry: UpstreamCacheEntry | null, request: CachePolicy.Request): Verdict {
  if (!entry) return { kind: 'none' };
  let policy: CachePolicy;
  try {
    policy = CachePolicy.fromObject(entry.policy);
  } catch {
    return { kind: 'none' };
  }
  if (policy.satisfiesWithoutRevalidation(request)) return { kind: 'fresh', entry };
  const headers = policy.revalidationHeaders(request);
  const validators: Record<string, string> = {};
  if (headers['if-none-match']) validators['if-none-match'] = String(headers['if-none-match']);
  if (headers['if-modified-since']) validators['if-modified-since'] = String(headers['if-modified-since']);
  return Object.keys(validators).length > 0 ? { kind: 'stale', entry, policy, validators } : { kind: 'none' };
}

/** The policy of a fresh 200 answer. */
export function policyOf(request: CachePolicy.Request, headers: Record<string, string>): CachePolicy {
  return new CachePolicy(request, { status: 200, headers }, POLICY_OPTIONS);
}

/** The policy of a stored answer after the upstream answered its revalidation with 304. */
export function revalidated(
  stale: CachePolicy,
  request: CachePolicy.Request,
  headers: Record<string, string>,
): CachePolicy {
  return stale.revalidatedPolicy(request, { status: 304, headers }).policy;
}

/** Whether an answer with these headers can be revalidated (it has an ETag or a Last-Modified). */
export function hasValidator(headers: Record<string, string>): boolean {
  return headers.etag !== undefined || headers['last-modified'] !== undefined;
}

/**
 * How long to keep an answer: while fresh, plus the revalidation window when it has a validator, at most
 * MAX_RETENTION_MS; 0 when it may not be kept (no-store) or could never be reused.
 */
export function retentionOf(policy: CachePolicy, validated: boolean): number {
  if (!policy.storable()) return 0;
  return Math.min(MAX_RETENTION_MS, policy.timeToLive() + (validated ? REVALIDATION_WINDOW_MS : 0));
}
