import type { Result } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { UpstreamCacheEntry, UpstreamCacheStore } from '../sources/upstream-cache.js';
import type { RedisLink } from './redis.js';

/** What an entry costs the memory store beyond its body: its policy's headers and the bookkeeping. */
const ENTRY_OVERHEAD_BYTES = 1024;

/**
 * The upstream HTTP cache of one process, bounded by the bytes of its bodies (least recently used first
 * out), each entry also expiring at its own TTL. The indexes follow the entries exactly: an entry leaving
 * by any path leaves its index.
 */
export function memoryUpstreamStore(maxBytes: number): UpstreamCacheStore {
  const keysOf = new Map<string, Set<string>>();
  const entries = new LRUCache<string, { entry: UpstreamCacheEntry; index: string }>({
    maxSize: maxBytes,
    sizeCalculation: ({ entry }) => entry.bytes + ENTRY_OVERHEAD_BYTES,
    dispose: ({ index }, key) => {
      const keys = keysOf.get(index);
      keys?.delete(key);
      if (keys?.size === 0) keysOf.delete(index);
    },
  });
  return {
    get: async (key) => entries.get(key)?.entry ?? null,
    async set(key, entry, ttlMs, index) {
      entries.set(key, { entry, index }, { ttl: ttlMs });
      // Not kept (larger than the whole budget): nothing to index.
      if (entries.peek(key)?.entry !== entry) return;
      let keys = keysOf.get(index);
      if (!keys) {
        keys = new Set();
        keysOf.set(index, keys);
      }
      keys.add(key);
    },
    async delete(key) {
      entries.delete(key);
    },
    async forget(indexes) {
      for (const index of indexes) for (const key of [...(keysOf.get(index) ?? [])]) entries.delete(key);
    },
  };
}

const ENTRY = 'uc:e:';
const INDEX = 'uc:i:';

// KEYS: the entry, its index. ARGV: the entry's JSON, its TTL (ms), the entry's own key (the index's
// member). The index lives as long as its longest-lived entry, so every key expires.
const KEEP = `
local ttl = tonumber(ARGV[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
redis.call('SADD', KEYS[2], ARGV[3])
if redis.call('PTTL', KEYS[2]) < ttl then redis.call('PEXPIRE', KEYS[2], ttl) end
`;

// KEYS: indexes. ARGV: the entry key prefix. Drops every entry of each index, then the index.
const FORGET = `
for _, index in ipairs(KEYS) do
  local members = redis.call('SMEMBERS', index)
  for i = 1, #members do redis.call('DEL', ARGV[1] .. members[i]) end
  redis.call('DEL', index)
end
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    upstreamCacheKeep(
      entry: string,
      index: string,
      json: string,
      ttlMs: number,
      member: string,
    ): Result<null, Context>;
  }
}

/**
 * Shared by every replica over the gateway's one connection (src/cache/redis.ts), so an answer one replica
 * kept serves the same credential on every other. Every key has a TTL (an index its longest entry's); a
 * failure rejects, and the cache serves as if it held nothing.
 */
export function redisUpstreamStore(link: RedisLink): UpstreamCacheStore {
  link.redis.defineCommand('upstreamCacheKeep', { numberOfKeys: 2, lua: KEEP });
  return {
    async get(key) {
      const json = await link.run((redis) => redis.get(ENTRY + key));
      return json === null ? null : (JSON.parse(json) as UpstreamCacheEntry);
    },
    async set(key, entry, ttlMs, index) {
      const json = JSON.stringify(entry);
      await link.run((redis) =>
        redis.upstreamCacheKeep(ENTRY + key, INDEX + index, json, Math.max(1, Math.ceil(ttlMs)), key),
      );
    },
    async delete(key) {
      await link.run((redis) => redis.del(ENTRY + key));
    },
    async forget(indexes) {
      if (indexes.length === 0) return;
      await link.run((redis) =>
        redis.eval(FORGET, indexes.length, ...indexes.map((index) => INDEX + index), ENTRY),
      );
    },
  };
}
