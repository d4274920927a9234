import type { Cache } from '@graphql-yoga/plugin-response-cache';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { memoryOperationStore, type OperationStore, redisOperationStore } from './operation-store.js';
import { RedisLink, type StoreState } from './redis.js';
import { createResponseStore } from './response-store.js';

export interface Stores {
  /** The APQ registry. */
  operations: OperationStore;
  /** The response cache's store; null when the response cache is off. */
  responses: Cache | null;
  /** The shared stores' state, for `/readyz`: empty when everything is in this process's memory. */
  health(): { redis?: StoreState };
  close(): Promise<void>;
}

/** In memory for one process; in Redis (REDIS_URL) for several, one connection for both. */
export function createStores(config: Config, logger: Logger): Stores {
  const needsRedis = config.persistedOperations.mode === 'apq' || config.responseCache !== null;
  const link = config.redisUrl && needsRedis ? new RedisLink(config.redisUrl, logger) : null;
  return {
    operations: link ? redisOperationStore(link, logger) : memoryOperationStore(),
    responses: config.responseCache ? createResponseStore(link?.redis ?? null, logger) : null,
    health: () => (link ? { redis: link.state } : {}),
    async close() {
      await link?.close();
    },
  };
}
