import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';

/** The APQ registry: operation text by the sha256 of that text. */
export interface OperationStore {
  get(hash: string): Promise<string | null>;
  set(hash: string, query: string): Promise<void>;
}

/** Bounded, so a client registering endless distinct operations costs memory up to a cap, not without end. */
export function memoryOperationStore(max = 2_000): OperationStore {
  const operations = new LRUCache<string, string>({ max });
  return {
    get: async (hash) => operations.get(hash) ?? null,
    set: async (hash, query) => {
      operations.set(hash, query);
    },
  };
}

const PREFIX = 'apq:';
// An operation a client stops sending disappears after a day; the next one to send it registers it again.
const TTL_SECONDS = 86_400;

/** Shared by every replica, so a hash registered through one is served by all. Failures read as misses. */
export function redisOperationStore(redis: Redis, logger: Logger): OperationStore {
  return {
    async get(hash) {
      try {
        return await redis.get(PREFIX + hash);
      } catch (error) {
        logger.warn({ err: (error as Error).message }, 'APQ lookup failed; the client will resend the query');
        return null;
      }
    },
    async set(hash, query) {
      try {
        await redis.set(PREFIX + hash, query, 'EX', TTL_SECONDS);
      } catch (error) {
        logger.warn({ err: (error as Error).message }, 'APQ registration failed');
      }
    },
  };
}
