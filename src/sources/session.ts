import type { LimitFunction } from 'p-limit';
import type { z } from 'zod';
import type { SourceName } from '../config.js';
import type { RequestBudget } from './budget.js';
import type { Credential } from './credentials.js';
import { UpstreamError } from './errors.js';
import type { HttpSource, RequestOptions, UpstreamResponse } from './http.js';

/**
 * One caller's access to one source during one request: the source's shared connection pool and this
 * caller's credential for it. Every call of a source client goes through here, so "not configured",
 * "no credential" and "renew a server-side token after a 401" are handled once for all sources.
 */
export class SourceSession {
  constructor(
    readonly source: SourceName,
    private readonly http: HttpSource | null,
    private readonly credential: Credential,
    /** The request's budget: every call of every source of one request draws on it. */
    private readonly budget: RequestBudget,
    /**
     * This request's slots for this source (UPSTREAM_CONCURRENCY): a fan-out of single GETs waits for a
     * free one, so one request cannot take every connection of the pool that all callers share.
     */
    private readonly slots: LimitFunction,
  ) {}

  /** The calling request's scope, for metrics the source reports itself (batch sizes). */
  get scope() {
    return this.budget.scope;
  }

  request(options: Omit<RequestOptions, 'credential'>): Promise<UpstreamResponse> {
    return this.slots(() => this.send(options));
  }

  private async send(options: Omit<RequestOptions, 'credential'>): Promise<UpstreamResponse> {
    const http = this.configured();
    const credential = await this.credential.get();
    this.budget.spend(this.source);
    try {
      return await http.request({ ...options, credential }, this.budget);
    } catch (error) {
      // A server-side token may have been revoked or expired early: renew it once and try again.
      if (error instanceof UpstreamError && error.code === 'UNAUTHENTICATED' && this.credential.renew) {
        const renewed = await this.credential.renew(credential);
        this.budget.spend(this.source);
        return http.request({ ...options, credential: renewed }, this.budget);
      }
      throw error;
    }
  }

  async json<S extends z.ZodType>(
    schema: S,
    options: Omit<RequestOptions, 'credential'>,
  ): Promise<{ status: number; data: z.output<S> }> {
    const response = await this.request(options);
    return { status: response.status, data: this.configured().decode(schema, response.body, response.call) };
  }

  /** GET and decode; the common case. */
  async get<S extends z.ZodType>(
    schema: S,
    options: Omit<RequestOptions, 'credential' | 'method'>,
  ): Promise<z.output<S>> {
    return (await this.json(schema, { ...options, method: 'GET' })).data;
  }

  /** The source's pool; throws SOURCE_NOT_CONFIGURED when the source has no URL. */
  configured(): HttpSource {
    if (this.http) return this.http;
    throw new UpstreamError(
      'SOURCE_NOT_CONFIGURED',
      this.source,
      `The ${this.source} source is not configured: set ${this.source.toUpperCase()}_API_URL.`,
    );
  }
}
