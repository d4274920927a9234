// HTTP caching as an upstream may offer it, off unless asked for (setCaching), so that tests counting
// calls see no cache unless they want one. On, matatika's profile, workspace and member reads carry a
// Cache-Control and an ETag, and a GET whose If-None-Match names the current ETag is answered 304.
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Reply } from './http.js';

export interface CachingOptions {
  /** Seconds of freshness (`Cache-Control: private, max-age=N`); absent: `private, no-cache`. */
  maxAge?: number;
  /** Send a strong ETag (a hash of the body) and answer a matching If-None-Match with 304. */
  etag?: boolean;
}

const CACHED_PATHS = /^\/api\/(profiles|workspaces)(\/|$)/;

export function checkCaching(options: CachingOptions | null): void {
  if (options === null) return;
  const { maxAge } = options;
  if (maxAge !== undefined && !(Number.isInteger(maxAge) && maxAge >= 0)) {
    throw new RangeError(`Invalid caching maxAge ${maxAge}. Must be a whole number of seconds >= 0`);
  }
}

/** The reply with caching headers, or a 304 when the request's If-None-Match names its ETag. */
export function withCaching(
  options: CachingOptions,
  request: { source: string | null; method: string; path: string },
  headersIn: IncomingHttpHeaders,
  reply: Reply,
): Reply {
  if (request.source !== 'matatika' || request.method !== 'GET') return reply;
  if (reply.status !== 200 || !CACHED_PATHS.test(request.path)) return reply;
  const headers: Record<string, string> = {
    'cache-control':
      options.maxAge === undefined ? 'private, no-cache' : `private, max-age=${options.maxAge}`,
  };
  if (options.etag) {
    const etag = `"${createHash('sha1').update(reply.body).digest('base64url')}"`;
    headers.etag = etag;
    if (matches(headersIn['if-none-match'], etag)) {
      return { status: 304, body: '', contentType: reply.contentType, headers };
    }
  }
  return { ...reply, headers: { ...reply.headers, ...headers } };
}

/** Whether an If-None-Match list names `etag` (weak comparison, as RFC 9110 asks for a GET) or is `*`. */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const bare = etag.replace(/^W\//, '');
  return ifNoneMatch
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => tag === '*' || tag.replace(/^W\//, '') === bare);
}
