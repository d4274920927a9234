import type { Result } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { failureOf, type RedisLink } from './redis.js';

/** The APQ registry: operation text by the sha256 of that text. */
export interface OperationStore {
  get(hash: string): Promise<string | null>;
  set(hash: string, query: string): Promise<void>;
}

export interface MemoryOperationLimits {
  /** Operations kept at most. */
  maxEntries: number;
  /** UTF-8 bytes of operation text kept at most. */
  maxBytes: number;
}

/**
 * Bounded by count and by bytes, least recently used first out: a client registering endless distinct
 * (or huge) operations costs memory up to a cap, not without end. An operation larger than the whole
 * budget is not kept at all.
 */
export function memoryOperationStore(
  limits: MemoryOperationLimits = { maxEntries: 2_000, maxBytes: 8 * 1024 * 1024 },
): OperationStore {
  const operations = new LRUCache<string, string>({
    max: limits.maxEntries,
    maxSize: limits.maxBytes,
    sizeCalculation: (query) => Math.max(1, Buffer.byteLength(query)),
  });
  return {
    get: async (hash) => operations.get(hash) ?? null,
    set: async (hash, query) => {
      operations.set(hash, query);
    },
  };
}

export interface RedisOperationLimits {
  /** Operations kept at most; past it, the oldest registrations are dropped first. */
  maxEntries: number;
  /** How long an operation lives after its last registration. */
  ttlMs: number;
}

const PREFIX = 'apq:';
// The registered hashes by registration time, so that the registry can drop its oldest without KEYS.
const INDEX = 'apq:index';

// KEYS: the index, the operation's key. ARGV: hash, text, TTL (ms), most entries, key prefix. Every key
// it writes has a TTL, and entries past the TTL or the count leave the index with their keys. Scores are
// Redis's clock in microseconds, so registrations keep their order.
const REGISTER = `
local index, entry = KEYS[1], KEYS[2]
local ttl, max = tonumber(ARGV[3]), tonumber(ARGV[4])
local time = redis.call('TIME')
local now = time[1] * 1000000 + time[2]
redis.call('SET', entry, ARGV[2], 'PX', ttl)
redis.call('ZADD', index, now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', index, '-inf', now - ttl * 1000)
local excess = redis.call('ZCARD', index) - max
if excess > 0 then
  local oldest = redis.call('ZPOPMIN', index, excess)
  for i = 1, #oldest, 2 do redis.call('DEL', ARGV[5] .. oldest[i]) end
end
redis.call('PEXPIRE', index, ttl)
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    apqRegister(
      index: string,
      entry: string,
      hash: string,
      query: string,
      ttlMs: number,
      maxEntries: number,
      prefix: string,
    ): Result<null, Context>;
  }
}

/**
 * Shared by every replica, so a hash registered through one is served by all; bounded by count (an
 * index trimmed on every registration) and time (every key expires). Failures read as misses.
 */
export function redisOperationStore(
  link: RedisLink,
  logger: Logger,
  // An operation a client stops sending disappears after a day; the next one to send it registers it again.
  limits: RedisOperationLimits = { maxEntries: 10_000, ttlMs: 86_400_000 },
): OperationStore {
  link.redis.defineCommand('apqRegister', { numberOfKeys: 2, lua: REGISTER });
  return {
    async get(hash) {
      try {
        return await link.run((redis) => redis.get(PREFIX + hash));
      } catch (error) {
        // While Redis is down every lookup is refused unsent; the connection logs that once.
        if (failureOf(error) !== 'unavailable') {
          logger.warn(
            { err: (error as Error).message },
            'APQ lookup failed; the client will resend the query',
          );
        }
        return null;
      }
    },
    async set(hash, query) {
      try {
        await link.run((redis) =>
          redis.apqRegister(INDEX, PREFIX + hash, hash, query, limits.ttlMs, limits.maxEntries, PREFIX),
        );
      } catch (error) {
        if (failureOf(error) !== 'unavailable') {
          logger.warn({ err: (error as Error).message }, 'APQ registration failed');
        }
      }
    },
  };
}
