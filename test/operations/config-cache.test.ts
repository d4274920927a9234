import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('config of persisted operations, the response cache and Redis', () => {
  it('defaults to APQ, no response cache, no Redis', () => {
    const config = loadConfig({});
    expect(config.persistedOperations.mode).toBe('apq');
    expect(config.responseCache).toBeNull();
    expect(config.redisUrl).toBeNull();
  });

  it('turns the response cache on with RESPONSE_CACHE_TTL_MS and reads TTLs per type', () => {
    const config = loadConfig({
      RESPONSE_CACHE_TTL_MS: '30000',
      RESPONSE_CACHE_TTL_PER_TYPE: 'Workspace=5000,UserProfile=0',
    });
    expect(config.responseCache).toMatchObject({
      ttlMs: 30_000,
      ttlPerType: { Workspace: 5000, UserProfile: 0 },
    });
  });

  it('names every invalid variable and what it expects', () => {
    const error = (() => {
      try {
        loadConfig({
          PERSISTED_OPERATIONS: 'sometimes',
          RESPONSE_CACHE_TTL_MS: '0',
          RESPONSE_CACHE_TTL_PER_TYPE: 'Workspace:5',
          RESPONSE_CACHE_SECRET: 'short',
          REDIS_URL: 'http://127.0.0.1:6379',
        });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toMatch(/PERSISTED_OPERATIONS: must be apq, only or off/);
    expect(error?.message).toMatch(/RESPONSE_CACHE_TTL_MS: must be at least 1 ms/);
    expect(error?.message).toMatch(
      /RESPONSE_CACHE_TTL_PER_TYPE: must be a comma-separated list of Type=milliseconds/,
    );
    expect(error?.message).toMatch(/RESPONSE_CACHE_SECRET: must be at least 32 characters/);
    expect(error?.message).toMatch(/REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL/);
  });

  it('requires RESPONSE_CACHE_SECRET when the cache is shared through Redis', () => {
    expect(() => loadConfig({ RESPONSE_CACHE_TTL_MS: '1000', REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(
      /RESPONSE_CACHE_SECRET: required when REDIS_URL and RESPONSE_CACHE_TTL_MS are set/,
    );
  });

  it('loads the shipped manifest of the example operations with PERSISTED_OPERATIONS=only', () => {
    const { documents } = loadConfig({ PERSISTED_OPERATIONS: 'only' }).persistedOperations;
    expect(documents.size).toBe(4);
    for (const id of documents.keys()) expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
