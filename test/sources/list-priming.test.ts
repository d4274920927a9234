// Each loading rule of the README rests on one mechanism of the source clients' per-request cache.
// Each test here is built so that it fails when its mechanism is taken out: a load that comes *after*
// a list has arrived (the upstream answers the list first, by a delay on the other call), a mutation
// field that reads what an earlier field of the same operation cached, a fan-out wider than its bound.
import { describe, expect, it } from 'vitest';
import { demo, post, useHarness } from '../support/harness.js';

const { profileIds: P, workspaceIds: W } = demo.matatika;
const enc = encodeURIComponent;
const h = useHarness();

/** Holds back one matatika call, so that everything else of the query has arrived before it does. */
function delay(path: string | RegExp, latencyMs = 150) {
  h.sandbox.inject({ source: 'matatika', path, fault: { latencyMs } });
}

describe('a list primes the cache: a load after it arrived costs no call', () => {
  it("the account's profile list answers the members' profiles loaded after it", async () => {
    delay(`/api/workspaces/${W.large}/members`);
    const res = await h.gql<{
      workspace: { members: { edges: Array<{ node: { upstreamId: string; profile: { name: string } } }> } };
    }>(`{
      profiles(first: 1) { totalCount }
      workspace(id: "${W.large}") { members(first: 40) { edges { node { upstreamId profile { name } } } } }
    }`);
    expect(res.errors).toBeUndefined();
    const members = res.data?.workspace.members.edges ?? [];
    expect(members).toHaveLength(demo.matatika.counts.largeWorkspaceMembers);
    const google = members.find((e) => e.node.upstreamId === P.google);
    expect(google?.node.profile.name).toBe('Ada Lovelace');
    expect(h.calls().sort()).toEqual(['GET /api/profiles', `GET /api/workspaces/${W.large}/members`].sort());
  });

  it('a page of workspaces answers a workspace loaded after it', async () => {
    delay(`/api/workspaces/${W.ready}/members`);
    const res = await h.gql<{
      workspace: { members: { edges: Array<{ node: { workspace: { name: string; status: string } } }> } };
    }>(`{
      workspaces(first: 10) { totalCount }
      workspace(id: "${W.ready}") { members(first: 1) { edges { node { workspace { name status } } } } }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data?.workspace.members.edges[0]?.node.workspace.status).toBe('READY');
    expect(h.calls().sort()).toEqual(
      ['GET /api/workspaces?page=0&size=10', `GET /api/workspaces/${W.ready}/members`].sort(),
    );
  });

  it("a workspace's member list answers a member loaded after it", async () => {
    const res = await h.gql<{
      workspace: { members: { edges: Array<{ node: { workspace: { member: { name: string } } } }> } };
    }>(`{
      workspace(id: "${W.ready}") {
        members(first: 1) { edges { node { workspace { member(id: "${P.google}") { name } } } } }
      }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data?.workspace.members.edges[0]?.node.workspace.member.name).toBe('Ada Lovelace');
    expect(h.calls()).toEqual([`GET /api/workspaces/${W.ready}/members`]);
  });
});

describe("a mutation's answer replaces the cached object; its invalidation drops what it changed", () => {
  const setDefault = (alias: string, workspaceId: string, previous: boolean) => `
    ${alias}: setDefaultWorkspace(input: { profileId: "${P.demo}", workspaceId: "${workspaceId}" }) {
      profile { defaultWorkspace { upstreamId isDefault } }
      ${previous ? 'previousDefaultWorkspace { upstreamId isDefault }' : ''}
    }`;
  type Answer = {
    profile: { defaultWorkspace: { upstreamId: string; isDefault: boolean } };
    previousDefaultWorkspace?: { upstreamId: string; isDefault: boolean };
  };

  it('after three setDefaultWorkspace in one operation, every isDefault and every previous default is right', async () => {
    const res = await h.gql<Record<'a' | 'b' | 'c', Answer>>(`mutation {
      ${setDefault('a', W.failed, false)}
      ${setDefault('b', W.finance, true)}
      ${setDefault('c', W.marketing, true)}
    }`);
    expect(res.errors).toBeUndefined();
    const flag = (upstreamId: string, isDefault: boolean) => ({ upstreamId, isDefault });
    expect(res.data).toEqual({
      a: { profile: { defaultWorkspace: flag(W.failed, true) } },
      // b read a's answer for the previous default, and a's read of W.failed (isDefault: true) was dropped.
      b: {
        profile: { defaultWorkspace: flag(W.finance, true) },
        previousDefaultWorkspace: flag(W.failed, false),
      },
      // c's previous default is b's answer, which replaced a's in the cache.
      c: {
        profile: { defaultWorkspace: flag(W.marketing, true) },
        previousDefaultWorkspace: flag(W.finance, false),
      },
    });
    // No profile GET: each previous default came from the answer of the write before it.
    const patch = `PATCH /api/profiles/${enc(P.demo)}`;
    expect(h.calls()).toEqual([
      patch,
      `GET /api/workspaces/${W.failed}`,
      patch,
      'GET /api/workspaces?page=0&size=100',
      patch,
      'GET /api/workspaces?page=0&size=100',
    ]);
  });

  it('asking for the previous default reads the profile first, once, when the request does not hold it', async () => {
    const res = await h.gql<{ s: Answer }>(`mutation { ${setDefault('s', W.finance, true)} }`);
    expect(res.data?.s.previousDefaultWorkspace).toEqual({ upstreamId: W.ready, isDefault: false });
    expect(res.data?.s.profile.defaultWorkspace).toEqual({ upstreamId: W.finance, isDefault: true });
    expect(h.calls()).toEqual([
      `GET /api/profiles/${enc(P.demo)}`,
      `PATCH /api/profiles/${enc(P.demo)}`,
      'GET /api/workspaces?page=0&size=100',
    ]);
  });

  it('upsertProfile drops the members derived from the profile: a later read in the operation shows the new name', async () => {
    const members = `setDefaultWorkspace(input: { profileId: "${P.demo}", workspaceId: "${W.ready}" }) {
      profile { defaultWorkspace { members(first: 100) { edges { node { upstreamId name } } } } }
    }`;
    type Members = {
      profile: {
        defaultWorkspace: { members: { edges: Array<{ node: { upstreamId: string; name: string } }> } };
      };
    };
    const res = await h.gql<{ a: Members; b: { profile: { name: string } }; c: Members }>(`mutation {
      a: ${members}
      b: upsertProfile(input: { profileId: "${P.demo}", name: "Renamed" }) { profile { name } }
      c: ${members}
    }`);
    expect(res.errors).toBeUndefined();
    const nameIn = (m: Members | undefined) =>
      m?.profile.defaultWorkspace.members.edges.find((e) => e.node.upstreamId === P.demo)?.node.name;
    // The seed profile's name, as the upstream's example has it.
    expect(nameIn(res.data?.a)).toBe('sit+prod@meltano.com');
    expect(res.data?.b.profile.name).toBe('Renamed');
    expect(nameIn(res.data?.c)).toBe('Renamed');
    const members_ = `GET /api/workspaces/${W.ready}/members`;
    expect(h.calls()).toEqual([
      `PATCH /api/profiles/${enc(P.demo)}`,
      members_,
      `PUT /api/profiles/${enc(P.demo)}`,
      `PATCH /api/profiles/${enc(P.demo)}`,
      members_,
    ]);
  });
});

describe('a fan-out of single GETs is bounded per request (UPSTREAM_CONCURRENCY)', () => {
  it('holds 20 upsun GETs of one request to 3 at a time, and still answers each', async () => {
    const gateway = h.gatewayWith({ UPSTREAM_CONCURRENCY: '3' });
    h.sandbox.inject({ source: 'upsun', path: /^\/profiles\//, fault: { latencyMs: 30 } });
    const known = Object.values(demo.upsun.profileIds);
    const unknown = Array.from({ length: 20 - known.length }, (_, i) => `missing-${i}`);
    const res = await post<{ userProfilesByIds: Array<{ upstreamId: string } | null> }>(
      gateway,
      `query ($ids: [String!]!) { userProfilesByIds(ids: $ids) { upstreamId } }`,
      {
        variables: { ids: [...known, ...unknown] },
        headers: { 'x-upsun-authorization': `Bearer ${demo.upsun.accessToken}` },
      },
    );
    expect(res.data?.userProfilesByIds.map((p) => p?.upstreamId ?? null)).toEqual([
      ...known,
      ...unknown.map(() => null),
    ]);
    expect(h.calls('upsun')).toHaveLength(20);
    expect(h.sandbox.peakInFlight('upsun')).toBe(3);
  });
});
