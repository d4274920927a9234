import type { Cache } from '@envelop/response-cache';
import type { ExecutionResult } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { Metrics } from '../telemetry/metrics.js';
import { CALLER_ENTITY, type Entity, entityId } from './entities.js';
import { failureOf } from './redis.js';

export { CALLER_ENTITY, type Entity } from './entities.js';

/** A response key is `<caller scope>.<sha256 of the operation>`: see useCallerResponseCache. */
export function responseKey(scope: string, operationHash: string): string {
  return `${scope}.${operationHash}`;
}

const RESPONSE_KEY = /^([\w-]{43})\.[0-9a-f]{64}$/;

/** The caller scope a response key belongs to; null for anything not shaped like one. */
export function scopeOfKey(key: string): string | null {
  return RESPONSE_KEY.exec(key)?.[1] ?? null;
}

/** The response cache's store, as Envelop's plugin uses it; it never rejects. */
export interface ResponseStore extends Cache {
  get(key: string): Promise<ExecutionResult | null>;
  set(key: string, result: ExecutionResult, entities: Iterable<Entity>, ttl: number): Promise<void>;
  invalidate(entities: Iterable<Entity>): Promise<void>;
  /** Stops retrying failed invalidations (on shutdown). */
  close(): void;
}

export interface ResponseStoreOptions {
  /** In memory or in Redis; its failures reject. */
  backend: Cache;
  metrics: Metrics | null;
  logger: Logger;
  /** The longest TTL an answer may have: past it, a failed invalidation has nothing left to drop. */
  maxTtlMs: number;
  /** Backoff of the retries of failed invalidations. */
  retry?: { firstMs: number; maxMs: number };
}

/** Callers whose invalidation failed, kept at most (least recently failed first out). */
const MAX_PENDING = 1_000;
/** Entities one pending invalidation keeps by id; past that, it drops their whole types instead. */
const MAX_PENDING_ENTITIES = 200;
/** The pending invalidations that name no caller (Envelop's, from a mutation's answer). */
const NO_CALLER = '';

/**
 * The store as the response cache uses it. A read that fails is a miss and a failed write is dropped,
 * so the cache never fails a request. A failed invalidation would leave stale answers behind, so:
 * - the caller whose mutation it was is bypassed (nothing read or written under their scope) in this
 *   process until a retry succeeds, so they never read back what they just changed;
 * - it is retried in the background, with backoff, until it succeeds or the longest TTL has passed
 *   (by then every answer it was to drop has expired anyway).
 * Other callers, and other replicas, may read the stale answers until the retry succeeds or they expire.
 */
export function createResponseStore(options: ResponseStoreOptions): ResponseStore {
  const { backend, metrics, logger } = options;
  const backoff = options.retry ?? { firstMs: 250, maxMs: 5_000 };
  const pending = new LRUCache<string, Map<string, Entity>>({
    max: MAX_PENDING,
    ttl: options.maxTtlMs,
    dispose: (_entities, scope, reason) => {
      if (reason === 'evict')
        logger.error({ scope }, 'response cache: dropped a failed invalidation (too many)');
    },
  });
  let delay = backoff.firstMs;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const report = () => {
    pending.purgeStale();
    metrics?.responseCacheBypassedCallers.set(pending.size - (pending.has(NO_CALLER) ? 1 : 0));
  };
  const storeError = (operation: 'get' | 'set' | 'invalidate', error: unknown) => {
    const reason = failureOf(error);
    metrics?.responseCacheStoreErrors.inc({ operation, reason });
    // While the store is down every command is refused unsent; the connection logs that once.
    if (reason !== 'unavailable')
      logger.warn({ err: (error as Error).message, operation }, 'response cache store failed');
  };
  const bypassed = (scope: string) => pending.has(scope);

  const retry = async () => {
    timer = undefined;
    report();
    // Oldest first; an entry that grew while its retry ran stays for the next round.
    for (const [scope, entities] of [...pending.entries()].reverse()) {
      try {
        await backend.invalidate(entities.values());
      } catch (error) {
        storeError('invalidate', error);
        delay = Math.min(delay * 2, backoff.maxMs);
        break;
      }
      if (pending.peek(scope) === entities) pending.delete(scope);
    }
    if (pending.size === 0) delay = backoff.firstMs;
    report();
    schedule();
  };
  const schedule = () => {
    if (closed || timer || pending.size === 0) return;
    timer = setTimeout(retry, delay);
    timer.unref();
  };
  const keepForRetry = (scope: string, failed: Entity[]) => {
    const entities = new Map(pending.peek(scope));
    for (const entity of failed) entities.set(entityId(entity), entity);
    pending.set(scope, entities.size > MAX_PENDING_ENTITIES ? wholeTypes(entities) : entities);
    report();
    schedule();
  };

  return {
    async get(key) {
      const scope = scopeOfKey(key);
      if (scope === null) return null;
      if (bypassed(scope)) {
        metrics?.responseCacheLookups.inc({ outcome: 'bypass' });
        return null;
      }
      try {
        const result = (await backend.get(key)) ?? null;
        metrics?.responseCacheLookups.inc({ outcome: result ? 'hit' : 'miss' });
        return result;
      } catch (error) {
        metrics?.responseCacheLookups.inc({ outcome: 'error' });
        storeError('get', error);
        return null;
      }
    },
    async set(key, result, entities, ttl) {
      const scope = scopeOfKey(key);
      if (scope === null || bypassed(scope) || !(ttl > 0 && Number.isFinite(ttl))) return;
      try {
        await backend.set(key, result, [...entities, { typename: CALLER_ENTITY, id: scope }], Math.ceil(ttl));
      } catch (error) {
        storeError('set', error);
      }
    },
    async invalidate(entities) {
      const list = [...entities];
      if (list.length === 0) return;
      try {
        await backend.invalidate(list);
      } catch (error) {
        storeError('invalidate', error);
        const caller = list.find((e) => e.typename === CALLER_ENTITY)?.id;
        logger.error(
          { err: (error as Error).message },
          'response cache invalidation failed: retrying it; until then its caller is not served from the cache',
        );
        keepForRetry(caller === undefined ? NO_CALLER : String(caller), list);
      }
    },
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}

/** A superset of `entities` in fewer entries: each type as a whole, callers still one by one. */
function wholeTypes(entities: Map<string, Entity>): Map<string, Entity> {
  const types = new Map<string, Entity>();
  for (const entity of entities.values()) {
    const kept = entity.typename === CALLER_ENTITY ? entity : { typename: entity.typename };
    types.set(entityId(kept), kept);
  }
  return types;
}
