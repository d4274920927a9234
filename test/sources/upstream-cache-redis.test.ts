// The upstream HTTP cache in Redis (UPSTREAM_CACHE=redis), over the gateway's one connection to a real
// redis-server: two gateways sharing it are two replicas. Each test fails with its mechanism taken out.
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway.js';
import { asDemo, demo, post, useHarness } from '../support/harness.js';
import { startRedis, untilRedis, useRedis } from '../support/redis.js';

const h = useHarness();
const redis = useRedis();
beforeEach(async () => {
  await redis.inspect.flushall();
});

const SECRET = 'an-upstream-cache-secret-of-32-chars-or-more';
const P = demo.matatika.profileIds;
const W = demo.matatika.workspaceIds;
const profilePath = `/api/profiles/${encodeURIComponent(P.demo)}`;
const PROFILE = `{ profile(id: "${P.demo}") { name } }`;
const READS = `{
  profile(id: "${P.demo}") { name }
  workspaces(first: 10) { edges { node { upstreamId isDefault } } }
  workspace(id: "${W.ready}") { members(first: 50) { edges { node { name profile { email } } } } }
}`;
const asSession = { authorization: `Bearer ${demo.matatika.sessionTokens[0]}` };
const rename = (name: string) =>
  `mutation { upsertProfile(input: { profileId: "${P.demo}", name: "${name}" }) { created } }`;

/** A gateway whose upstream cache is in `url`'s Redis, once its connection is ready. */
async function replica(url = redis.server.url): Promise<Gateway> {
  const g = h.gatewayWith({ UPSTREAM_CACHE: 'redis', REDIS_URL: url, RESPONSE_CACHE_SECRET: SECRET });
  await untilRedis('up', g);
  return g;
}

async function metric(gateway: Gateway, series: string): Promise<number> {
  const text = await (await gateway.fetch('http://gateway.test/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('the upstream HTTP cache in Redis (a real redis-server)', () => {
  it("two replicas share it: one's answer serves the same credential on the other, and no other", async () => {
    const [a, b] = [await replica(), await replica()];
    h.sandbox.setCaching({ maxAge: 60, etag: true });
    const fromA = await post(a, PROFILE);
    expect(fromA.errors).toBeUndefined();
    expect(await post(b, PROFILE)).toEqual(fromA);
    expect(h.calls()).toEqual([`GET ${profilePath}`]);
    expect(await metric(b, 'upstream_cache_lookups_total{source="matatika",outcome="hit"}')).toBe(1);
    expect(await post(b, PROFILE, { headers: asSession })).toEqual(fromA);
    expect(h.calls()).toEqual([`GET ${profilePath}`, `GET ${profilePath}`]);
  });

  it('revalidates across replicas: the other replica sends the stored ETag and gets a 304', async () => {
    const [a, b] = [await replica(), await replica()];
    h.sandbox.setCaching({ etag: true });
    const fromA = await post(a, PROFILE);
    expect(await post(b, PROFILE)).toEqual(fromA);
    expect(h.sandbox.requests.map((r) => [r.status, r.headers['if-none-match'] !== undefined])).toEqual([
      [200, false],
      [304, true],
    ]);
  });

  it('a write through one replica drops its caller’s entries for every replica', async () => {
    const [a, b] = [await replica(), await replica()];
    h.sandbox.setCaching({ maxAge: 60, etag: true });
    await post(b, PROFILE);
    expect((await post(a, rename('Written On A'))).errors).toBeUndefined();
    expect((await post(b, PROFILE)).data).toEqual({ profile: { name: 'Written On A' } });
    expect(h.calls()).toEqual([`GET ${profilePath}`, `PUT ${profilePath}`, `GET ${profilePath}`]);
  });

  it('every key has a TTL, and no key or value holds a credential, in clear or hashed', async () => {
    const g = await replica();
    h.sandbox.setCaching({ maxAge: 60, etag: true });
    for (const headers of [asDemo, asSession])
      expect((await post(g, READS, { headers })).errors).toBeUndefined();
    expect((await post(g, rename('Keys Expire'))).errors).toBeUndefined();
    await post(g, READS);
    const keys = await redis.inspect.keys('*');
    expect(keys.filter((k) => k.startsWith('uc:e:')).length).toBeGreaterThanOrEqual(6);
    expect(keys.filter((k) => k.startsWith('uc:i:')).length).toBeGreaterThan(0);
    const contents = [...keys];
    for (const key of keys) {
      expect([key, (await redis.inspect.pttl(key)) > 0]).toEqual([key, true]);
      if ((await redis.inspect.type(key)) === 'string') contents.push((await redis.inspect.get(key)) ?? '');
      else contents.push(...(await redis.inspect.smembers(key)));
    }
    const text = contents.join('\n');
    for (const token of [demo.matatika.tokens.demo, demo.matatika.sessionTokens[0] as string]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(createHash('sha256').update(token).digest('hex'));
      expect(text).not.toContain(createHash('sha256').update(token).digest('base64url'));
    }
  });

  it('with Redis stopped, every read is answered, as a miss, without waiting for it', async () => {
    const own = await startRedis();
    const g = await replica(own.url);
    h.sandbox.setCaching({ maxAge: 60, etag: true });
    expect((await post(g, PROFILE)).errors).toBeUndefined();
    await own.close();
    await untilRedis('down', g);
    for (let i = 0; i < 3; i++) expect((await post(g, PROFILE)).errors).toBeUndefined();
    expect(h.calls()).toHaveLength(4);
    expect(await metric(g, 'upstream_cache_lookups_total{source="matatika",outcome="error"}')).toBe(3);
  });
});
