import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { SourceName } from '../config.js';
import { type UpstreamCall, UpstreamError } from '../errors.js';
import { ClientGone, cancelled, deadlinePassed, type RequestBudget } from './budget.js';
import { Circuit, type CircuitOptions } from './circuit.js';
import { RETRYABLE_SOCKET_ERRORS, statusError, timeoutError, transportError } from './failures.js';
import { queryString, type UpstreamPath } from './paths.js';
import { AttemptTimeout, type RawResponse, Transport } from './transport.js';

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
   * upstream's own message.
   */
  async request(options: RequestOptions, budget: RequestBudget | null = null): Promise<UpstreamResponse> {
    try {
      return await this.circuit.run(() => this.withRetry(options, budget));
    } catch (error) {
      throw error instanceof UpstreamError
        ? error
        : new UpstreamError('UPSTREAM_ERROR', this.source, 'call failed', { cause: error });
    }
  }

  private async withRetry(options: RequestOptions, budget: RequestBudget | null): Promise<UpstreamResponse> {
    const callDeadline = Date.now() + this.options.timeoutMs;
    const deadline = budget ? Math.min(callDeadline, budget.deadline) : callDeadline;
    const path = this.basePath + options.path;
    const target = path + (options.search ?? queryString(options.query));
    const headers = this.headersOf(options, budget);
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
        return { status: response.status, body: response.body, call };
      }
      throw statusError(this.source, response, call, this.options.messageOf);
    }
  }

  /** The headers of every attempt: JSON, the credential as a bearer, and the request's own (its id). */
  private headersOf(options: RequestOptions, budget: RequestBudget | null): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const fromRequest = budget?.observer?.upstreamHeaders;
    if (fromRequest) Object.assign(headers, fromRequest);
    if (options.headers) Object.assign(headers, options.headers);
    if (options.credential !== null) headers.authorization = `Bearer ${options.credential}`;
    return headers;
  }

  private async pause(ms: number, budget: RequestBudget | null): Promise<void> {
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
