import type { Cache } from '@envelop/response-cache';
import type { ExecutionResult } from 'graphql';
import type { Result } from 'ioredis';
import { entityId, indexIds } from './entities.js';
import type { RedisLink } from './redis.js';

// `rc:answer:<key>` holds an answer's JSON; `rc:index:<entity>` is a sorted set of the keys of the answers
// holding that entity (`Type:id`, or `Type` for every answer holding any object of the type), scored by
// when each expires.
const ANSWER = 'rc:answer:';
const INDEX = 'rc:index:';

// Redis's own clock, so that replicas with skewed clocks agree on when an answer expires.
const NOW = `local time = redis.call('TIME')
local now = time[1] * 1000 + math.floor(time[2] / 1000)`;

// KEYS[1]: the answer; KEYS[2..]: its index sets. ARGV: JSON, TTL (ms), response key. Each index set
// forgets the answers that have expired and lives as long as its longest-lived answer, so nothing is
// left without a TTL and no set outgrows the answers it indexes.
const SET = `${NOW}
local ttl = tonumber(ARGV[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
for i = 2, #KEYS do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now)
  redis.call('ZADD', KEYS[i], now + ttl, ARGV[3])
  if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
end`;

// KEYS: index sets. ARGV[1]: the answers' key prefix. Drops every answer each set lists, then the set:
// the per-type sets make a type-wide invalidation one lookup, never a KEYS scan.
const INVALIDATE = `
for _, index in ipairs(KEYS) do
  local keys = redis.call('ZRANGE', index, 0, -1)
  for i = 1, #keys, 500 do
    local batch = {}
    for j = i, math.min(i + 499, #keys) do batch[#batch + 1] = ARGV[1] .. keys[j] end
    redis.call('DEL', unpack(batch))
  end
  redis.call('DEL', index)
end`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    responseCacheSet(numberOfKeys: number, ...keysAndArgs: Array<string | number>): Result<null, Context>;
    responseCacheInvalidate(numberOfKeys: number, ...keysAndArgs: string[]): Result<null, Context>;
  }
}

/**
 * The response cache shared by every replica through Redis. Every key it writes expires, type-wide
 * invalidation reads one index set (no KEYS), and each operation is one command (a script). Failures
 * reject: the caller (createResponseStore) decides what a failure means.
 */
export function redisResponseCache(link: RedisLink): Cache {
  link.redis.defineCommand('responseCacheSet', { lua: SET });
  link.redis.defineCommand('responseCacheInvalidate', { lua: INVALIDATE });
  return {
    async get(key) {
      const json = await link.run((redis) => redis.get(ANSWER + key));
      return json === null ? null : (JSON.parse(json) as ExecutionResult);
    },
    async set(key, result, entities, ttl) {
      const indexes = [...new Set([...entities].flatMap(indexIds))].map((id) => INDEX + id);
      await link.run((redis) =>
        redis.responseCacheSet(
          1 + indexes.length,
          ANSWER + key,
          ...indexes,
          JSON.stringify(result),
          ttl,
          key,
        ),
      );
    },
    async invalidate(entities) {
      const indexes = [...new Set([...entities].map((e) => INDEX + entityId(e)))];
      if (indexes.length === 0) return;
      await link.run((redis) => redis.responseCacheInvalidate(indexes.length, ...indexes, ANSWER));
    },
  };
}
