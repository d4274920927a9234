import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { SourceName } from '../config.js';
import { onUpstreamAttempt } from '../telemetry/scope.js';
import { cancelled, type RequestBudget } from './budget.js';
import { Circuit, type CircuitOptions } from './circuit.js';
import { type ErrorCode, idProblem, type UpstreamCall, UpstreamError } from './errors.js';
import { type Interruption, RETRYABLE_SOCKET_ERRORS, statusError, transportError } from './failures.js';
import { type RawResponse, Transport } from './transport.js';

/**
 * A path the gateway may request, built by `pathOf` from a fixed template. The brand keeps a raw client
 * string from reaching `request` by accident; upsun's links pass only a vetted query string (`search`).
 */
export type UpstreamPath = string & { readonly __upstreamPath: unique symbol };

/**
 * Builds a path from literal segments and ids, each id percent-encoded as exactly one segment, so that
 * `a/b`, `a?b#c` or `auth0|x` can never add a segment, a query or a fragment. Ids that a URL parser would
 * fold away (`.`, `..`, empty), over-long ids and lone surrogates are refused before any request.
 */
export function pathOf(source: SourceName, ...segments: Array<string | { id: string }>): UpstreamPath {
  const parts = segments.map((segment) => {
    if (typeof segment === 'string') return segment;
    const problem = idProblem(segment.id, source);
    if (problem) throw problem;
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

/** Codes logged at debug: the caller's own doing, not something an operator must look at. */
const QUIET_CODES = new Set<ErrorCode>([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'CONFLICT',
]);

/**
 * One upstream as every request sees it: its connection pool (transport.ts), its circuit breaker
 * (circuit.ts), the retry policy and the mapping of failures to codes (failures.ts), composed once so
 * that every source gets all of them by construction.
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
      timeoutMs: options.timeoutMs,
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
    const started = performance.now();
    try {
      return await this.circuit.run(() => this.withRetry(options, budget));
    } catch (error) {
      const failure =
        error instanceof UpstreamError
          ? error
          : new UpstreamError('UPSTREAM_ERROR', this.source, 'call failed');
      this.logFailure(failure, started, budget);
      throw failure;
    }
  }

  /** Requests and decodes a 2xx JSON body with `schema`. */
  async json<S extends z.ZodType>(
    schema: S,
    options: RequestOptions,
    budget: RequestBudget | null = null,
  ): Promise<{ status: number; data: z.output<S> }> {
    const response = await this.request(options, budget);
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

  private async withRetry(options: RequestOptions, budget: RequestBudget | null): Promise<UpstreamResponse> {
    const callDeadline = Date.now() + this.options.timeoutMs;
    const deadline = budget ? Math.min(callDeadline, budget.deadline) : callDeadline;
    const path = this.basePath + options.path;
    for (let attempt = 1; ; attempt++) {
      // The request id goes upstream, and the attempt counts towards the request's access-log line.
      onUpstreamAttempt(budget?.scope ?? null, this.source, options, attempt);
      const canRetry = options.method === 'GET' && attempt === 1;
      // Each attempt has its own record, so a retried 503 never colours the next attempt's error.
      const call: UpstreamCall = { method: options.method, path, status: null };
      const ended: { by: Interruption } = { by: null };
      let response: RawResponse;
      try {
        response = await this.attempt(options, call, deadline, callDeadline, budget, ended);
      } catch (error) {
        if (error instanceof UpstreamError) throw error;
        const code = (error as { code?: string }).code ?? '';
        if (canRetry && ended.by === null && RETRYABLE_SOCKET_ERRORS.has(code) && Date.now() < deadline)
          continue;
        throw transportError(this.source, error, call, {
          interruption: ended.by,
          timeoutMs: this.options.timeoutMs,
          requestTimeoutMs: budget?.timeoutMs ?? null,
          maxBytes: this.options.maxResponseBytes,
        });
      }
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

  private async attempt(
    options: RequestOptions,
    call: UpstreamCall,
    deadline: number,
    callDeadline: number,
    budget: RequestBudget | null,
    ended: { by: Interruption },
  ): Promise<RawResponse> {
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
    // One timer per call, cleared as soon as the call ends (AbortSignal.timeout's would live on for the
    // whole budget, thousands at once under load), set to the earlier of the call's budget and the
    // request's deadline; and the client's own signal, so that a client that leaves stops the call.
    const controller = new AbortController();
    const timer = setTimeout(
      () => {
        ended.by = deadline < callDeadline ? 'request-deadline' : 'call-timeout';
        controller.abort();
      },
      Math.max(1, deadline - Date.now()),
    );
    const clientSignal = budget?.signal ?? null;
    const onClientGone = () => {
      ended.by = 'cancelled';
      controller.abort();
    };
    if (clientSignal?.aborted) onClientGone();
    else clientSignal?.addEventListener('abort', onClientGone, { once: true });
    try {
      const response = await this.transport.send({
        method: options.method,
        path: call.path + (options.search ?? queryString(options.query)),
        headers,
        body,
        signal: controller.signal,
      });
      call.status = response.status;
      return response;
    } finally {
      clearTimeout(timer);
      clientSignal?.removeEventListener('abort', onClientGone);
    }
  }

  private async pause(ms: number, budget: RequestBudget | null): Promise<void> {
    try {
      await sleep(ms, undefined, budget?.signal ? { signal: budget.signal } : undefined);
    } catch {
      throw cancelled(this.source);
    }
  }

  private logFailure(error: UpstreamError, started: number, budget: RequestBudget | null) {
    const fields = {
      requestId: budget?.scope?.id,
      source: this.source,
      code: error.code,
      method: error.call?.method,
      path: error.call?.path,
      status: error.call?.status,
      ms: elapsed(started),
    };
    // The upstream's faults are an operator's business, one line each and a few per request; the
    // caller's own (401/403/404/400, cancellation) only at debug.
    const quiet = QUIET_CODES.has(error.code) || budget?.signal?.aborted === true;
    if (!quiet && (budget === null || budget.mayWarn())) this.options.logger.warn(fields, error.message);
    else this.options.logger.debug(fields, error.message);
  }
}

/** How long to wait before retrying a 503: its Retry-After when given, else 50–150 ms of jitter. */
function retryPause(retryAfter: number | null): number {
  return retryAfter !== null ? retryAfter * 1000 : 50 + Math.floor(Math.random() * 100);
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
