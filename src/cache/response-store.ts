import { createRedisCache } from '@envelop/response-cache-redis';
import { type Cache, createInMemoryCache } from '@graphql-yoga/plugin-response-cache';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** What an answer is filed under: a type, or one object of it by its global id. */
export type Entity = { typename: string; id?: string | number };

/**
 * Every cached answer is also filed under this pseudo-entity with the caller's scope as its id, so that
 * one call can drop everything a caller has cached (their own mutation may change any of it).
 */
export const CALLER_ENTITY = 'Caller';

/** A response key is `<caller scope>.<hash of the operation>`: see useCallerResponseCache. */
export function responseKey(scope: string, operationHash: string): string {
  return `${scope}.${operationHash}`;
}

// Yoga's plugin also looks up the key a client sends in If-None-Match (to answer 304): anything not
// shaped like a response key is not looked up, so a client cannot probe other keys of the store.
const RESPONSE_KEY = /^[\w-]{43}\.[0-9a-f]{64}$/;

// Bounded by count (Envelop's in-memory cache counts entries, not bytes): a caller repeating distinct
// variables can fill it, so the bound is what the heap can hold of the largest answers (~50 kB each).
const MEMORY_ENTRIES = 1_000;

/**
 * The response cache's store: in memory for one process, Redis for several. Redis failures read as a
 * miss and a failed write is dropped (a cache must not fail a request); a failed invalidation is logged
 * as an error, since it may leave a stale answer until its TTL.
 */
export function createResponseStore(redis: Redis | null, logger: Logger): Cache {
  const inner = redis ? createRedisCache({ redis }) : createInMemoryCache({ max: MEMORY_ENTRIES });
  return {
    set(key, result, entities, ttl) {
      const scope = key.slice(0, key.indexOf('.'));
      const all: Entity[] = [...entities, { typename: CALLER_ENTITY, id: scope }];
      return guard(
        () => inner.set(key, result, all, ttl),
        undefined,
        (err) => logger.warn({ err }, 'response cache write failed'),
      );
    },
    get(key) {
      if (!RESPONSE_KEY.test(key)) return undefined;
      return guard(
        () => inner.get(key),
        undefined,
        (err) => logger.warn({ err }, 'response cache read failed'),
      );
    },
    invalidate(entities) {
      return guard(
        () => inner.invalidate(entities),
        undefined,
        (err) =>
          logger.error({ err }, 'response cache invalidation failed: answers may stay stale until their TTL'),
      );
    },
  };
}

async function guard<T, F>(
  run: () => T | Promise<T>,
  fallback: F,
  log: (err: string) => void,
): Promise<T | F> {
  try {
    return await run();
  } catch (error) {
    log((error as Error).message);
    return fallback;
  }
}
