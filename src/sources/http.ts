import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { UpstreamSharingConfig } from '../config/upstream-sharing.js';
import { type UpstreamCall, UpstreamError } from '../errors.js';
import { type CallScope, ClientGone, cancelled, deadlinePassed, type RequestBudget } from './budget.js';
import { Circuit, type CircuitOptions } from './circuit.js';
import { RETRYABLE_SOCKET_ERRORS, statusError, timeoutError, transportError } from './failures.js';
import { queryString, type UpstreamPath } from './paths.js';
import type { SourceName } from './registry.js';
import { type SharedAnswer, SharedCalls } from './shared-calls.js';
import { AttemptTimeout, type RawResponse, Transport } from './transport.js';
import type { UpstreamCacheStore } from './upstream-cache.js';

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
  /** Sent on its own: never joined to another request's call nor answered from the cache (a 401's retry). */
  alone?: boolean;
}

export interface UpstreamResponse {
  status: number;
  /** The parsed JSON body; undefined for an empty body. */
  body: unknown;
  call: UpstreamCall;
}

export interface HttpSourceOptions {
  source: SourceName;
  baseUrl: URL;
  timeoutMs: number;
  maxResponseBytes: number;
  circuit: CircuitOptions;
  logger: Logger;
  /** Pulls the upstream's own message out of an error body, in that upstream's format. */
  messageOf?: (body: unknown) => string | undefined;
  /** The most connections open to this upstream at once; it bounds every fan-out of single GETs. */
  connections?: number;
  /** Single-flight and the upstream HTTP cache of GETs; absent: every call is its own. */
  sharing?: UpstreamSharingConfig;
  /** The upstream HTTP cache's store, when UPSTREAM_CACHE is on. */
  cacheStore?: UpstreamCacheStore | null;
  /** The route templates below the prefix, by which cached answers are filed for a write to drop. */
  routes?: readonly string[];
}

/**
 * One upstream as every request sees it: its connection pool (transport.ts) under its circuit breaker
 * (circuit.ts), with the retry policy and the deadlines; what comes out is a 2xx JSON answer or an
 * UpstreamError with its code (failures.ts). Composed once, so every source gets all of it.
 */
export class HttpSource {
  readonly source: SourceName;
  readonly circuit: Circuit;
  private readonly transport: Transport;
  private readonly basePath: string;
  private readonly options: HttpSourceOptions;
  private readonly shared: SharedCalls | null;

  constructor(options: HttpSourceOptions) {
    this.options = options;
    this.source = options.source;
    this.basePath = options.baseUrl.pathname.replace(/\/+$/, '');
    this.transport = new Transport({
      origin: options.baseUrl.origin,
      maxResponseBytes: options.maxResponseBytes,
      connections: options.connections ?? 64,
    });
    this.circuit = new Circuit(options.source, options.circuit);
    const store = options.cacheStore ?? null;
    this.shared =
      options.sharing && (options.sharing.dedupe || store)
        ? new SharedCalls({
            source: options.source,
            dedupe: options.sharing.dedupe,
            store,
            secret: options.sharing.secret,
            timeoutMs: options.timeoutMs,
            routes: options.routes ?? [],
            logger: options.logger,
          })
        : null;
    this.circuit.onChange((state) =>
      options.logger.warn({ source: this.source, circuit: state }, `${this.source} circuit ${state}`),
    );
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
    return this.transport.close();
  }

  destroy(): Promise<void> {
    return this.transport.destroy();
  }

  /**
   * Sends one call within the source's time budget and the request's deadline, through the circuit.
   * GETs are retried once after a connection reset (usually a stale keep-alive socket) or a 503
   * (after its Retry-After, or a short jittered pause), within the budget; writes never are, since the
   * first attempt may have been applied. Any status outside 2xx becomes an UpstreamError with the
   * upstream's own message. A GET sent with the caller's credential may be shared with other requests
   * (shared-calls.ts): joined to the same call in flight, or answered by the upstream HTTP cache.
   */
  request(options: RequestOptions, budget: RequestBudget | null = null): Promise<UpstreamResponse> {
    if (this.shared && options.method === 'GET' && !options.alone && options.headers === undefined) {
      const path = this.basePath + options.path;
      const get = {
        path: options.path,
        target: path + (options.search ?? queryString(options.query)),
        callPath: path,
        credential: options.credential,
      };
      return this.shared.get(get, budget, (scope, validators) => this.send(options, scope, validators));
    }
    return this.send(options, budget);
  }

