import { type ErrorCode, type UpstreamCall, UpstreamError } from '../errors.js';
import type { SourceName } from './registry.js';
import type { RawResponse } from './transport.js';

/** Socket errors after which a GET is worth one more try: usually a keep-alive socket the upstream closed. */
export const RETRYABLE_SOCKET_ERRORS = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']);

const UNAVAILABLE_ERRORS = new Set([
  ...RETRYABLE_SOCKET_ERRORS,
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);

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

/**
 * The error for an answer outside 2xx, with the upstream's own message where its format has one. A
 * redirect is an error: following it could carry the credential to another host.
 */
export function statusError(
  source: SourceName,
  response: RawResponse,
  call: UpstreamCall,
  messageOf: ((body: unknown) => string | undefined) | undefined,
): UpstreamError {
  const { status } = response;
  if (status >= 300 && status < 400) {
    return new UpstreamError(
      'UPSTREAM_ERROR',
      source,
      `${source} answered a redirect (${status}), which the gateway does not follow`,
      { call },
    );
  }
  const message = messageOf?.(response.body) ?? `${source} answered ${status}`;
  return new UpstreamError(codeForStatus(status), source, message, {
    call,
    retryAfter: response.retryAfter,
    outage: status === 502 || status === 503 || status === 504,
  });
}

/** The call's own budget (<SOURCE>_TIMEOUT_MS, retries included) ran out: the upstream is too slow. */
export function timeoutError(source: SourceName, timeoutMs: number, call: UpstreamCall, cause: unknown) {
  return new UpstreamError('UPSTREAM_TIMEOUT', source, `${source} did not answer within ${timeoutMs} ms`, {
    call,
    outage: true,
    cause,
  });
}

/** The error for a call that got no usable answer: a refused or reset connection, a huge body. */
export function transportError(
  source: SourceName,
  error: unknown,
  call: UpstreamCall,
  maxBytes: number,
): UpstreamError {
  const code = (error as { code?: string }).code ?? '';
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') {
    return new UpstreamError(
      'UPSTREAM_ERROR',
      source,
      `${source} answered more than ${maxBytes} bytes (${source.toUpperCase()}_MAX_RESPONSE_BYTES); the answer was dropped`,
      { call, cause: error },
    );
  }
  if (UNAVAILABLE_ERRORS.has(code)) {
    return new UpstreamError('UPSTREAM_UNAVAILABLE', source, `${source} is unavailable (${code})`, {
      call,
      outage: true,
      cause: error,
    });
  }
  return new UpstreamError('UPSTREAM_ERROR', source, `${source} call failed`, { call, cause: error });
}
