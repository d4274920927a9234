import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { UpstreamCall } from '../errors.js';
import { scopeHasher } from '../stores/scopes.js';
import type { CallScope, RequestBudget } from './budget.js';
import { Flight } from './flight.js';
import type { UpstreamCacheOutcome } from './observer.js';
import type { SourceName } from './registry.js';
import {
  cachingHeaders,
  hasValidator,
  judge,
  MAX_RETENTION_MS,
  policyOf,
  policyRequest,
  retentionOf,
  revalidated,
  type UpstreamCacheStore,
  type Verdict,
} from './upstream-cache.js';

/** An answer on the shared path: an UpstreamResponse with what the cache needs of it. */
export interface SharedAnswer {
  status: number;
  body: unknown;
  call: UpstreamCall;
  headers: Record<string, unknown>;
  bytes: number;
}

/** Sends the GET within `scope`; with `validators` it revalidates, and a 304 is an answer, not an error. */
export type Send = (scope: CallScope | null, validators?: Record<string, string>) => Promise<SharedAnswer>;

/** A GET as the shared path sees it. */
export interface SharedGet {
  /** Below the base URL's prefix, without the query: what the routes are matched against. */
  path: string;
  /** Path and query as sent, prefix included. */
  target: string;
  /** The path as `extensions.upstream` shows it: prefix included, no query. */
  callPath: string;
  credential: string | null;
}

export interface SharedCallsOptions {
  source: SourceName;
  /** Identical GETs in flight at once are one call. */
  dedupe: boolean;
  /** The upstream HTTP cache's store; null: no cache. */
  store: UpstreamCacheStore | null;
  /** Key of the HMAC that turns the credential sent into a scope. */
  secret: Buffer;
  /** The source's timeout for one call: a shared call's own deadline. */
  timeoutMs: number;
  /** The source's route templates (`/api/profiles/{id}`): entries are filed by route, for a write to drop. */
  routes: readonly string[];
  logger: Logger;
}

const ACCEPT = 'application/json';
/** A store read before the call (Redis's command timeout): a shared call may end this much later. */
const STORE_READ_MS = 1_000;
/** Callers whose entries a write could not drop, skipped by the cache of this process meanwhile. */
const MAX_BYPASSED = 1_000;

/**
 * The work one source's GETs share across requests, keyed on the HMAC of the credential actually sent:
 * identical GETs in flight at once are one call, and answers the upstream lets be reused are kept
 * (upstream-cache.ts). A write (`forget`) drops its caller's entries of the routes it changed, and no
 * later GET of theirs joins a call from before it.
 */
export class SharedCalls {
  private readonly flights = new Map<string, { flight: Flight<SharedAnswer>; scope: string }>();
  /** Orders reads and writes: an answer whose read began before its caller's last write is not kept. */
  private sequence = 0;
  private readonly lastWrite = new LRUCache<string, number>({ max: 10_000, ttl: MAX_RETENTION_MS });
  private readonly bypassed = new LRUCache<string, true>({ max: MAX_BYPASSED, ttl: MAX_RETENTION_MS });
  private readonly templates: string[][];
  private readonly hash: (credential: string) => string;

  constructor(private readonly options: SharedCallsOptions) {
    this.templates = options.routes.map((r) => r.split('/'));
    this.hash = scopeHasher(options.secret);
  }

  /** The GET's answer: shared with an identical call in flight, from the cache, or sent. */
  get(get: SharedGet, budget: RequestBudget | null, send: Send): Promise<SharedAnswer> {
    const scope = this.scopeOf(get.credential);
    const key = `${scope}\n${ACCEPT}\n${get.target}`;
    if (!this.options.dedupe) return this.fetch(key, scope, get, budget, send);
    const joined = this.flights.get(key);
    if (joined) {
      budget?.observer?.onShared?.(this.options.source);
      return joined.flight.wait(budget, this.options.source, get.callPath);
    }
    const lasts = this.options.timeoutMs + (this.options.store ? STORE_READ_MS : 0);
    const flight: Flight<SharedAnswer> = new Flight(budget?.observer ?? null, lasts, () =>
      this.land(key, flight),
    );
    this.flights.set(key, { flight, scope });
    flight.start((within) => this.fetch(key, scope, get, within, send).finally(() => this.land(key, flight)));
    return flight.wait(budget, this.options.source, get.callPath);
  }