  /**
   * After a write with `credential`: the cached answers of `routes` sent with it are dropped, and no later
   * GET joins one of its calls that was in flight before the write.
   */
  forget(credential: string | null, routes: readonly string[]): Promise<void> {
    return this.shared ? this.shared.forget(credential, routes) : Promise.resolve();
  }

  /** One call through the circuit, within `scope`; with `validators`, a 304 answers instead of failing. */
  private async send(
    options: RequestOptions,
    scope: CallScope | null,
    validators?: Record<string, string>,
  ): Promise<SharedAnswer> {
    try {
      return await this.circuit.run(() => this.withRetry(options, scope, validators));
    } catch (error) {
      throw error instanceof UpstreamError
        ? error
        : new UpstreamError('UPSTREAM_ERROR', this.source, 'call failed', { cause: error });
    }
  }

  private async withRetry(
    options: RequestOptions,
    budget: CallScope | null,
    validators: Record<string, string> | undefined,
  ): Promise<SharedAnswer> {
    const callDeadline = Date.now() + this.options.timeoutMs;
    const deadline = budget ? Math.min(callDeadline, budget.deadline) : callDeadline;
    const path = this.basePath + options.path;
    const target = path + (options.search ?? queryString(options.query));
    const headers = this.headersOf(options, budget);
    if (validators) Object.assign(headers, validators);
    const body = bodyOf(options, headers);
    for (let attempt = 1; ; attempt++) {
      budget?.observer?.onAttempt(this.source, options.method, attempt);
      const canRetry = options.method === 'GET' && attempt === 1;
      // Each attempt has its own record, so a retried 503 never colours the next attempt's error.
      const call: UpstreamCall = { method: options.method, path, status: null };
      let response: RawResponse;
      try {
        response = await this.transport.send({
          method: options.method,
          path: target,
          headers,
          body,
          timeoutMs: deadline - Date.now(),
          inFlight: budget ?? undefined,
        });
      } catch (error) {
        const code = (error as { code?: string }).code ?? '';
        if (error instanceof ClientGone) throw cancelled(this.source, { call, cause: error });
        if (error instanceof AttemptTimeout) {
          if (budget && budget.deadline < callDeadline)
            throw deadlinePassed(this.source, budget.timeoutMs, { call, cause: error });
          throw timeoutError(this.source, this.options.timeoutMs, call, error);
        }
        if (canRetry && RETRYABLE_SOCKET_ERRORS.has(code) && Date.now() < deadline) continue;
        throw transportError(this.source, error, call, this.options.maxResponseBytes);
      }
      call.status = response.status;
      if (response.status === 503 && canRetry) {
        const pause = retryPause(response.retryAfter);
        if (Date.now() + pause < deadline) {
          await this.pause(pause, budget);
          continue;
        }
      }
      if (response.status >= 200 && response.status < 300) {
        if (response.notJson) {
          throw new UpstreamError(
            'UPSTREAM_ERROR',
            this.source,
            `${this.source} returned a body that is not JSON`,
            {
              call,
            },
          );
        }
        return {
          status: response.status,
          body: response.body,
          call,
          headers: response.headers,
          bytes: response.bytes,
        };
      }
      if (response.status === 304 && validators) {
        return { status: 304, body: undefined, call, headers: response.headers, bytes: 0 };
      }
      throw statusError(this.source, response, call, this.options.messageOf);
    }
  }

  /** The headers of every attempt: JSON, the credential as a bearer, and the request's own (its id). */
  private headersOf(options: RequestOptions, budget: CallScope | null): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const fromRequest = budget?.observer?.upstreamHeaders;
    if (fromRequest) Object.assign(headers, fromRequest);
    if (options.headers) Object.assign(headers, options.headers);
    if (options.credential !== null) headers.authorization = `Bearer ${options.credential}`;
    return headers;
  }

  private async pause(ms: number, budget: CallScope | null): Promise<void> {
    try {
      await sleep(ms, undefined, budget?.signal ? { signal: budget.signal } : undefined);
    } catch {
      throw cancelled(this.source);
    }
  }
}

/** The request body, JSON or form-encoded, with its content type. */
function bodyOf(options: RequestOptions, headers: Record<string, string>): string | undefined {
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    return JSON.stringify(options.json);
  }
  if (options.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    return new URLSearchParams(options.form).toString();
  }
  return undefined;
}

/** How long to wait before retrying a 503: its Retry-After when given, else 50–150 ms of jitter. */
function retryPause(retryAfter: number | null): number {
  return retryAfter !== null ? retryAfter * 1000 : 50 + Math.floor(Math.random() * 100);
}
