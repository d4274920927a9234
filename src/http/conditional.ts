import type { ExecutionResult } from 'graphql';

/**
 * What an answer the response cache stores (and so later serves) carries: private to the caller's own
 * client, which must revalidate, and the validators it revalidates with. A shared HTTP cache (a proxy,
 * a CDN) does not know the credential headers, so it must never keep one caller's answer for another.
 */
export function cachedAnswerHeaders(key: string, stored: Date): Record<string, string> {
  return { 'cache-control': 'private, no-cache', etag: `"${key}"`, 'last-modified': stored.toUTCString() };
}

/** Adds response headers to a result, the way Yoga reads them (`extensions.http.headers`). */
export function addResponseHeaders(result: ExecutionResult, headers: Record<string, string>): void {
  const http = (result.extensions?.http ?? {}) as { headers?: Record<string, string> };
  result.extensions = { ...result.extensions, http: { ...http, headers: { ...http.headers, ...headers } } };
}

/** At most this many entity tags of an If-None-Match are read; a longer list only costs parsing. */
const MAX_TAGS = 16;

/** Whether an If-None-Match header names the ETag of `key` (strong or weak, quoted or not), or is `*`. */
export function namesKey(ifNoneMatch: string | null, key: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch
    .split(',', MAX_TAGS)
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === key || tag === `"${key}"`);
}

export type Revalidation =
  /** 304, with these headers and no body; `cached` is the answer the client already holds. */
  | { status: 304; headers: Record<string, string>; cached: ExecutionResult }
  /** Answer in full. `lookedUp`: the store was read for this request (a miss), so do not read it again. */
  | { status: 'full'; lookedUp: boolean };

/**
 * A conditional GET (If-None-Match), answered only from the caller's own answer to this very request:
 * `key` is built from the caller's scope and the operation, never taken from the client, so a tag
 * naming another caller's answer, or another operation's, matches nothing. Called after the CSRF check,
 * so a cross-site page cannot probe a visitor's cache either. One store read at most.
 */
export async function revalidate(
  request: { method: string; ifNoneMatch: string | null; key: string },
  lookup: (key: string) => Promise<ExecutionResult | null>,
): Promise<Revalidation> {
  if (request.method !== 'GET' || !namesKey(request.ifNoneMatch, request.key)) {
    return { status: 'full', lookedUp: false };
  }
  const cached = await lookup(request.key);
  const stored = cached?.extensions?.http as { headers?: Record<string, string> } | undefined;
  if (!cached || !stored?.headers) return { status: 'full', lookedUp: true };
  return { status: 304, headers: stored.headers, cached };
}
