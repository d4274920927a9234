import type { SourceName } from '../config.js';

/** The stable error codes (../shared/design/DESIGN.md); clients switch on these, so they never change. */
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
  | 'SOURCE_NOT_CONFIGURED'
  | 'LIMIT_EXCEEDED';

/** What was sent, for `extensions.upstream`: the path only, never the query string or a credential. */
export interface UpstreamCall {
  method: string;
  path: string;
  status: number | null;
}

/**
 * The root of every error the gateway raises on purpose. It carries its GraphQL `extensions`, and
 * graphql-js (and graphql-jit) copy an original error's `extensions` onto the located error they make
 * of it: so a resolver just throws, the client sees the code, the error keeps its locations, and no
 * layer has to translate it. Anything that is not a GatewayError is a bug and stays masked.
 */
export class GatewayError extends Error {
  override name = 'GatewayError';
  readonly code: ErrorCode;
  readonly source: SourceName | null;

  constructor(
    code: ErrorCode,
    message: string,
    options: { source?: SourceName | null; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.source = options.source ?? null;
  }

  /** Read by graphql-js when it locates the error; built on demand, since most errors are never sent. */
  get extensions(): Record<string, unknown> {
    return this.source === null ? { code: this.code } : { code: this.code, source: this.source };
  }

  /** Client errors (the caller's input, rights or limits) are no fault of the gateway or the upstream. */
  get isClientError(): boolean {
    return CLIENT_CODES.has(this.code);
  }
}

const CLIENT_CODES = new Set<ErrorCode>([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'CONFLICT',
  'RATE_LIMITED',
  'SOURCE_NOT_CONFIGURED',
  'LIMIT_EXCEEDED',
]);

/**
 * An argument the gateway refuses before asking any upstream: a bad id, `first`, `after`, cursor or
 * label. The same class on every list and every source, so the same mistake gets the same answer: the
 * field's error, with every other field's data kept.
 */
export class InputError extends GatewayError {
  override name = 'InputError';
  constructor(message: string, source: SourceName | null = null) {
    super('BAD_USER_INPUT', message, { source });
  }
}

/** A request past one of its budgets: upstream calls, list sizes. */
export class LimitError extends GatewayError {
  override name = 'LimitError';
  constructor(message: string, source: SourceName | null = null) {
    super('LIMIT_EXCEEDED', message, { source });
  }
}

/**
 * An upstream's failure, or a refusal on an upstream's behalf (no credential, not configured). The
 * path in `call` never holds a query string or a credential.
 */
export class UpstreamError extends GatewayError {
  override name = 'UpstreamError';
  declare readonly source: SourceName;
  /** Null when the error arose before any request was sent (no credential, not configured, open circuit). */
  readonly call: UpstreamCall | null;
  /** Seconds, from a 429's Retry-After header, when the upstream gave one. */
  readonly retryAfter: number | null;

  constructor(
    code: ErrorCode,
    source: SourceName,
    message: string,
    options: { call?: UpstreamCall | null; retryAfter?: number | null; cause?: unknown } = {},
  ) {
    super(code, message, { source, cause: options.cause });
    this.call = options.call ?? null;
    this.retryAfter = options.retryAfter ?? null;
  }

  override get extensions(): Record<string, unknown> {
    const extensions: Record<string, unknown> = { code: this.code, source: this.source };
    if (this.call) extensions.upstream = { source: this.source, ...this.call };
    if (this.retryAfter !== null) extensions.retryAfter = this.retryAfter;
    return extensions;
  }
}

/** Maps an upstream HTTP status to the gateway's code, as ../shared/design/DESIGN.md lists them. */
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
