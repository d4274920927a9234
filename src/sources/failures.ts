import type { SourceName } from '../config.js';
import { outage } from './circuit.js';
import { codeForStatus, type UpstreamCall, UpstreamError } from './errors.js';
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
  const error = new UpstreamError(codeForStatus(status), source, message, {
    call,
    retryAfter: response.retryAfter,
  });
  return status === 502 || status === 503 || status === 504 ? outage(error) : error;
}

/** The call's own budget (<SOURCE>_TIMEOUT_MS, retries included) ran out: the upstream is too slow. */
export function timeoutError(source: SourceName, timeoutMs: number, call: UpstreamCall, cause: unknown) {
  return outage(
    new UpstreamError('UPSTREAM_TIMEOUT', source, `${source} did not answer within ${timeoutMs} ms`, {
      call,
      cause,
    }),
  );
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
    return outage(
      new UpstreamError('UPSTREAM_UNAVAILABLE', source, `${source} is unavailable (${code})`, {
        call,
        cause: error,
      }),
    );
  }
  return new UpstreamError('UPSTREAM_ERROR', source, `${source} call failed`, { call, cause: error });
}
