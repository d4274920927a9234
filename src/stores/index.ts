import type { Logger } from 'pino';
import type { Config, ResponseCacheConfig } from '../config.js';
import type { UpstreamCacheStore } from '../sources/upstream-cache.js';
import type { Metrics } from '../telemetry/metrics.js';
import { memoryResponseCache } from './memory-response-cache.js';
import { memoryOperationStore, type OperationStore, redisOperationStore } from './operation-store.js';
import { RedisLink, type StoreState } from './redis.js';
import { redisResponseCache } from './redis-response-cache.js';
import { createResponseStore, type ResponseStore } from './response-store.js';
import { memoryUpstreamStore, redisUpstreamStore } from './upstream-store.js';

export interface Stores {
  /** The APQ registry. */
  operations: OperationStore;
  /** The response cache's store; null when the response cache is off. */
  responses: ResponseStore | null;
  /** The upstream HTTP cache's store (UPSTREAM_CACHE); null when it is off. */
  upstream: UpstreamCacheStore | null;
  /** The one Redis connection, for the rate limits too; null without REDIS_URL (or nothing to share). */
  redis: RedisLink | null;
  /** The shared stores' state, for `/readyz`: empty when everything is in this process's memory. */
  health(): { redis?: StoreState };
  close(): Promise<void>;
}

/** In memory for one process; in Redis (REDIS_URL) for several, one connection for both. */
export function createStores(config: Config, logger: Logger, metrics: Metrics | null): Stores {
  const needsRedis =
    config.persistedOperations.mode === 'apq' ||
    config.responseCache !== null ||
    config.governance.rateLimit !== null ||
    config.upstreamSharing.cache === 'redis';
  const link = config.redisUrl && needsRedis ? new RedisLink(config.redisUrl, logger) : null;
  const responses = config.responseCache
    ? createResponseStore({
        backend: link ? redisResponseCache(link) : memoryResponseCache(),
        metrics,
        logger,
        maxTtlMs: longestTtl(config.responseCache),
      })
    : null;
  const { cache, cacheMaxBytes } = config.upstreamSharing;
  const upstream =
    cache === 'redis' && link ? redisUpstreamStore(link) : cache ? memoryUpstreamStore(cacheMaxBytes) : null;
  return {
    operations: link ? redisOperationStore(link, logger) : memoryOperationStore(),
    responses,
    upstream,
    redis: link,
    health: () => (link ? { redis: link.state } : {}),
    async close() {
      responses?.close();
      await link?.close();
    },
  };
}

function longestTtl(config: ResponseCacheConfig): number {
  return Math.max(config.ttlMs, ...Object.values(config.ttlPerType));
}
