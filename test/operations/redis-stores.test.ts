import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway.js';
import { createLogger } from '../../src/logger.js';
import { RedisLink } from '../../src/stores/redis.js';
import { asDemo, demo, post, useHarness } from '../support/harness.js';
import { startRedis, untilRedis, useRedis } from '../support/redis.js';

const h = useHarness();
const redis = useRedis();

const SECRET = 'a-response-cache-secret-of-32-chars-or-more';
const ALL_CREDENTIALS = {
  authorization: `Bearer ${demo.matatika.tokens.demo}`,
  'x-cadenya-authorization': `Bearer ${demo.cadenya.tokens.admin}`,
  'x-moltaro-authorization': `Bearer ${demo.moltaro.tokens.demo}`,
  'x-upsun-authorization': `Bearer ${demo.upsun.accessToken}`,
};
const asOther = { authorization: `Bearer ${demo.matatika.tokens.other}` };
const WIDE = `{
  profile(id: "${demo.matatika.profileIds.demo}") { name }
  accountProfiles(first: 2) { edges { node { name } } }
  workspaceAccountProfile { userName }
  userProfiles(first: 2) { edges { node { displayName } } }
}`;
const PROFILE_NAME = `{ profile(id: "${demo.matatika.profileIds.demo}") { name } }`;
const rename = (name: string) =>
  `mutation { upsertProfile(input: { profileId: "${demo.matatika.profileIds.demo}", name: "${name}" }) { created } }`;

/** A gateway with the response cache in `url`'s Redis, once its connection is ready. */
async function cachedGateway(url: string, env: Record<string, string> = {}) {
  const g = h.gatewayWith({
    REDIS_URL: url,
    RESPONSE_CACHE_TTL_MS: '60000',
    RESPONSE_CACHE_SECRET: SECRET,
    ...env,
  });
  await untilRedis('up', g);
  return g;
}

/** Two gateways sharing the test's Redis, as two replicas would. */
async function replicas() {
  return [await cachedGateway(redis.server.url), await cachedGateway(redis.server.url)] as const;
}

