import { describe, expect, it } from 'vitest';
import { asDemo, codes, demo, post, useHarness } from '../support/harness.js';

const h = useHarness({ RESPONSE_CACHE_TTL_MS: '60000' });
/** A gateway with an empty cache of its own, so that no test sees another's entries. */
function gateway(env: Record<string, string> = {}) {
  const g = h.gatewayWith(env);
  return <T = Record<string, unknown>>(query: string, headers: Record<string, string> = asDemo) =>
    post<T>(g, query, { headers });
}
const asOther = { authorization: `Bearer ${demo.matatika.tokens.other}` };
const asOutsider = { authorization: `Bearer ${demo.matatika.tokens.outsider}` };

type Workspaces = { workspaces: { edges: Array<{ node: { upstreamId: string; isDefault: boolean } }> } };
const WORKSPACES = '{ workspaces(first: 20) { totalCount edges { node { upstreamId isDefault } } } }';
const PROFILE = `{ profile(id: "${demo.matatika.profileIds.demo}") { upstreamId name defaultWorkspace { upstreamId } } }`;

describe('the response cache (RESPONSE_CACHE_TTL_MS, in memory)', () => {
  it('answers the same caller’s repeated operation without calling the upstream again', async () => {
    const gql = gateway();
    const first = await gql(WORKSPACES);
    const second = await gql(WORKSPACES);
    expect(second).toEqual(first);
    expect(h.calls()).toEqual(['GET /api/workspaces?page=0&size=20']);
  });

  it('never shares an entry between two callers, even for the same operation', async () => {
    const gql = gateway();
    const demoAnswer = await gql(WORKSPACES, asDemo);
    const otherAnswer = await gql(WORKSPACES, asOther);
    expect(otherAnswer).not.toEqual(demoAnswer);
    expect(h.calls()).toHaveLength(2);
    // Each now hits its own entry.
    expect(await gql(WORKSPACES, asOther)).toEqual(otherAnswer);
    expect(await gql(WORKSPACES, asDemo)).toEqual(demoAnswer);
    expect(h.calls()).toHaveLength(2);
  });

  it('keys on every source’s credential: another credential for any source is another entry', async () => {
    const gql = gateway();
    await gql(PROFILE);
    await gql(PROFILE, { ...asDemo, 'x-upsun-authorization': 'Bearer someone-else' });
    expect(h.calls()).toHaveLength(2);
  });

  it('never caches an answer that carries an error, whatever its code', async () => {
    const gql = gateway();
    h.sandbox.inject({ source: 'matatika', path: '/api/workspaces', fault: { status: 503, times: 2 } });
    const failed = await gql(WORKSPACES);
    expect(codes(failed)).toEqual(['UPSTREAM_UNAVAILABLE']);
    const healthy = await gql(WORKSPACES);
    expect(healthy.errors).toBeUndefined();
    expect(healthy.data).not.toEqual(failed.data);
    // Without a credential: UNAUTHENTICATED, from no call, twice; never replayed from the cache.
    const anonymous = await gql(PROFILE, {});
    expect(codes(anonymous)).toEqual(['UNAUTHENTICATED']);
    expect(codes(await gql(PROFILE, {}))).toEqual(['UNAUTHENTICATED']);
  });

  it('setDefaultWorkspace drops the profile and every workspace’s isDefault, and answers fresh', async () => {
    const gql = gateway();
    const before = await gql<Workspaces>(WORKSPACES);
    await gql(PROFILE);
    const target = demo.matatika.workspaceIds.failed;
    expect(before.data?.workspaces.edges.find((e) => e.node.upstreamId === target)?.node.isDefault).toBe(
      false,
    );
    const mutation = await gql(
      `mutation { setDefaultWorkspace(input: { profileId: "${demo.matatika.profileIds.demo}", workspaceId: "${target}" }) { profile { upstreamId } } }`,
    );
    expect(mutation.errors).toBeUndefined();
    h.sandbox.clearLog();
    const after = await gql<Workspaces>(WORKSPACES);
    const profile = await gql<{ profile: { defaultWorkspace: { upstreamId: string } } }>(PROFILE);
    expect(
      after.data?.workspaces.edges.filter((e) => e.node.isDefault).map((e) => e.node.upstreamId),
    ).toEqual([target]);
    expect(profile.data?.profile.defaultWorkspace.upstreamId).toBe(target);
    expect(h.calls()).toHaveLength(2);
  });

  it('upsertProfile drops every cached answer holding that profile, other callers’ included', async () => {
    const gql = gateway();
    const asOutsiderReadsDemo = await gql(PROFILE, asOutsider);
    expect(asOutsiderReadsDemo.errors).toBeUndefined();
    await gql(PROFILE, asOutsider);
    expect(h.calls()).toHaveLength(1);
    const mutation = await gql(
      `mutation { upsertProfile(input: { profileId: "${demo.matatika.profileIds.demo}", name: "Renamed" }) { created } }`,
    );
    expect(mutation.errors).toBeUndefined();
    const after = await gql<{ profile: { name: string } }>(PROFILE, asOutsider);
    expect(after.data?.profile.name).toBe('Renamed');
    expect(h.calls()).toHaveLength(3);
  });

  it('drops a colleague’s cached member list when a member renames their profile', async () => {
    const gql = gateway();
    const members = `{ workspace(id: "${demo.matatika.workspaceIds.provisioning}") { members { edges { node { upstreamId name } } } } }`;
    type Members = {
      workspace: { members: { edges: Array<{ node: { upstreamId: string; name: string } }> } };
    };
    const nameOfDemo = (r: { data?: Members | null }) =>
      r.data?.workspace.members.edges.find((e) => e.node.upstreamId === demo.matatika.profileIds.demo)?.node
        .name;
    // Caller B (another account's owner, a member of that workspace) caches the member list.
    const before = await gql<Members>(members, asOther);
    expect(nameOfDemo(before)).toBe('sit+prod@meltano.com');
    await gql(members, asOther);
    expect(h.calls()).toHaveLength(1);
    // Caller A renames themselves.
    const mutation = await gql(
      `mutation { upsertProfile(input: { profileId: "${demo.matatika.profileIds.demo}", name: "Renamed by A" }) { created } }`,
    );
    expect(mutation.errors).toBeUndefined();
    expect(nameOfDemo(await gql<Members>(members, asOther))).toBe('Renamed by A');
  });

  it('tells HTTP caches on the way that an answer is private to its caller', async () => {
    const g = h.gatewayWith({});
    const get = () =>
      g.fetch(`http://gateway.test/graphql?query=${encodeURIComponent(WORKSPACES)}`, { headers: asDemo });
    const first = await get();
    expect(first.headers.get('cache-control')).toBe('private, no-cache');
    expect(first.headers.get('etag')).toBeTruthy();
    const hit = await get();
    expect(hit.headers.get('cache-control')).toBe('private, no-cache');
    expect(await hit.json()).toEqual(await first.json());
    expect(h.calls()).toHaveLength(1);
  });

  it('answers If-None-Match from the caller’s own answer only, after the CSRF check', async () => {
    const g = h.gatewayWith({});
    const url = `http://gateway.test/graphql?query=${encodeURIComponent(WORKSPACES)}`;
    const get = (headers: Record<string, string>) => g.fetch(url, { headers });
    const first = await get(asDemo);
    const etag = first.headers.get('etag') as string;
    const lastModified = first.headers.get('last-modified');
    expect(etag).toBeTruthy();
    expect(lastModified).toBeTruthy();
    h.sandbox.clearLog();

    // Its own caller revalidates: 304, no body, the same validators, no upstream call.
    const revalidated = await get({ ...asDemo, 'if-none-match': etag });
    expect(revalidated.status).toBe(304);
    expect(await revalidated.text()).toBe('');
    expect(revalidated.headers.get('etag')).toBe(etag);
    expect(revalidated.headers.get('last-modified')).toBe(lastModified);
    expect(revalidated.headers.get('cache-control')).toBe('private, no-cache');
    expect(h.calls()).toEqual([]);

    // No credential and no preflight header: refused as a possible cross-site request, like any such GET.
    const anonymous = await get({ 'if-none-match': etag });
    expect(anonymous.status).toBe(403);
    expect(anonymous.headers.get('last-modified')).toBeNull();

    // Another caller naming A's ETag gets its own full answer, never A's validators.
    const other = await get({ ...asOther, 'if-none-match': etag });
    expect(other.status).toBe(200);
    expect(other.headers.get('etag')).not.toBe(etag);
    const otherBody = (await other.json()) as { data: unknown };
    expect(otherBody.data).toBeTruthy();
    expect(otherBody).not.toEqual(await (await get(asDemo)).json());

    // A preflighted request without credentials has a scope of its own: A's ETag names nothing there.
    const preflighted = await get({ 'x-graphql-yoga-csrf': '1', 'if-none-match': etag });
    expect(preflighted.status).toBe(200);

    // The caller's ETag of another operation does not stand for this one.
    const profileUrl = `http://gateway.test/graphql?query=${encodeURIComponent(PROFILE)}`;
    const onOther = await g.fetch(profileUrl, { headers: { ...asDemo, 'if-none-match': etag } });
    expect(onOther.status).toBe(200);
  });

  it('gives each type its own TTL; 0 keeps a type out of the cache', async () => {
    const g = h.gatewayWith({ RESPONSE_CACHE_TTL_PER_TYPE: 'Workspace=0' });
    await post(g, WORKSPACES);
    await post(g, WORKSPACES);
    await post(g, `{ profile(id: "${demo.matatika.profileIds.demo}") { name } }`);
    await post(g, `{ profile(id: "${demo.matatika.profileIds.demo}") { name } }`);
    expect(h.calls()).toEqual([
      'GET /api/workspaces?page=0&size=20',
      'GET /api/workspaces?page=0&size=20',
      `GET /api/profiles/${encodeURIComponent(demo.matatika.profileIds.demo)}`,
    ]);
  });

  it('is off unless RESPONSE_CACHE_TTL_MS is set', async () => {
    const g = h.gatewayWith({ RESPONSE_CACHE_TTL_MS: '' });
    await post(g, WORKSPACES);
    await post(g, WORKSPACES);
    expect(h.calls()).toHaveLength(2);
  });
});
