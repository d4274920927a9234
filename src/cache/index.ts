import type { Cache } from '@graphql-yoga/plugin-response-cache';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { memoryOperationStore, type OperationStore, redisOperationStore } from './operation-store.js';
import { connectRedis } from './redis.js';
import { createResponseStore } from './response-store.js';

export interface Stores {
  /** The APQ registry. */
  operations: OperationStore;
  /** The response cache's store; null when the response cache is off. */
  responses: Cache | null;
  close(): Promise<void>;
}

/** In memory for one process; in Redis (REDIS_URL) for several, one connection for both. */
export function createStores(config: Config, logger: Logger): Stores {
  const needsRedis = config.persistedOperations.mode === 'apq' || config.responseCache !== null;
  const redis = config.redisUrl && needsRedis ? connectRedis(config.redisUrl, logger) : null;
  return {
    operations: redis ? redisOperationStore(redis, logger) : memoryOperationStore(),
    responses: config.responseCache ? createResponseStore(redis, logger) : null,
    async close() {
      await redis?.quit().catch(() => redis.disconnect());
    },
  };
}
