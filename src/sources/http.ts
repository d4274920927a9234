import type { Logger } from 'pino';
import { type Dispatcher, Pool } from 'undici';
import type { z } from 'zod';
import type { SourceName } from '../config.js';
import { onUpstreamAttempt } from '../telemetry/scope.js';
import { codeForStatus, type UpstreamCall, UpstreamError } from './errors.js';

/**
 * A path the gateway may request, built by `pathOf` from a fixed template. The brand keeps a raw client
 * string from reaching `request` by accident; upsun's links pass only a vetted query string (`search`).
 */
export type UpstreamPath = string & { readonly __upstreamPath: unique symbol };

const DOT_SEGMENTS = new Set(['.', '..']);

/**
 * Builds a path from literal segments and ids, each id percent-encoded as exactly one segment, so that
 * `a/b`, `a?b#c` or `auth0|x` can never add a segment, a query or a fragment. Ids that a URL parser would
 * fold away (`.`, `..`, empty) are refused before any request is made.
 */
export function pathOf(source: SourceName, ...segments: Array<string | { id: string }>): UpstreamPath {
  const parts = segments.map((segment) => {
    if (typeof segment === 'string') return segment;
    if (segment.id === '' || DOT_SEGMENTS.has(segment.id)) {
      throw new UpstreamError(
        'BAD_USER_INPUT',
        source,
        `Invalid id ${JSON.stringify(segment.id)}: ids must not be empty, "." or "..".`,
      );
    }
    return encodeURIComponent(segment.id);
  });
  return `/${parts.join('/')}` as UpstreamPath;
}

export interface RequestOptions {
  method: 'GET' | 'PUT' | 'PATCH' | 'POST';
  path: UpstreamPath;
  /** Query parameters; undefined values are left out. */
  query?: Record<string, string | number | undefined>;
  /** A query string (`?…`) taken verbatim from an upstream's own link, after its source vetted it. */
  search?: string;
  /** Sent as the bearer token. Never logged, never put in a URL. */
  credential: string | null;
  json?: unknown;
  form?: Record<string, string>;
  /** Extra headers for calls that are not made with the caller's credential (upsun's token exchange). */
  headers?: Record<string, string>;
}

export interface UpstreamResponse {
  status: number;
  /** The parsed JSON body; undefined for an empty body. */
  body: unknown;
  call: UpstreamCall;
  /** Seconds from a Retry-After header, when there was one. */
  retryAfter: number | null;
}

export interface HttpSourceOptions {
  source: SourceName;
  baseUrl: URL;
  timeoutMs: number;
  logger: Logger;
  /** Pulls the upstream's own message out of an error body, in that upstream's format. */
  messageOf?: (body: unknown) => string | undefined;
  /** The most connections open to this upstream at once; it bounds every fan-out of single GETs. */
  connections?: number;
}

const RETRYABLE_SOCKET_ERRORS = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']);
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
 * One long-lived connection pool per upstream, shared by every request: keep-alive saves a TCP (and TLS)
 * handshake per call, and the pool's bound caps how hard one gateway can hit an upstream. The pool is
 * bound to one origin, so no path can make it talk to another host, and it never follows redirects.
 */
export class HttpSource {
  readonly source: SourceName;
  private readonly pool: Pool;
  private readonly basePath: string;
  private readonly options: HttpSourceOptions;

