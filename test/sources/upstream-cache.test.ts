// The upstream HTTP cache in memory (UPSTREAM_CACHE=memory): RFC 9111 as http-cache-semantics reads
// it, private to the credential sent, and dropped by a write for its caller. The sandbox sends
// Cache-Control and ETag only when a test asks (setCaching), and its log shows every conditional GET
// and 304. Each test fails with its mechanism taken out (see the README, Caching).
import { describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway.js';
import { memoryUpstreamStore } from '../../src/stores/upstream-store.js';
import { asDemo, demo, post, useHarness } from '../support/harness.js';

const h = useHarness();
const P = demo.matatika.profileIds;
const W = demo.matatika.workspaceIds;
const profilePath = `/api/profiles/${encodeURIComponent(P.demo)}`;
const PROFILE = `{ profile(id: "${P.demo}") { name } }`;
const WORKSPACES = '{ workspaces(first: 10) { edges { node { upstreamId isDefault } } } }';
const MEMBERS = `{ workspace(id: "${W.ready}") { members(first: 50) { edges { node { upstreamId name } } } } }`;
const asSession = { authorization: `Bearer ${demo.matatika.sessionTokens[0]}` };
const rename = (name: string) =>
  `mutation { upsertProfile(input: { profileId: "${P.demo}", name: "${name}" }) { created } }`;
const setDefault = (workspaceId: string) =>
  `mutation { setDefaultWorkspace(input: { profileId: "${P.demo}", workspaceId: "${workspaceId}" }) { profile { id } } }`;

const cached = () => h.gatewayWith({ UPSTREAM_CACHE: 'memory' });
/** What the sandbox was asked and answered, with the validator each call sent. */
const log = () =>
  h.sandbox.requests.map((r) => ({
    call: `${r.method} ${r.path}`,
    status: r.status,
    ifNoneMatch: r.headers['if-none-match'],
  }));

async function metric(gateway: Gateway, series: string): Promise<number> {
  const text = await (await gateway.fetch('http://gateway.test/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}
const lookups = (outcome: string) => `upstream_cache_lookups_total{source="matatika",outcome="${outcome}"}`;

describe('freshness and revalidation, as the upstream says', () => {
  it('max-age: a second read within it makes no call', async () => {
    const gateway = cached();
    h.sandbox.setCaching({ maxAge: 60, etag: true });
    const a = await post(gateway, PROFILE);
    const b = await post(gateway, PROFILE);
    expect(a.errors).toBeUndefined();
    expect(b).toEqual(a);
    expect(log()).toEqual([{ call: `GET ${profilePath}`, status: 200, ifNoneMatch: undefined }]);
    expect(await metric(gateway, lookups('miss'))).toBe(1);
    expect(await metric(gateway, lookups('hit'))).toBe(1);
    expect(await metric(gateway, 'upstream_cache_stores_total{source="matatika"}')).toBe(1);
  });

  it('no-cache with an ETag: every read revalidates, and a 304 costs a round trip but no body', async () => {
    const gateway = cached();
    h.sandbox.setCaching({ etag: true });
    const a = await post(gateway, PROFILE);
    const b = await post(gateway, PROFILE);
    expect(b).toEqual(a);
    const calls = log();
    // The ETag the sandbox gives this answer, asked directly: the validator the gateway sent.
    const direct = await fetch(`${h.sandbox.urlOf('matatika')}${profilePath}`, { headers: asDemo });
    expect(calls).toEqual([
      { call: `GET ${profilePath}`, status: 200, ifNoneMatch: undefined },
      { call: `GET ${profilePath}`, status: 304, ifNoneMatch: direct.headers.get('etag') },
    ]);
    expect(await metric(gateway, lookups('revalidated'))).toBe(1);
  });

  it('a changed resource answers its revalidation in full, and the new answer is served', async () => {
    const gateway = cached();
    h.sandbox.setCaching({ etag: true });
    await post(gateway, PROFILE);
    await post(h.gateway, rename('Changed Elsewhere'), { headers: asDemo });
    const b = await post(gateway, PROFILE);
    expect(b.data).toEqual({ profile: { name: 'Changed Elsewhere' } });
    expect(log().map((l) => l.status)).toEqual([200, 200, 200]);
    expect(log()[2]?.ifNoneMatch).toEqual(expect.any(String));
  });

  it('no-store: nothing is kept, whatever max-age says', async () => {
    const gateway = cached();
    h.sandbox.setCaching({ maxAge: 60, etag: true });
    h.sandbox.inject({
      source: 'matatika',
      path: profilePath,
      fault: { headers: { 'cache-control': 'private, max-age=60, no-store' } },
    });
    await post(gateway, PROFILE);
    await post(gateway, PROFILE);
    expect(log()).toEqual([
      { call: `GET ${profilePath}`, status: 200, ifNoneMatch: undefined },
      { call: `GET ${profilePath}`, status: 200, ifNoneMatch: undefined },
    ]);
  });

  it('Vary: an answer is reused only for a request that sends the same values of the headers it names', async () => {
    const gateway = cached();
    h.sandbox.setCaching({ maxAge: 60, etag: true });
    // Every request carries its own x-request-id: an answer varying on it never matches another request.
    const rule = {
      source: 'matatika' as const,
      path: profilePath,
      fault: { headers: { vary: 'x-request-id' } },
    };
    const remove = h.sandbox.inject(rule);
    await post(gateway, PROFILE);
    await post(gateway, PROFILE);
    expect(log().map((l) => [l.status, l.ifNoneMatch])).toEqual([
      [200, undefined],
      [200, undefined],
    ]);
    // Every request sends the same Accept: an answer varying on it is reused.
    remove();
    h.sandbox.inject({ ...rule, path: `/api/workspaces/${W.ready}`, fault: { headers: { vary: 'accept' } } });
    const WORKSPACE = `{ workspace(id: "${W.ready}") { name status } }`;
    await post(gateway, WORKSPACE);
    await post(gateway, WORKSPACE);
    expect(h.calls().filter((c) => c.startsWith('GET /api/workspaces/'))).toHaveLength(1);
  });

  it('is off unless UPSTREAM_CACHE says where', async () => {
    h.sandbox.setCaching({ maxAge: 60, etag: true });
    await post(h.gateway, PROFILE);
    await post(h.gateway, PROFILE);
    expect(h.calls()).toEqual([`GET ${profilePath}`, `GET ${profilePath}`]);
  });
});

describe('private to the credential; a write drops what it changed for its caller', () => {
  it('two credentials never share an entry, even for the same user and the same answer', async () => {
    const gateway = cached();
    h.sandbox.setCaching({ maxAge: 60, etag: true });
    const a = await post(gateway, PROFILE);
    const b = await post(gateway, PROFILE, { headers: asSession });
    await post(gateway, PROFILE);
    await post(gateway, PROFILE, { headers: asSession });
    expect(b).toEqual(a);
    expect(h.sandbox.requests.map((r) => r.headers.authorization)).toEqual([
      asDemo.authorization,
      asSession.authorization,
    ]);
  });

  it('upsertProfile: its caller reads the new name at once, in the profile and in member lists', async () => {
    const gateway = cached();
    h.sandbox.setCaching({ maxAge: 60, etag: true });
    await post(gateway, PROFILE);
    await post(gateway, MEMBERS);
    expect((await post(gateway, rename('Read Your Write'))).errors).toBeUndefined();
    expect((await post(gateway, PROFILE)).data).toEqual({ profile: { name: 'Read Your Write' } });
    const members = await post<{
      workspace: { members: { edges: Array<{ node: { upstreamId: string; name: string } }> } };
    }>(gateway, MEMBERS);
    const me = members.data?.workspace.members.edges.find((e) => e.node.upstreamId === P.demo);
    expect(me?.node.name).toBe('Read Your Write');
    expect(h.calls()).toEqual([
      `GET ${profilePath}`,
      `GET /api/workspaces/${W.ready}/members`,
      `PUT ${profilePath}`,
      `GET ${profilePath}`,
      `GET /api/workspaces/${W.ready}/members`,
    ]);
  });

  it('setDefaultWorkspace: its caller reads every isDefault anew', async () => {
    const gateway = cached();
    h.sandbox.setCaching({ maxAge: 60, etag: true });
    type Page = { workspaces: { edges: Array<{ node: { upstreamId: string; isDefault: boolean } }> } };
    const defaults = async () =>
      (await post<Page>(gateway, WORKSPACES)).data?.workspaces.edges
        .filter((e) => e.node.isDefault)
        .map((e) => e.node.upstreamId);
    expect(await defaults()).toEqual([W.ready]);
    expect((await post(gateway, setDefault(W.failed))).errors).toBeUndefined();
    expect(await defaults()).toEqual([W.failed]);
    expect(h.calls().filter((c) => c.startsWith('GET /api/workspaces?'))).toHaveLength(2);
  });

  it('another caller keeps reading their own entry until its max-age (the documented staleness)', async () => {
    const gateway = cached();
    h.sandbox.setCaching({ maxAge: 60, etag: true });
    const before = await post(gateway, PROFILE, { headers: asSession });
    await post(gateway, rename('Seen Later By Others'));
    expect(await post(gateway, PROFILE, { headers: asSession })).toEqual(before);
    expect(h.calls()).toEqual([`GET ${profilePath}`, `PUT ${profilePath}`]);
  });
});

describe('the memory store', () => {
  it('is bounded in bytes, least recently used first out, and a write drops its index at once', async () => {
    const store = memoryUpstreamStore(100_000);
    const entry = (bytes: number) => ({ policy: { v: 1 } as never, body: { bytes }, bytes });
    await store.set('a', entry(40_000), 60_000, 'caller:/x');
    await store.set('b', entry(40_000), 60_000, 'caller:/y');
    await store.get('a');
    await store.set('c', entry(40_000), 60_000, 'caller:/x');
    expect([await store.get('a'), await store.get('b'), await store.get('c')].map((e) => e !== null)).toEqual(
      [true, false, true],
    );
    await store.forget(['caller:/x']);
    expect([await store.get('a'), await store.get('c')]).toEqual([null, null]);
  });
});
