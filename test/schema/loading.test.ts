import { describe, expect, it } from 'vitest';
import { codes, demo, post, useHarness } from '../support/harness.js';

const { profileIds: P, workspaceIds: W } = demo.matatika;
const enc = encodeURIComponent;
const h = useHarness();

describe('loading: each query costs the fewest upstream calls', () => {
  it('fetches the same profile once, whatever the aliases', async () => {
    const res = await h.gql(`{
      a: profile(id: "${P.demo}") { name }
      b: profile(id: "${P.demo}") { email }
      c: profile(id: "${P.demo}") { upstreamId handle }
    }`);
    expect(res.errors).toBeUndefined();
    expect(h.calls()).toEqual([`GET /api/profiles/${enc(P.demo)}`]);
  });

  it('reads two profiles with two single GETs, below the list threshold', async () => {
    const res = await h.gql(
      `{ a: profile(id: "${P.demo}") { name } b: profile(id: "${P.google}") { name } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(h.calls().sort()).toEqual(
      [`GET /api/profiles/${enc(P.demo)}`, `GET /api/profiles/${enc(P.google)}`].sort(),
    );
  });

  it('reads three or more profiles of one account with one GET /api/profiles', async () => {
    const res = await h.gql<Record<string, { upstreamId: string }>>(`{
      a: profile(id: "${P.demo}") { upstreamId }
      b: profile(id: "${P.google}") { upstreamId }
      c: profile(id: "${P.github}") { upstreamId }
      d: profile(id: "${P.saml}") { upstreamId }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data?.d?.upstreamId).toBe(P.saml);
    expect(h.calls()).toEqual(['GET /api/profiles']);
  });

  it('falls back to a single GET for a profile the account list lacks, which answers the exact 404', async () => {
    const res = await h.gql(`{
      a: profile(id: "${P.demo}") { upstreamId }
      b: profile(id: "${P.google}") { upstreamId }
      c: profile(id: "${P.otherAccount}") { upstreamId }
    }`);
    expect(res.data).toEqual({ a: { upstreamId: P.demo }, b: { upstreamId: P.google }, c: null });
    expect(codes(res)).toEqual(['NOT_FOUND']);
    expect(h.calls()).toEqual(['GET /api/profiles', `GET /api/profiles/${enc(P.otherAccount)}`]);
  });

  it('reads two or more workspaces with one GET /api/workspaces', async () => {
    const res = await h.gql(`{
      a: workspace(id: "${W.ready}") { name status }
      b: workspace(id: "${W.failed}") { name status }
      c: workspace(id: "${W.provisioning}") { status }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data).toMatchObject({
      a: { status: 'READY' },
      b: { status: 'FAILED' },
      c: { status: 'PROVISIONING' },
    });
    expect(h.calls()).toEqual(['GET /api/workspaces?page=0&size=100']);
  });

  it('pages through the workspace list when the upstream caps the page size', async () => {
    // An upstream that answers page 0 with size 2 out of 3 pages; the gateway asks for the rest at size 2.
    const first = await fetch(`${h.sandbox.urlOf('matatika')}/api/workspaces?page=0&size=2`, {
      headers: { authorization: `Bearer ${demo.matatika.tokens.demo}` },
    }).then((r) => r.text());
    h.sandbox.clearLog();
    h.sandbox.inject({ source: 'matatika', path: '/api/workspaces', fault: { body: first, times: 1 } });
    const res = await h.gql(
      `{ a: workspace(id: "${W.ready}") { name } b: workspace(id: "${W.finance}") { name } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(h.calls()).toEqual([
      'GET /api/workspaces?page=0&size=100',
      'GET /api/workspaces?page=1&size=2',
      'GET /api/workspaces?page=2&size=2',
    ]);
  });

  it('falls back to single GETs for workspaces missing from the list, with their exact 403 and 404', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const res = await h.gql(`{
      ok: workspace(id: "${W.ready}") { name }
      forbidden: workspace(id: "${W.forbidden}") { name }
      missing: workspace(id: "${missing}") { name }
    }`);
    expect(res.data).toMatchObject({ ok: { name: expect.any(String) }, forbidden: null, missing: null });
    const byPath = Object.fromEntries((res.errors ?? []).map((e) => [e.path?.[0], e.extensions?.code]));
    expect(byPath).toEqual({ forbidden: 'FORBIDDEN', missing: 'NOT_FOUND' });
    expect(h.calls().sort()).toEqual(
      [
        'GET /api/workspaces?page=0&size=100',
        `GET /api/workspaces/${W.forbidden}`,
        `GET /api/workspaces/${missing}`,
      ].sort(),
    );
  });

  it("answers a profile's defaultWorkspace { id name } from the profile, with no call", async () => {
    const res = await h.gql(`{ profile(id: "${P.demo}") { defaultWorkspace { id upstreamId name } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data).toMatchObject({
      profile: { defaultWorkspace: { upstreamId: W.ready, name: expect.any(String) } },
    });
    expect(h.calls()).toEqual([`GET /api/profiles/${enc(P.demo)}`]);
  });

  it('loads the default workspace once when a field the profile lacks is asked for', async () => {
    const res = await h.gql(`{ profile(id: "${P.demo}") { defaultWorkspace { name status isDefault } } }`);
    expect(res.data).toMatchObject({ profile: { defaultWorkspace: { status: 'READY', isDefault: true } } });
    expect(h.calls()).toEqual([`GET /api/profiles/${enc(P.demo)}`, `GET /api/workspaces/${W.ready}`]);
  });

  it('primes member loads from the member list', async () => {
    const res = await h.gql(`{
      workspace(id: "${W.ready}") {
        members(first: 2) { edges { node { upstreamId } } }
        member(id: "${P.google}") { name }
      }
    }`);
    expect(res.errors).toBeUndefined();
    expect(h.calls()).toEqual([`GET /api/workspaces/${W.ready}/members`]);
  });

  it('reads two members of one workspace with one member list; one member with one GET', async () => {
    await h.gql(
      `{ workspace(id: "${W.ready}") { a: member(id: "${P.demo}") { name } b: member(id: "${P.google}") { name } } }`,
    );
    expect(h.calls()).toEqual([`GET /api/workspaces/${W.ready}`, `GET /api/workspaces/${W.ready}/members`]);
    h.sandbox.clearLog();
    await h.gql(`{ workspace(id: "${W.ready}") { member(id: "${P.demo}") { name } } }`);
    expect(h.calls()).toEqual([
      `GET /api/workspaces/${W.ready}`,
      `GET /api/workspaces/${W.ready}/members/${enc(P.demo)}`,
    ]);
  });

  it("reads a large workspace's members and all their profiles in three calls", async () => {
    const res = await h.gql<{
      workspace: {
        members: { totalCount: number; edges: Array<{ node: { profile: { email: string | null } } }> };
      };
    }>(`{
      workspace(id: "${W.large}") {
        name
        members(first: 40) { totalCount edges { node { name profile { email } } } }
      }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data?.workspace.members.totalCount).toBe(demo.matatika.counts.largeWorkspaceMembers);
    expect(res.data?.workspace.members.edges).toHaveLength(demo.matatika.counts.largeWorkspaceMembers);
    expect(h.calls().sort()).toEqual(
      [
        `GET /api/workspaces/${W.large}`,
        `GET /api/workspaces/${W.large}/members`,
        'GET /api/profiles',
      ].sort(),
    );
  });

  it('lists profiles once and answers later profile loads in the same request from that list', async () => {
    const res = await h.gql(`{
      profiles(first: 2) { totalCount edges { node { upstreamId } } }
      profile(id: "${P.demo}") { name }
    }`);
    expect(res.errors).toBeUndefined();
    expect(h.calls()).toEqual(['GET /api/profiles']);
  });

  it('answers a workspace asked for after the workspace list from the list', async () => {
    const res = await h.gql(`{ workspaces(first: 10) { edges { node { upstreamId } } } }`);
    expect(res.errors).toBeUndefined();
    h.sandbox.clearLog();
    const both = await h.gql(
      `{ workspaces(first: 10) { totalCount } w: workspace(id: "${W.finance}") { name } }`,
    );
    expect(both.errors).toBeUndefined();
    expect(h.calls()).toEqual(['GET /api/workspaces?page=0&size=10']);
  });
});

describe('loading: mutations prime the loaders with the upstream answer', () => {
  it('setDefaultWorkspace answers defaultWorkspace { name status } with no profile re-read', async () => {
    const res = await h.gql(`mutation {
      setDefaultWorkspace(input: { profileId: "${P.demo}", workspaceId: "${W.failed}" }) {
        profile { upstreamId name defaultWorkspace { upstreamId name status isDefault } }
      }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data).toMatchObject({
      setDefaultWorkspace: {
        profile: { defaultWorkspace: { upstreamId: W.failed, status: 'FAILED', isDefault: true } },
      },
    });
    expect(h.calls()).toEqual([`PATCH /api/profiles/${enc(P.demo)}`, `GET /api/workspaces/${W.failed}`]);
  });

  it('upsertProfile answers the profile with no re-read', async () => {
    const res = await h.gql(`mutation {
      upsertProfile(input: { profileId: "${P.demo}", name: "Ada Lovelace" }) { created profile { name handle email } }
    }`);
    expect(res.data).toEqual({
      upsertProfile: {
        created: false,
        profile: { name: 'Ada Lovelace', handle: expect.stringMatching(/^@/), email: expect.anything() },
      },
    });
    expect(h.calls()).toEqual([`PUT /api/profiles/${enc(P.demo)}`]);
  });
});

describe('loading: a refused list falls back to single reads', () => {
  it('reads profiles one by one when the account list is forbidden', async () => {
    h.sandbox.inject({ source: 'matatika', path: '/api/profiles', fault: { status: 403 } });
    const res = await h.gql(`{
      a: profile(id: "${P.demo}") { upstreamId }
      b: profile(id: "${P.google}") { upstreamId }
      c: profile(id: "${P.github}") { upstreamId }
    }`);
    expect(res.errors).toBeUndefined();
    expect(h.calls().sort()).toEqual(
      [
        'GET /api/profiles',
        ...[P.demo, P.google, P.github].map((id) => `GET /api/profiles/${enc(id)}`),
      ].sort(),
    );
  });

  it('fails every key with the list error when the upstream is unavailable, without a GET per key', async () => {
    h.sandbox.inject({ source: 'matatika', path: '/api/profiles', fault: { status: 502 } });
    const res = await h.gql(`{
      a: profile(id: "${P.demo}") { upstreamId }
      b: profile(id: "${P.google}") { upstreamId }
      c: profile(id: "${P.github}") { upstreamId }
    }`);
    expect(res.data).toEqual({ a: null, b: null, c: null });
    expect(codes(res)).toEqual(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_UNAVAILABLE', 'UPSTREAM_UNAVAILABLE']);
    expect(h.calls()).toEqual(['GET /api/profiles']);
  });
});

describe('loading: independent branches run concurrently', () => {
  it("requests a workspace's member list without waiting for the workspace itself", async () => {
    // The workspace GET never answers; had members waited for it, its list would never be requested.
    const gateway = h.gatewayWith({ MATATIKA_TIMEOUT_MS: '300' });
    h.sandbox.inject({ source: 'matatika', path: `/api/workspaces/${W.large}`, fault: { hang: true } });
    const res = await post(gateway, `{ workspace(id: "${W.large}") { name members { totalCount } } }`);
    expect(codes(res)).toEqual(['UPSTREAM_TIMEOUT']);
    expect(h.calls().sort()).toEqual([
      `GET /api/workspaces/${W.large}`,
      `GET /api/workspaces/${W.large}/members`,
    ]);
  });

  it('does not request a member list the query does not ask for', async () => {
    await h.gql(`{ workspace(id: "${W.large}") { name ...more } } fragment more on Workspace { status }`);
    expect(h.calls()).toEqual([`GET /api/workspaces/${W.large}`]);
  });

  it('sees members asked for through a fragment', async () => {
    await h.gql(
      `{ workspace(id: "${W.large}") { status ...m } } fragment m on Workspace { members { totalCount } }`,
    );
    expect(h.calls().sort()).toEqual([
      `GET /api/workspaces/${W.large}`,
      `GET /api/workspaces/${W.large}/members`,
    ]);
  });
});

describe('loading: reads of this request answer later loads', () => {
  it("answers the default workspace's status from the workspace page the same request reads", async () => {
    const res = await h.gql(`{
      me: profile(id: "${P.demo}") { defaultWorkspace { name status } }
      workspaces(first: 20) { totalCount }
    }`);
    expect(res.data).toMatchObject({ me: { defaultWorkspace: { status: 'READY' } } });
    expect(h.calls().sort()).toEqual([
      `GET /api/profiles/${enc(P.demo)}`,
      'GET /api/workspaces?page=0&size=20',
    ]);
  });

  it("looks ahead: a profile asked for at the root and among a workspace's members costs no more than the members' profiles alone", async () => {
    // A page of 40, whose bound (3 + a GET per member the account's list may lack) fits the budget.
    const members = `workspace(id: "${W.large}") { members(first: 40) { edges { node { profile { email } } } } }`;
    await h.gql(`{ ${members} }`);
    const alone = h.calls();
    h.sandbox.clearLog();
    const both = await h.gql<{ p: { name: string } }>(
      `{ p: profile(id: "${P.google}") { name } ${members} }`,
    );
    expect(both.errors).toBeUndefined();
    expect(both.data?.p.name).toBe('Ada Lovelace');
    expect([...h.calls()].sort()).toEqual([...alone].sort());
    expect(alone).toContain('GET /api/profiles');
  });
});
