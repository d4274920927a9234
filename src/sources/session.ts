import type { Logger } from 'pino';
import { z } from 'zod';
import { type ErrorCode, type UpstreamCall, UpstreamError } from '../errors.js';
import type { RequestBudget } from './budget.js';
import type { Credential } from './credentials.js';
import type { HttpSource, RequestOptions, UpstreamResponse } from './http.js';
import type { RequestObserver } from './observer.js';
import type { SourceName } from './registry.js';
import { Slots } from './slots.js';

/** A call as a source client asks for it: everything but the credential, which the session adds. */
export type CallOptions = Omit<RequestOptions, 'credential'>;

/** A 2xx answer, decoded. */
export interface Decoded<T> {
  status: number;
  data: T;
  call: UpstreamCall;
}

/**
 * Each payload schema compiled once (zod's AOT fast path): a list of 30 profiles decodes in a quarter of
 * the time and allocates no per-field result objects, which under load cost more in GC than in parsing.
 */
const compiled = new WeakMap<z.ZodType, z.ZodType>();

function compiledOf<S extends z.ZodType>(schema: S): S {
  let fast = compiled.get(schema);
  if (!fast) {
    fast = z.compile(schema);
    compiled.set(schema, fast);
  }
  return fast as S;
}

/**
 * Decodes a payload at the edge. A payload of the wrong shape is the upstream's fault and becomes
 * UPSTREAM_ERROR naming the field, never a silent null further in.
 */
export function decodePayload<S extends z.ZodType>(
  source: SourceName,
  schema: S,
  response: UpstreamResponse,
): z.output<S> {
  const parsed = compiledOf(schema).safeParse(response.body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
  throw new UpstreamError(
    'UPSTREAM_ERROR',
    source,
    `${source} returned a payload of the wrong shape at ${where}: ${issue?.message ?? 'invalid'}`,
    { call: response.call },
  );
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
 * One caller's access to one source during one request, and the only door to it: the source's shared
 * connection pool, this caller's credential, the request's budget and its share of connections. A call
 * reads in one direction: configured? credential, budget, a free slot, the upstream (HttpSource), the
 * payload decoded with the client's schema; a failure is logged once, by the policy below, and thrown.
 */
export class SourceSession {
  private slots: Slots | null = null;

  constructor(
    readonly source: SourceName,
    private readonly http: HttpSource | null,
    private readonly credential: Credential,
    /** The request's budget: every call of every source of one request draws on it. */
    private readonly budget: RequestBudget,
    /**
     * This request's share of the source's connections (UPSTREAM_CONCURRENCY): a fan-out of single GETs
     * waits for a free one, so one request cannot take every connection of the pool all callers share.
     */
    private readonly concurrency: number,
    private readonly logger: Logger,
  ) {}

  /** Who hears of this request's upstream work, for what the resources report themselves (batches). */
  get observer(): RequestObserver | null {
    return this.budget.observer;
  }

  /** The upstream's origin and path prefix, for a source that checks a link it was given (upsun). */
  get base(): { origin: string; prefix: string } {
    const http = this.configured();
    return { origin: http.origin, prefix: http.prefix };
  }

  /** Sends a call and decodes its 2xx answer with `schema`. */
  async read<S extends z.ZodType>(schema: S, options: CallOptions): Promise<Decoded<z.output<S>>> {
    const response = await this.send(options);
    return { status: response.status, data: this.decode(schema, response), call: response.call };
  }

  /** GET and decode; the common case. */
  async get<S extends z.ZodType>(schema: S, options: Omit<CallOptions, 'method'>): Promise<z.output<S>> {
    return (await this.read(schema, { ...options, method: 'GET' })).data;
  }

  /**
   * After a write through this session: the answers of `routes` (templates such as `/api/profiles/{id}`)
   * that this caller's credential has in the upstream HTTP cache are dropped, so the caller reads their
   * own write. Awaited before the write answers.
   */
  async forget(routes: readonly string[]): Promise<void> {
    if (!this.http) return;
    const credential = await this.credential.get().catch(() => null);
    if (credential !== null) await this.http.forget(credential, routes);
  }

  /** An UpstreamError about a call already made, for upstreams that report errors inside a 2xx body. */
  fail(code: ErrorCode, message: string, call: UpstreamCall): UpstreamError {
    return new UpstreamError(code, this.source, message, { call });
  }

  private send(options: CallOptions): Promise<UpstreamResponse> {
    const http = this.configured();
    this.slots ??= new Slots(this.concurrency);
    return this.slots.run(() => this.call(http, options));
  }

  private async call(http: HttpSource, options: CallOptions): Promise<UpstreamResponse> {
    const credential = await this.credential.get();
    this.budget.spend(this.source);
    try {
      return await this.request(http, { ...options, credential });
    } catch (error) {
      // A server-side token may have been revoked or expired early: renew it once and try again.
      if (error instanceof UpstreamError && error.code === 'UNAUTHENTICATED' && this.credential.renew) {
        const renewed = await this.credential.renew(credential);
        this.budget.spend(this.source);
        return this.request(http, { ...options, credential: renewed, alone: true });
      }
      throw error;
    }
  }

  private async request(http: HttpSource, options: RequestOptions): Promise<UpstreamResponse> {
    const started = performance.now();
    try {
      return await http.request(options, this.budget);
    } catch (error) {
      if (error instanceof UpstreamError) this.log(error, started);
      throw error;
    }
  }

  private decode<S extends z.ZodType>(schema: S, response: UpstreamResponse): z.output<S> {
    return decodePayload(this.source, schema, response);
  }

  /** The source's pool; throws SOURCE_NOT_CONFIGURED when the source has no URL. */
  private configured(): HttpSource {
    if (this.http) return this.http;
    throw new UpstreamError(
      'SOURCE_NOT_CONFIGURED',
      this.source,
      `The ${this.source} source is not configured: set ${this.source.toUpperCase()}_API_URL.`,
    );
  }

  /**
   * The upstream's faults are an operator's business, one line each and a few per request; the caller's
   * own (401/403/404/400, a client that left) only at debug.
   */
  private log(error: UpstreamError, started: number): void {
    const fields = {
      requestId: this.budget.observer?.upstreamHeaders['x-request-id'],
      source: this.source,
      code: error.code,
      method: error.call?.method,
      path: error.call?.path,
      status: error.call?.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    };
    const quiet = QUIET_CODES.has(error.code) || this.budget.signal?.aborted === true;
    if (!quiet && this.budget.mayWarn()) this.logger.warn(fields, error.message);
    else this.logger.debug(fields, error.message);
  }
}
