import type { SourceName } from '../config.js';

/** The stable error codes of DESIGN.md; clients switch on these, so they never change. */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_ERROR'
  | 'SOURCE_NOT_CONFIGURED';

/** What was sent, for `extensions.upstream`: the path only, never the query string or a credential. */
export interface UpstreamCall {
  method: string;
  path: string;
  status: number | null;
}

/**
 * The one error class of the sources. Everything a client may see about an upstream failure is on it;
 * the schema turns it into a GraphQL error in one place (src/schema/errors.ts). Any other exception is
 * a bug and stays masked.
 */
export class UpstreamError extends Error {
  override name = 'UpstreamError';
  readonly code: ErrorCode;
  readonly source: SourceName;
  /** Null when the error arose before any request was sent (bad input, no credential, not configured). */
  readonly call: UpstreamCall | null;
  /** Seconds, from a 429's Retry-After header, when the upstream gave one. */
  readonly retryAfter: number | null;

  constructor(
    code: ErrorCode,
    source: SourceName,
    message: string,
    options: { call?: UpstreamCall | null; retryAfter?: number | null; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.source = source;
    this.call = options.call ?? null;
    this.retryAfter = options.retryAfter ?? null;
  }
}

/** Maps an upstream HTTP status to the gateway's code, as DESIGN.md lists them. */
export function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
    case 422:
      return 'BAD_USER_INPUT';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'CONFLICT';
    case 429:
      return 'RATE_LIMITED';
    case 502:
    case 503:
    case 504:
      return 'UPSTREAM_UNAVAILABLE';
    default:
      return 'UPSTREAM_ERROR';
  }
}