/** The value of one series of the gateway's metrics (0 when it has none yet). */
async function metric(gateway: Gateway, series: string): Promise<number> {
  const text = await (await gateway.fetch('http://gateway.test/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** Calls per command since the last CONFIG RESETSTAT, from the server's own INFO commandstats. */
async function commandCalls(client: Redis): Promise<Record<string, number>> {
  const info = await client.info('commandstats');
  return Object.fromEntries(
    [...info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)].map((m) => [m[1], Number(m[2])]),
  );
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting until ${what}`);
}

describe('the response cache and the APQ registry in Redis (REDIS_URL, a real redis-server)', () => {
  it('serves one replica’s cached answer from the other, to the same caller only', async () => {
    const [a, b] = await replicas();
    const fromA = await post(a, WIDE, { headers: ALL_CREDENTIALS });
    expect(fromA.errors).toBeUndefined();
    const callsAfterA = h.sandbox.requests.length;
    expect(await post(b, WIDE, { headers: ALL_CREDENTIALS })).toEqual(fromA);
    expect(h.sandbox.requests).toHaveLength(callsAfterA);
    // Another matatika caller, same other credentials: its own entry, its own calls.
    await post(b, WIDE, {
      headers: { ...ALL_CREDENTIALS, authorization: `Bearer ${demo.matatika.tokens.outsider}` },
    });
    expect(h.sandbox.requests.length).toBeGreaterThan(callsAfterA);
  });

  it('stores no credential in clear: not in a key, not in a value', async () => {
    const [a] = await replicas();
    await post(a, WIDE, { headers: ALL_CREDENTIALS });
    const keys = await redis.inspect.keys('*');
    expect(keys.length).toBeGreaterThan(0);
    const contents: string[] = [...keys];
    for (const key of keys) {
      const type = await redis.inspect.type(key);
      if (type === 'string') contents.push((await redis.inspect.get(key)) ?? '');
      if (type === 'set') contents.push(...(await redis.inspect.smembers(key)));
      if (type === 'zset') contents.push(...(await redis.inspect.zrange(key, 0, -1)));
    }
    const text = contents.join('\n');
    for (const token of [
      demo.matatika.tokens.demo,
      demo.cadenya.tokens.admin,
      demo.moltaro.tokens.demo,
      demo.upsun.accessToken,
    ]) {
      expect(text).not.toContain(token);
      // Not as a bare hash either: the scope is an HMAC under RESPONSE_CACHE_SECRET.
      expect(text).not.toContain(createHash('sha256').update(token).digest('hex'));
      expect(text).not.toContain(createHash('sha256').update(token).digest('base64url'));
    }
  });

  it('drops the other replica’s cached answer when a mutation goes through one', async () => {
    const [a, b] = await replicas();
    await post(b, PROFILE_NAME);
    await post(b, PROFILE_NAME);
    expect(h.calls()).toHaveLength(1);
    await post(a, rename('Via A'));
    expect(await post(b, PROFILE_NAME)).toEqual({ data: { profile: { name: 'Via A' } } });
    expect(h.calls()).toHaveLength(3);
  });

  it('drops a colleague’s cached member list on every replica when a member renames their profile', async () => {
    const [a, b] = await replicas();
    const members = `{ workspace(id: "${demo.matatika.workspaceIds.provisioning}") { members { edges { node { upstreamId name } } } } }`;
    type Members = {
      workspace: { members: { edges: Array<{ node: { upstreamId: string; name: string } }> } };
    };
    const nameOfDemo = (r: { data?: Members | null }) =>
      r.data?.workspace.members.edges.find((e) => e.node.upstreamId === demo.matatika.profileIds.demo)?.node
        .name;
    expect(nameOfDemo(await post<Members>(b, members, { headers: asOther }))).toBe('sit+prod@meltano.com');
    await post(b, members, { headers: asOther });
    expect(h.calls()).toHaveLength(1);
    expect((await post(a, rename('Renamed on A'))).errors).toBeUndefined();
    expect(nameOfDemo(await post<Members>(b, members, { headers: asOther }))).toBe('Renamed on A');
  });

  it('reads Redis once per request, miss or hit', async () => {
    const g = await cachedGateway(`${redis.server.url}/1`);
    await redis.inspect.config('RESETSTAT');
    await post(g, PROFILE_NAME);
    expect((await commandCalls(redis.inspect)).get).toBe(1);
    await post(g, PROFILE_NAME);
    expect((await commandCalls(redis.inspect)).get).toBe(2);
    expect(h.calls()).toHaveLength(1);
  });

  it('with Redis stopped, refuses its commands unsent, reports it on /readyz and counts it', async () => {
    const own = await startRedis();
    const g = await cachedGateway(own.url);
    const query = `{ profile(id: "${demo.matatika.profileIds.demo}") { upstreamId } }`;
    expect((await post(g, query)).errors).toBeUndefined();
    await own.close();
    await untilRedis('down', g);

    for (let i = 0; i < 3; i++) {
      const down = await post(g, query, { headers: asDemo });
      expect(down).toEqual({ data: { profile: { upstreamId: demo.matatika.profileIds.demo } } });
    }
    expect(h.calls()).toHaveLength(4);
    // One read per request, each refused without being sent: nothing waited for an answer.
    expect(await metric(g, 'response_cache_lookups_total{outcome="error"}')).toBe(3);
    expect(await metric(g, 'response_cache_store_errors_total{operation="get",reason="unavailable"}')).toBe(
      3,
    );
    expect(await metric(g, 'response_cache_store_errors_total{operation="get",reason="timeout"}')).toBe(0);

    g.markReady();
    const ready = await g.fetch('http://gateway.test/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'degraded', stores: { redis: 'down' } });
  });

  it('with Redis hung, waits out one command timeout, then skips Redis until a probe answers', async () => {
    const own = await startRedis();
    const g = await cachedGateway(own.url);
    await post(g, PROFILE_NAME);
    await post(g, PROFILE_NAME);
    expect(h.calls()).toHaveLength(1);
    own.pause();
    for (let i = 0; i < 3; i++) {
      expect(await post(g, PROFILE_NAME)).toEqual({ data: { profile: { name: 'sit+prod@meltano.com' } } });
    }
    expect(h.calls()).toHaveLength(4);
    expect(await metric(g, 'response_cache_store_errors_total{operation="get",reason="timeout"}')).toBe(1);
    expect(await metric(g, 'response_cache_store_errors_total{operation="get",reason="unavailable"}')).toBe(
      2,
    );

    own.resume();
    await untilRedis('up', g);
    // The entry cached before the pause is served again.
    await post(g, PROFILE_NAME);
    expect(h.calls()).toHaveLength(4);
    await own.close();
  });

  it('does not leave the caller of a mutation whose invalidation timed out reading the old value', async () => {
    const own = await startRedis();
    const g = await cachedGateway(own.url);
    await post(g, PROFILE_NAME);
    await post(g, PROFILE_NAME);
    expect(h.calls()).toHaveLength(1);

    own.pause();
    expect((await post(g, rename('Renamed while Redis hung'))).errors).toBeUndefined();
    own.resume();
    const renamed = { data: { profile: { name: 'Renamed while Redis hung' } } };
    expect(await post(g, PROFILE_NAME)).toEqual(renamed);

    // Once a retry of the invalidation succeeds, the caller is served from the cache again.
    await until(
      async () => (await metric(g, 'response_cache_bypassed_callers')) === 0,
      'the invalidation is retried',
    );
    await post(g, PROFILE_NAME);
    const calls = h.calls().length;
    expect(await post(g, PROFILE_NAME)).toEqual(renamed);
    expect(h.calls()).toHaveLength(calls);
    await own.close();
  });

  it('leaves no key without a TTL, runs no KEYS, and is empty once the TTL has passed', async () => {
    const db = `${redis.server.url}/2`;
    const store = new Redis(db);
    const g = await cachedGateway(db, { RESPONSE_CACHE_TTL_MS: '1000' });
    await redis.inspect.config('RESETSTAT');
    for (let i = 0; i < 100; i++) {
      const query = `{${' '.repeat(i)}workspaces(first: 5) { edges { node { upstreamId name isDefault } } } }`;
      expect((await post(g, query)).errors).toBeUndefined();
    }
    await post(
      g,
      `{ workspace(id: "${demo.matatika.workspaceIds.provisioning}") { members { edges { node { name } } } } }`,
    );
    await post(g, PROFILE_NAME);
    const mutation = await post(
      g,
      `mutation { setDefaultWorkspace(input: { profileId: "${demo.matatika.profileIds.demo}", workspaceId: "${demo.matatika.workspaceIds.failed}" }) { profile { upstreamId } } }`,
    );
    expect(mutation.errors).toBeUndefined();
    await post(g, rename('Renamed'));
    // Refill after the invalidations, so that entries and their index sets are there to expire.
    await post(g, '{ workspaces(first: 5) { edges { node { upstreamId name isDefault } } } }');

    expect((await commandCalls(redis.inspect)).keys).toBeUndefined();
    const keys = await store.keys('*');
    expect(keys.length).toBeGreaterThan(3);
    const ttls = await Promise.all(keys.map((key) => store.pttl(key)));
    expect(ttls.filter((ttl) => ttl < 0)).toEqual([]);

    await until(async () => (await store.dbsize()) === 0, 'every key has expired');
    store.disconnect();
  });

  it('keeps the APQ registry bounded: the newest registrations, each with a TTL', async () => {
    const link = new RedisLink(`${redis.server.url}/3`, createLogger('silent'));
    const store = new Redis(`${redis.server.url}/3`);
    const { redisOperationStore } = await import('../../src/stores/operation-store.js');
    const registry = redisOperationStore(link, createLogger('silent'), { maxEntries: 3, ttlMs: 60_000 });
    await until(async () => link.state === 'up', 'connected');
    const hashes = ['a', 'b', 'c', 'd', 'e'].map((x) => createHash('sha256').update(x).digest('hex'));
    for (const [i, hash] of hashes.entries()) await registry.set(hash, `{ q${i} }`);

    expect(await Promise.all(hashes.map((hash) => registry.get(hash)))).toEqual([
      null,
      null,
      '{ q2 }',
      '{ q3 }',
      '{ q4 }',
    ]);
    const keys = await store.keys('*');
    expect(keys.sort()).toEqual(['apq:index', ...hashes.slice(2).map((hash) => `apq:${hash}`)].sort());
    for (const key of keys) {
      const ttl = await store.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    }
    store.disconnect();
    await link.close();
  });
});
