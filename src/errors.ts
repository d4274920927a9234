import { GraphQLError } from 'graphql';
import type { SourceName } from './sources/registry.js';

/**
 * Every `extensions.code` a client may see, each with when it is sent; clients switch on these, so they
 * never change. The README's error table is tested against this list.
 */
export const ERROR_CODES = {
  UNAUTHENTICATED:
    'no credential, a credential the upstream refused (401), or a missing or invalid gateway token',
  FORBIDDEN: "the upstream's 403, or a gateway token that lacks a field's @requiresScopes scope",
  NOT_FOUND: "the upstream's 404, or an id that does not exist",
  BAD_USER_INPUT: 'an invalid id, argument, cursor or body; the upstream refused the input (400, 422)',
  CONFLICT: "the upstream's 409",
  RATE_LIMITED: "the upstream's 429, or the caller's RATE_LIMIT is spent",
  UPSTREAM_TIMEOUT: "the call's or the request's deadline ran out",
  UPSTREAM_UNAVAILABLE: 'connection refused or reset, 502/503/504, or the circuit is open',
  UPSTREAM_ERROR: 'any other upstream failure: 5xx, not JSON, too large, the wrong shape, a redirect',
  SOURCE_NOT_CONFIGURED: 'the source has no URL',
  LIMIT_EXCEEDED: 'a request past one of its limits (document, batch, arguments, upstream calls)',
  BAD_REQUEST: 'a request refused as a possible cross-site request',
  GRAPHQL_PARSE_FAILED: 'the document is not GraphQL',
  GRAPHQL_VALIDATION_FAILED: 'the document does not fit the schema, or asks for more than the limits allow',
  PERSISTED_QUERY_NOT_FOUND: 'no operation registered under an APQ hash yet',
  PERSISTED_QUERY_ONLY: 'an operation sent as text where only trusted documents run',
  PERSISTED_QUERY_NOT_IN_LIST: 'a documentId the manifest does not hold',
  INTERNAL_SERVER_ERROR: 'a bug; its message is masked',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * A refusal of the whole request, before or instead of execution: the GraphQL error that carries its
 * code and HTTP status, so both request paths answer it alike.
 */
export function refusal(
  code: ErrorCode,
  message: string,
  status: number | null,
  extensions: Record<string, unknown> = {},
): GraphQLError {
  return new GraphQLError(message, {
    extensions: status === null ? { code, ...extensions } : { code, ...extensions, http: { status } },
  });
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

/** An argument refused before any upstream is asked (id, `first`, `after`, cursor, label); same on every list. */
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

/** What was sent, for `extensions.upstream`: the path only, never the query string or a credential. */
export interface UpstreamCall {
  method: string;
  path: string;
  status: number | null;
}

/** An upstream's failure, or a refusal on its behalf (no credential, not configured, circuit open). */
export class UpstreamError extends GatewayError {
  override name = 'UpstreamError';
  declare readonly source: SourceName;
  /** Null when the error arose before any request was sent (no credential, not configured, open circuit). */
  readonly call: UpstreamCall | null;
  /** Seconds, from a 429's Retry-After header, when the upstream gave one. */
  readonly retryAfter: number | null;
  /** Evidence that the upstream is down (unreachable, 502/503/504, too slow): what opens its circuit. */
  readonly outage: boolean;

  constructor(
    code: ErrorCode,
    source: SourceName,
    message: string,
    options: {
      call?: UpstreamCall | null;
      retryAfter?: number | null;
      outage?: boolean;
      cause?: unknown;
    } = {},
  ) {
    super(code, message, { source, cause: options.cause });
    this.call = options.call ?? null;
    this.retryAfter = options.retryAfter ?? null;
    this.outage = options.outage ?? false;
  }

  override get extensions(): Record<string, unknown> {
    const extensions: Record<string, unknown> = { code: this.code, source: this.source };
    if (this.call) extensions.upstream = { source: this.source, ...this.call };
    if (this.retryAfter !== null) extensions.retryAfter = this.retryAfter;
    return extensions;
  }
}
