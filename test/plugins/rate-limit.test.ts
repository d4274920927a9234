import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Gateway } from '../../src/gateway.js';
import { memoryWindows } from '../../src/http/rate-windows.js';
import { codes, demo, type GraphQLResponse, useHarness } from '../support/harness.js';
import { type RedisServer, startRedis, untilRedis } from '../support/redis.js';

const P = demo.matatika.profileIds;
const h = useHarness();
const asA = { authorization: `Bearer ${demo.matatika.tokens.demo}` };
const asB = { authorization: `Bearer ${demo.matatika.tokens.other}` };
// One profile: one upstream call.
const ONE_CALL = `{ profile(id: "${P.demo}") { upstreamId } }`;

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.close();
});

async function ask(gateway: Gateway, headers: Record<string, string>, query = ONE_CALL) {
  const response = await gateway.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return { response, body: (await response.json()) as GraphQLResponse };
}

describe('rate limits per caller (RATE_LIMIT), counted in upstream calls', () => {
  it('answers 429 RATE_LIMITED with Retry-After and no upstream call to a caller over its limit, and serves another caller', async () => {
    const gateway = h.gatewayWith({ RATE_LIMIT: '3/60s' });
    for (let i = 0; i < 3; i++) {
      const { response } = await ask(gateway, asA);
      expect(response.status).toBe(200);
      expect(response.headers.get('ratelimit-policy')).toBe('"default";q=3;w=60');
      expect(response.headers.get('ratelimit')).toMatch(new RegExp(`^"default";r=${2 - i};t=(60|59)$`));
    }
    h.sandbox.clearLog();
    const { response, body } = await ask(gateway, asA);
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(response.headers.get('ratelimit')).toMatch(/^"default";r=0;t=\d+$/);
    expect(codes(body)).toEqual(['RATE_LIMITED']);
    expect(body.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(0);
    expect(h.sandbox.requests).toHaveLength(0);
    // Another caller (other credentials) has a bucket of its own.
    expect((await ask(gateway, asB)).response.status).toBe(200);
  });

  it('weighs a request by the upstream calls it made, at least one', async () => {
    const gateway = h.gatewayWith({ RATE_LIMIT: '10/60s' });
    // Two profiles (a GET each) and a page of workspaces: three calls; then a request that makes none.
    const three = `{ a: profile(id: "${P.demo}") { name } b: profile(id: "${P.google}") { name } workspaces(first: 1) { totalCount } }`;
    expect((await ask(gateway, asA, three)).response.headers.get('ratelimit')).toMatch(/r=7;/);
    expect((await ask(gateway, asA, '{ __typename }')).response.headers.get('ratelimit')).toMatch(/r=6;/);
  });

  it('gives a named client its own budget per caller, and a made-up client name no new bucket', async () => {
    const gateway = h.gatewayWith({ RATE_LIMIT: '2/60s', RATE_LIMIT_CLIENTS: 'web=4/60s' });
    const web = { ...asA, 'apollographql-client-name': 'web' };
    for (let i = 0; i < 4; i++) expect((await ask(gateway, web)).response.status).toBe(200);
    const refused = await ask(gateway, web);
    expect(refused.response.status).toBe(429);
    expect(refused.response.headers.get('ratelimit-policy')).toBe('"web";q=4;w=60');
    // The same client name from another caller spends that caller's bucket, not A's.
    expect((await ask(gateway, { ...asB, 'apollographql-client-name': 'web' })).response.status).toBe(200);
    // A's default bucket is its own; names it makes up share it.
    expect((await ask(gateway, { ...asA, 'apollographql-client-name': 'x1' })).response.status).toBe(200);
    expect((await ask(gateway, { ...asA, 'apollographql-client-name': 'x2' })).response.status).toBe(200);
    expect((await ask(gateway, { ...asA, 'apollographql-client-name': 'x3' })).response.status).toBe(429);
  });

  it('shares one limit between two replicas over one Redis', async () => {
    const env = { RATE_LIMIT: '3/60s', REDIS_URL: redis.url, RESPONSE_CACHE_SECRET: 's'.repeat(32) };
    const one = h.gatewayWith(env);
    const two = h.gatewayWith(env);
    await untilRedis('up', one, two);
    expect((await ask(one, asA)).response.status).toBe(200);
    expect((await ask(two, asA)).response.status).toBe(200);
    expect((await ask(one, asA)).response.status).toBe(200);
    expect((await ask(two, asA)).response.status).toBe(429);
    expect((await ask(one, asA)).response.status).toBe(429);
    expect((await ask(two, asB)).response.status).toBe(200);
  });

  it('serves, uncounted, while Redis is down, and counts that in rate_limit_decisions_total', async () => {
    const other = await startRedis();
    const gateway = h.gatewayWith({
      RATE_LIMIT: '1/60s',
      REDIS_URL: other.url,
      RESPONSE_CACHE_SECRET: 's'.repeat(32),
    });
    await untilRedis('up', gateway);
    expect((await ask(gateway, asA)).response.status).toBe(200);
    expect((await ask(gateway, asA)).response.status).toBe(429);
    await other.close();
    await untilRedis('down', gateway);
    for (let i = 0; i < 3; i++) {
      const { response } = await ask(gateway, asA);
      expect(response.status).toBe(200);
      expect(response.headers.get('ratelimit-policy')).toBe('"default";q=1;w=60');
    }
    const metrics = await (await gateway.fetch('http://gateway.test/metrics')).text();
    expect(metrics).toMatch(/rate_limit_decisions_total\{outcome="unavailable"\} 3/);
  });

  it('is off by default: no RateLimit headers', async () => {
    const { response } = await ask(h.gateway, asA);
    expect(response.headers.get('ratelimit-policy')).toBeNull();
    expect(response.headers.get('ratelimit')).toBeNull();
  });
});

describe('the windows one process keeps (no REDIS_URL)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('counts points in a fixed window, answered at once, and starts afresh when it ends', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: 1_000_000 });
    const windows = memoryWindows(60);
    expect(windows.take('a', 1)).toEqual({ consumedPoints: 1, msBeforeNext: 60_000 });
    vi.setSystemTime(1_030_000);
    expect(windows.take('a', 4)).toEqual({ consumedPoints: 5, msBeforeNext: 30_000 });
    expect(windows.take('b', 1)).toEqual({ consumedPoints: 1, msBeforeNext: 60_000 });
    vi.setSystemTime(1_060_000);
    expect(windows.take('a', 1)).toEqual({ consumedPoints: 1, msBeforeNext: 60_000 });
  });

  it('keeps at most its bound of callers, the least recently seen out first', () => {
    const windows = memoryWindows(60, 2);
    windows.take('a', 3);
    windows.take('b', 3);
    windows.take('a', 1);
    windows.take('c', 1);
    expect(windows.take('a', 1).consumedPoints).toBe(5);
    expect(windows.take('b', 1).consumedPoints).toBe(1);
  });
});
