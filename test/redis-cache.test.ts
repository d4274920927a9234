import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asDemo, demo, post, useHarness } from './harness.js';
import { type RedisServer, startRedis } from './redis.js';

const h = useHarness();
let redis: RedisServer;
let inspect: Redis;
beforeAll(async () => {
  redis = await startRedis();
  inspect = new Redis(redis.url);
});
afterAll(async () => {
  inspect.disconnect();
  await redis.close();
});

const SECRET = 'a-response-cache-secret-of-32-chars-or-more';
const ALL_CREDENTIALS = {
  authorization: `Bearer ${demo.matatika.tokens.demo}`,
  'x-cadenya-authorization': `Bearer ${demo.cadenya.tokens.admin}`,
  'x-moltaro-authorization': `Bearer ${demo.moltaro.tokens.demo}`,
  'x-upsun-authorization': `Bearer ${demo.upsun.accessToken}`,
};
const WIDE = `{
  profile(id: "${demo.matatika.profileIds.demo}") { name }
  accountProfiles(first: 2) { edges { node { name } } }
  workspaceAccountProfile { userName }
  userProfiles(first: 2) { edges { node { displayName } } }
}`;

/** Two gateways sharing the test's Redis, as two replicas would. */
function replicas() {
  const env = { REDIS_URL: redis.url, RESPONSE_CACHE_TTL_MS: '60000', RESPONSE_CACHE_SECRET: SECRET };
  return [h.gatewayWith(env), h.gatewayWith(env)] as const;
}

describe('the response cache and the APQ registry in Redis (REDIS_URL, a real redis-server)', () => {
  it('serves one replica’s cached answer from the other, to the same caller only', async () => {
    const [a, b] = replicas();
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
    const [a] = replicas();
    await post(a, WIDE, { headers: ALL_CREDENTIALS });
    const keys = await inspect.keys('*');
    expect(keys.length).toBeGreaterThan(0);
    const contents: string[] = [...keys];
    for (const key of keys) {
      const type = await inspect.type(key);
      if (type === 'string') contents.push((await inspect.get(key)) ?? '');
      if (type === 'set') contents.push(...(await inspect.smembers(key)));
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
    const [a, b] = replicas();
    const query = `{ profile(id: "${demo.matatika.profileIds.demo}") { name } }`;
    await post(b, query);
    await post(b, query);
    expect(h.calls()).toHaveLength(1);
    await post(
      a,
      `mutation { upsertProfile(input: { profileId: "${demo.matatika.profileIds.demo}", name: "Via A" }) { created } }`,
    );
    expect(await post(b, query)).toEqual({ data: { profile: { name: 'Via A' } } });
    expect(h.calls()).toHaveLength(3);
  });

  it('keeps answering, uncached, while Redis is down', async () => {
    const own = await startRedis();
    const g = h.gatewayWith({
      REDIS_URL: own.url,
      RESPONSE_CACHE_TTL_MS: '60000',
      RESPONSE_CACHE_SECRET: SECRET,
    });
    const query = `{ profile(id: "${demo.matatika.profileIds.demo}") { upstreamId } }`;
    expect((await post(g, query)).errors).toBeUndefined();
    await own.close();
    const down = await post(g, query, { headers: asDemo });
    expect(down).toEqual({ data: { profile: { upstreamId: demo.matatika.profileIds.demo } } });
    expect(h.calls()).toHaveLength(2);
  });
});