  /**
   * After a write by this credential: drops its entries of `routes`, and no later GET joins a call of
   * its that was in flight before. When the store fails to drop them, this process skips the cache for
   * that caller until they have expired, so the caller never reads back what their write changed.
   */
  async forget(credential: string | null, routes: readonly string[]): Promise<void> {
    const scope = this.scopeOf(credential);
    this.lastWrite.set(scope, ++this.sequence);
    for (const [key, flying] of this.flights) if (flying.scope === scope) this.flights.delete(key);
    const store = this.options.store;
    if (!store) return;
    try {
      await store.forget(routes.map((route) => this.indexOf(scope, route)));
    } catch (error) {
      this.bypassed.set(scope, true);
      this.options.logger.error(
        { source: this.options.source, err: (error as Error).message },
        'upstream cache: a write could not drop its entries; its caller is served uncached here until they expire',
      );
    }
  }

  private land(key: string, flight: Flight<SharedAnswer>): void {
    if (this.flights.get(key)?.flight === flight) this.flights.delete(key);
  }

  /** The call itself, through the cache when there is one: fresh, revalidated (304) or sent in full. */
  private async fetch(
    key: string,
    scope: string,
    get: SharedGet,
    within: CallScope | null,
    send: Send,
  ): Promise<SharedAnswer> {
    const { store, source } = this.options;
    if (!store || this.bypassed.has(scope)) return send(within);
    const started = ++this.sequence;
    const observer = within?.observer ?? null;
    const request = policyRequest(get.target, { accept: ACCEPT, ...observer?.upstreamHeaders });
    const entryKey = `${source}:${createHash('sha256').update(key).digest('base64url')}`;
    let outcome: UpstreamCacheOutcome = 'miss';
    let verdict: Verdict = { kind: 'none' };
    try {
      verdict = judge(await store.get(entryKey), request);
    } catch {
      outcome = 'error';
    }
    if (verdict.kind === 'fresh') {
      observer?.onUpstreamCache?.(source, 'hit');
      const { body, bytes } = verdict.entry;
      return {
        status: 200,
        body,
        call: { method: 'GET', path: get.callPath, status: 200 },
        headers: {},
        bytes,
      };
    }
    const stale = verdict.kind === 'stale' ? verdict : null;
    let answer: SharedAnswer;
    try {
      answer = await send(within, stale?.validators);
    } catch (error) {
      observer?.onUpstreamCache?.(source, outcome);
      throw error;
    }
    const headers = cachingHeaders(answer.headers);
    const keep = { entryKey, scope, path: get.path, started };
    if (answer.status === 304 && stale) {
      observer?.onUpstreamCache?.(source, 'revalidated');
      const { body, bytes } = stale.entry;
      await this.keep(keep, revalidated(stale.policy, request, headers), true, { body, bytes }, observer);
      return { ...answer, status: 200, body, bytes };
    }
    observer?.onUpstreamCache?.(source, outcome);
    if (answer.status !== 200) return answer;
    const kept = await this.keep(keep, policyOf(request, headers), hasValidator(headers), answer, observer);
    if (!kept && stale) await store.delete(entryKey).catch(() => {});
    return answer;
  }

  /** Stores an answer for as long as its policy allows; false when it may not be kept. */
  private async keep(
    at: { entryKey: string; scope: string; path: string; started: number },
    policy: ReturnType<typeof policyOf>,
    validated: boolean,
    answer: { body: unknown; bytes: number },
    observer: CallScope['observer'],
  ): Promise<boolean> {
    const store = this.options.store;
    const ttl = retentionOf(policy, validated);
    if (!store || ttl <= 0) return false;
    // A read that began before its caller's write may hold what the write changed.
    if (at.started <= (this.lastWrite.get(at.scope) ?? 0) || this.bypassed.has(at.scope)) return true;
    try {
      const entry = { policy: policy.toObject(), body: answer.body, bytes: answer.bytes };
      await store.set(at.entryKey, entry, ttl, this.indexOf(at.scope, at.path));
      observer?.onUpstreamCacheStore?.(this.options.source);
    } catch {
      // A store that fails holds less; the Redis connection logs its outages once.
    }
    return true;
  }

  /** The HMAC of the credential sent: in keys and indexes instead of the credential. */
  private scopeOf(credential: string | null): string {
    return this.hash(credential ?? '');
  }

  /** One caller's entries of one route (a path, or a route template itself). */
  private indexOf(scope: string, path: string): string {
    return `${this.options.source}:${scope}:${this.routeOf(path)}`;
  }

  /** The route template a path follows, `{id}` standing for any one segment; `*` for none of them. */
  private routeOf(path: string): string {
    const segments = path.split('/');
    for (const template of this.templates) {
      if (template.length !== segments.length) continue;
      if (template.every((part, i) => (part === '{id}' ? segments[i] !== '' : part === segments[i])))
        return template.join('/');
    }
    return '*';
  }
}