  constructor(options: HttpSourceOptions) {
    this.options = options;
    this.source = options.source;
    this.basePath = options.baseUrl.pathname.replace(/\/+$/, '');
    this.pool = new Pool(options.baseUrl.origin, {
      connections: options.connections ?? 64,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  }

  /** The base URL's origin; sources use it to check that a link from the upstream stays on it. */
  get origin(): string {
    return this.options.baseUrl.origin;
  }

  /** The path prefix of the base URL ('' when none). */
  get prefix(): string {
    return this.basePath;
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  /**
   * Sends one call within the source's time budget. GETs are retried once after a connection reset or a
   * 503, because both usually mean a stale keep-alive socket or a restarting instance; writes are never
   * retried, since the first attempt may have been applied. Any status outside 2xx becomes an
   * UpstreamError with the upstream's own message.
   */
  async request(options: RequestOptions): Promise<UpstreamResponse> {
    const deadline = Date.now() + this.options.timeoutMs;
    const call: UpstreamCall = { method: options.method, path: this.basePath + options.path, status: null };
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      onUpstreamAttempt(this.source, options, attempt);
      const canRetry = options.method === 'GET' && attempt === 1;
      try {
        const response = await this.attempt(options, call, deadline);
        if (response.status === 503 && canRetry && Date.now() < deadline) continue;
        if (this.options.logger.isLevelEnabled('debug')) {
          this.options.logger.debug(
            {
              source: this.source,
              method: call.method,
              path: call.path,
              status: response.status,
              ms: elapsed(started),
            },
            'upstream call',
          );
        }
        if (response.status >= 200 && response.status < 300) return response;
        throw this.statusError(response);
      } catch (error) {
        if (error instanceof UpstreamError) {
          this.logFailure(error, started);
          throw error;
        }
        const code = (error as { code?: string }).code ?? '';
        if (canRetry && RETRYABLE_SOCKET_ERRORS.has(code) && Date.now() < deadline) continue;
        const failure = this.transportError(error, code, call, deadline);
        this.logFailure(failure, started);
        throw failure;
      }
    }
  }

  /** Requests and decodes a 2xx JSON body with `schema`. */
  async json<S extends z.ZodType>(
    schema: S,
    options: RequestOptions,
  ): Promise<{ status: number; data: z.output<S> }> {
    const response = await this.request(options);
    return { status: response.status, data: this.decode(schema, response.body, response.call) };
  }

  /**
   * Decodes a payload at the edge. A payload of the wrong shape is the upstream's fault and becomes
   * UPSTREAM_ERROR naming the field, never a silent null further in.
   */
  decode<S extends z.ZodType>(schema: S, body: unknown, call: UpstreamCall): z.output<S> {
    const parsed = schema.safeParse(body);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
    throw new UpstreamError(
      'UPSTREAM_ERROR',
      this.source,
      `${this.source} returned a payload of the wrong shape at ${where}: ${issue?.message ?? 'invalid'}`,
      { call },
    );
  }

  /** An UpstreamError about a call already made, for upstreams that report errors inside a 2xx body. */
  fail(code: UpstreamError['code'], message: string, call: UpstreamCall): UpstreamError {
    return new UpstreamError(code, this.source, message, { call });
  }

  private async attempt(
    options: RequestOptions,
    call: UpstreamCall,
    deadline: number,
  ): Promise<UpstreamResponse> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.credential !== null) headers.authorization = `Bearer ${options.credential}`;
    let body: string | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    }
    // A timer cleared as soon as the call ends: AbortSignal.timeout's would live on for the whole budget,
    // thousands of them at once under load.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), Math.max(1, deadline - Date.now()));
    let response: Dispatcher.ResponseData;
    let text: string;
    try {
      response = await this.pool.request({
        method: options.method,
        path: call.path + (options.search ?? queryString(options.query)),
        headers,
        body,
        signal: controller.signal,
      });
      call.status = response.statusCode;
      text = await response.body.text();
    } finally {
      clearTimeout(timer);
    }
    let parsed: unknown;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        // A non-JSON error page (a proxy's 502, say) still maps by status; only a 2xx must be JSON.
        if (response.statusCode < 300) {
          throw new UpstreamError(
            'UPSTREAM_ERROR',
            this.source,
            `${this.source} returned a body that is not JSON`,
            { call },
          );
        }
      }
    }
    const retryAfter = response.headers['retry-after'];
    return {
      status: response.statusCode,
      body: parsed,
      call: { ...call },
      retryAfter: typeof retryAfter === 'string' ? parseRetryAfter(retryAfter) : null,
    };
  }

  private statusError(response: UpstreamResponse): UpstreamError {
    const { status, call } = response;
    if (status >= 300 && status < 400) {
      return new UpstreamError(
        'UPSTREAM_ERROR',
        this.source,
        `${this.source} answered a redirect (${status}), which the gateway does not follow`,
        { call },
      );
    }
    const message = this.options.messageOf?.(response.body) ?? `${this.source} answered ${status}`;
    return new UpstreamError(codeForStatus(status), this.source, message, {
      call,
      retryAfter: response.retryAfter,
    });
  }

  private transportError(error: unknown, code: string, call: UpstreamCall, deadline: number): UpstreamError {
    const name = (error as { name?: string }).name;
    if (
      name === 'TimeoutError' ||
      name === 'AbortError' ||
      code === 'UND_ERR_HEADERS_TIMEOUT' ||
      code === 'UND_ERR_BODY_TIMEOUT' ||
      Date.now() >= deadline
    ) {
      return new UpstreamError(
        'UPSTREAM_TIMEOUT',
        this.source,
        `${this.source} did not answer within ${this.options.timeoutMs} ms`,
        { call, cause: error },
      );
    }
    if (UNAVAILABLE_ERRORS.has(code)) {
      return new UpstreamError(
        'UPSTREAM_UNAVAILABLE',
        this.source,
        `${this.source} is unavailable (${code})`,
        { call, cause: error },
      );
    }
    return new UpstreamError('UPSTREAM_ERROR', this.source, `${this.source} call failed`, {
      call,
      cause: error,
    });
  }

  private logFailure(error: UpstreamError, started: number) {
    this.options.logger.warn(
      {
        source: this.source,
        code: error.code,
        method: error.call?.method,
        path: error.call?.path,
        status: error.call?.status,
        ms: elapsed(started),
      },
      error.message,
    );
  }
}

function parseRetryAfter(value: string): number | null {
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function queryString(query: RequestOptions['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
