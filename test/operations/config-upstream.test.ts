import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const SECRET = 'an-upstream-cache-secret-of-32-chars-or-more';

function problem(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}

describe('config of single-flight and the upstream HTTP cache', () => {
  it('defaults to single-flight on and no upstream cache', () => {
    const { upstreamSharing } = loadConfig({});
    expect(upstreamSharing).toMatchObject({ dedupe: true, cache: null, cacheMaxBytes: 16 * 1024 * 1024 });
    expect(upstreamSharing.secret).toHaveLength(32);
  });

  it('reads UPSTREAM_DEDUPE, UPSTREAM_CACHE and UPSTREAM_CACHE_MAX_BYTES; the scope key is RESPONSE_CACHE_SECRET', () => {
    const { upstreamSharing } = loadConfig({
      UPSTREAM_DEDUPE: '0',
      UPSTREAM_CACHE: 'redis',
      UPSTREAM_CACHE_MAX_BYTES: '1048576',
      REDIS_URL: 'redis://127.0.0.1:6379',
      RESPONSE_CACHE_SECRET: SECRET,
    });
    expect(upstreamSharing).toMatchObject({ dedupe: false, cache: 'redis', cacheMaxBytes: 1_048_576 });
    expect(upstreamSharing.secret.toString()).toBe(SECRET);
    expect(loadConfig({ UPSTREAM_CACHE: 'off' }).upstreamSharing.cache).toBeNull();
    expect(loadConfig({ UPSTREAM_CACHE: 'memory' }).upstreamSharing.cache).toBe('memory');
  });

  it('names an invalid value, and what UPSTREAM_CACHE=redis needs', () => {
    const message = problem({
      UPSTREAM_DEDUPE: 'yes',
      UPSTREAM_CACHE: 'disk',
      UPSTREAM_CACHE_MAX_BYTES: '10',
    });
    expect(message).toMatch(/UPSTREAM_DEDUPE: must be 0 or 1/);
    expect(message).toMatch(/UPSTREAM_CACHE: must be off, memory or redis/);
    expect(message).toMatch(/UPSTREAM_CACHE_MAX_BYTES: must be at least 65536/);
    expect(problem({ UPSTREAM_CACHE: 'redis', RESPONSE_CACHE_SECRET: SECRET })).toMatch(
      /UPSTREAM_CACHE: redis needs REDIS_URL/,
    );
    expect(problem({ UPSTREAM_CACHE: 'redis', REDIS_URL: 'redis://127.0.0.1:6379' })).toMatch(
      /RESPONSE_CACHE_SECRET: required when UPSTREAM_CACHE=redis/,
    );
  });
});
