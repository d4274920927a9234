// Single-flight across requests (UPSTREAM_DEDUPE, on by default): identical GETs in flight at once, sent
// with one credential, are one upstream call. Requests are made to overlap by holding the upstream
// (a latency fault) and sending the second request once the sandbox has the first one's call; no
// assertion is about time. Each test fails with its mechanism taken out (see the README, Caching).
import { describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway.js';
import { asDemo, codes, demo, type GraphQLResponse, post, useHarness } from '../support/harness.js';

const h = useHarness();
const P = demo.matatika.profileIds;
const profilePath = `/api/profiles/${encodeURIComponent(P.demo)}`;
const PROFILE = `{ profile(id: "${P.demo}") { name } }`;
/** Another token of the demo user: the same data, another credential. */
const asSession = { authorization: `Bearer ${demo.matatika.sessionTokens[0]}` };
const asUpsunServer = {};
const rename = (name: string) =>
  `mutation { upsertProfile(input: { profileId: "${P.demo}", name: "${name}" }) { created } }`;

/** Holds matatika's calls of `method` to `path` at the sandbox, so that requests sent meanwhile overlap. */
function hold(ms: number, method = 'GET', path: string = profilePath) {
  h.sandbox.inject({ source: 'matatika', method, path, fault: { latencyMs: ms } });
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting until ${what}`);
}

/** Once the sandbox has received `n` calls of `source`: the leader's call is then in flight. */
const untilCalls = (n: number, source = 'matatika') =>
  until(() => h.calls(source).length >= n, `the sandbox has ${n} ${source} calls`);

async function metric(gateway: Gateway, series: string): Promise<number> {
  const text = await (await gateway.fetch('http://gateway.test/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

const SHARED = 'upstream_calls_saved_total{loader="matatika",reason="in_flight"}';

/** Once `count` more requests than `before` have joined a call in flight. */
const untilJoined = (gateway: Gateway, before: number, count = 1) =>
  until(async () => (await metric(gateway, SHARED)) >= before + count, 'a request joined the call');

/** A GraphQL POST whose client can leave (abort); resolves to null when it did. */
function leaving(gateway: Gateway, query: string, signal: AbortSignal, headers = asDemo) {
  return Promise.resolve(
    gateway.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query }),
      signal,
    }),
  )
    .then((response) => response.json() as Promise<GraphQLResponse>)
    .catch(() => null);
}

describe('identical GETs in flight at once are one call', () => {
  it('two requests racing with one credential make one call, and both answer it', async () => {
    hold(400);
    const first = post(h.gateway, PROFILE);
    await untilCalls(1);
    const second = post(h.gateway, PROFILE);
    const [a, b] = await Promise.all([first, second]);
    expect(a.errors).toBeUndefined();
    expect(b).toEqual(a);
    expect(h.calls()).toEqual([`GET ${profilePath}`]);
  });

  it('two credentials make two calls, even for the same user and the same answer', async () => {
    hold(400);
    const first = post(h.gateway, PROFILE);
    await untilCalls(1);
    const second = post(h.gateway, PROFILE, { headers: asSession });
    const [a, b] = await Promise.all([first, second]);
    expect(b).toEqual(a);
    expect(h.calls()).toEqual([`GET ${profilePath}`, `GET ${profilePath}`]);
    const bearers = h.sandbox.requests.map((r) => r.headers.authorization);
    expect(bearers).toEqual([asDemo.authorization, asSession.authorization]);
  });

  it('UPSTREAM_DEDUPE=0 turns it off', async () => {
    const gateway = h.gatewayWith({ UPSTREAM_DEDUPE: '0' });
    hold(400);
    const first = post(gateway, PROFILE);
    await untilCalls(1);
    await Promise.all([first, post(gateway, PROFILE)]);
    expect(h.calls()).toEqual([`GET ${profilePath}`, `GET ${profilePath}`]);
  });

  it('never shares a write', async () => {
    hold(400, 'PUT');
    const first = post(h.gateway, rename('Shared Write'));
    await untilCalls(1);
    const [a, b] = await Promise.all([first, post(h.gateway, rename('Shared Write'))]);
    expect([a.errors, b.errors]).toEqual([undefined, undefined]);
    expect(h.calls()).toEqual([`PUT ${profilePath}`, `PUT ${profilePath}`]);
  });

  it('each request counts the shared call against its own budget, and the metrics count what was shared', async () => {
    const before = await metric(h.gateway, SHARED);
    hold(400);
    const withCost = { ...asDemo, 'x-gateway-cost': '1' };
    const first = post(h.gateway, PROFILE, { headers: withCost });
    await untilCalls(1);
    const [a, b] = await Promise.all([first, post(h.gateway, PROFILE, { headers: withCost })]);
    const actual = (r: GraphQLResponse) =>
      (r as { extensions?: { cost?: { actualCalls?: number } } }).extensions;
    expect(actual(a)?.cost?.actualCalls).toBe(1);
    expect(actual(b)?.cost?.actualCalls).toBe(1);
    expect(await metric(h.gateway, SHARED)).toBe(before + 1);
    expect(h.calls()).toHaveLength(1);
  });
});

describe('each request keeps its own deadline and its own abort', () => {
  it("a joiner's client leaving leaves the leader's answer intact", async () => {
    const before = await metric(h.gateway, SHARED);
    hold(500);
    const first = post(h.gateway, PROFILE);
    await untilCalls(1);
    const controller = new AbortController();
    const second = leaving(h.gateway, PROFILE, controller.signal);
    await untilJoined(h.gateway, before);
    controller.abort();
    await second;
    const a = await first;
    expect(a.errors).toBeUndefined();
    expect(a.data).toEqual({ profile: { name: expect.any(String) } });
    expect(h.calls()).toEqual([`GET ${profilePath}`]);
  });

  it("the leader's client leaving leaves the joiner's answer intact", async () => {
    const before = await metric(h.gateway, SHARED);
    hold(500);
    const controller = new AbortController();
    const first = leaving(h.gateway, PROFILE, controller.signal);
    await untilCalls(1);
    const second = post(h.gateway, PROFILE);
    await untilJoined(h.gateway, before);
    controller.abort();
    await first;
    const b = await second;
    expect(b.errors).toBeUndefined();
    expect(b.data).toEqual({ profile: { name: expect.any(String) } });
    expect(h.calls()).toEqual([`GET ${profilePath}`]);
  });

  it("the leader's deadline passing leaves the joiner, whose deadline is later, its answer", async () => {
    // The leader's deadline (2 s) passes while the upstream holds the call (3 s); the joiner, sent 1.5 s
    // later, has until 3.5 s. Wide margins: the assertion is on outcomes, not on time.
    const gateway = h.gatewayWith({ REQUEST_TIMEOUT_MS: '2000' });
    hold(3000);
    const first = post(gateway, PROFILE);
    await untilCalls(1);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const second = post(gateway, PROFILE);
    const [a, b] = await Promise.all([first, second]);
    expect(codes(a)).toEqual(['UPSTREAM_TIMEOUT']);
    expect(b.errors).toBeUndefined();
    expect(b.data).toEqual({ profile: { name: expect.any(String) } });
    expect(h.calls()).toEqual([`GET ${profilePath}`]);
  });
});

describe('what is never shared', () => {
  it("a read after its caller's write does not join a read in flight from before the write", async () => {
    hold(600);
    const before = post(h.gateway, PROFILE);
    await untilCalls(1);
    expect((await post(h.gateway, rename('After The Write'))).errors).toBeUndefined();
    const after = await post(h.gateway, PROFILE);
    await before;
    expect(after.data).toEqual({ profile: { name: 'After The Write' } });
    expect(h.calls()).toEqual([`GET ${profilePath}`, `PUT ${profilePath}`, `GET ${profilePath}`]);
  });

  it('the retry after a 401 with a renewed token goes alone, one per request', async () => {
    const QUERY = `{ userProfile(id: "${demo.upsun.profileIds.demo}") { upstreamId } }`;
    const gateway = h.gatewayWith({ UPSUN_API_TOKEN: demo.upsun.apiToken });
    await post(gateway, QUERY, { headers: asUpsunServer });
    h.sandbox.revokeUpsunTokens();
    h.sandbox.clearLog();
    // The first call (which both requests share) is held, and answers 401: the token was revoked.
    h.sandbox.inject({ source: 'upsun', fault: { latencyMs: 400, times: 1 } });
    const first = post(gateway, QUERY, { headers: asUpsunServer });
    await untilCalls(1, 'upsun');
    const [a, b] = await Promise.all([first, post(gateway, QUERY, { headers: asUpsunServer })]);
    expect([a.errors, b.errors]).toEqual([undefined, undefined]);
    expect(h.sandbox.requests.map((r) => `${r.source} ${r.status}`)).toEqual([
      'upsun 401',
      'upsun-auth 200',
      'upsun 200',
      'upsun 200',
    ]);
  });
});
