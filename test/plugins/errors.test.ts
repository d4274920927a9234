import { describe, expect, it } from 'vitest';
import { codes, demo, post, useHarness } from '../support/harness.js';

const { profileIds: P, workspaceIds: W, tokens } = demo.matatika;
const enc = encodeURIComponent;
const h = useHarness();
const profilePath = `/api/profiles/${enc(P.demo)}`;
const profileQuery = `{ profile(id: "${P.demo}") { name } }`;

describe('errors: every failure is a typed GraphQL error', () => {
  it('answers UNAUTHENTICATED without calling the upstream when the request carries no credential', async () => {
    const res = await h.gql(profileQuery, { headers: {} });
    expect(res.data).toEqual({ profile: null });
    expect(codes(res)).toEqual(['UNAUTHENTICATED']);
    expect(res.errors?.[0]?.message).toMatch(/authorization header/);
    expect(h.sandbox.requests).toHaveLength(0);
  });

  it('refuses a credential with a scheme other than Bearer without sending it anywhere', async () => {
    const res = await h.gql(profileQuery, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(codes(res)).toEqual(['UNAUTHENTICATED']);
    expect(h.sandbox.requests).toHaveLength(0);
  });

  it("maps the upstream's 401 to UNAUTHENTICATED with the call in extensions.upstream", async () => {
    const res = await h.gql(profileQuery, { headers: { authorization: 'Bearer not-a-known-token' } });
    expect(res.errors?.[0]?.extensions).toEqual({
      code: 'UNAUTHENTICATED',
      source: 'matatika',
      upstream: { source: 'matatika', status: 401, method: 'GET', path: `/matatika${profilePath}` },
    });
  });

  it("keeps the upstream's own message", async () => {
    const res = await h.gql(`{ workspace(id: "${W.forbidden}") { name } }`);
    expect(codes(res)).toEqual(['FORBIDDEN']);
    const raw = await fetch(`${h.sandbox.urlOf('matatika')}/api/workspaces/${W.forbidden}`, {
      headers: { authorization: `Bearer ${tokens.demo}` },
    }).then((r) => r.json() as Promise<{ message: string }>);
    expect(res.errors?.[0]?.message).toBe(raw.message);
  });

  it('returns partial data: one failing field never fails its siblings', async () => {
    const res = await h.gql(`{
      ok: profile(id: "${P.demo}") { name }
      forbidden: workspace(id: "${W.forbidden}") { name }
      ready: workspace(id: "${W.ready}") { status }
    }`);
    expect(res.data).toMatchObject({
      ok: { name: expect.any(String) },
      forbidden: null,
      ready: { status: 'READY' },
    });
    expect(codes(res)).toEqual(['FORBIDDEN']);
    expect(res.errors?.[0]?.path).toEqual(['forbidden']);
  });

  it.each([
    [400, 'BAD_USER_INPUT'],
    [404, 'NOT_FOUND'],
    [409, 'CONFLICT'],
    [422, 'BAD_USER_INPUT'],
    [500, 'UPSTREAM_ERROR'],
    [502, 'UPSTREAM_UNAVAILABLE'],
    [504, 'UPSTREAM_UNAVAILABLE'],
  ])('maps an upstream %i to %s', async (status, code) => {
    h.sandbox.inject({ source: 'matatika', path: profilePath, fault: { status } });
    const res = await h.gql(profileQuery);
    expect(res.data).toEqual({ profile: null });
    expect(res.errors?.[0]?.extensions).toMatchObject({
      code,
      upstream: { status, method: 'GET', path: `/matatika${profilePath}` },
    });
  });

  it('maps a 429 to RATE_LIMITED with retryAfter in seconds', async () => {
    h.sandbox.inject({
      source: 'matatika',
      path: profilePath,
      fault: { status: 429, headers: { 'retry-after': '7' } },
    });
    const res = await h.gql(profileQuery);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 7 });
  });

  it('retries a GET once after a 503 and answers from the second attempt', async () => {
    h.sandbox.inject({ source: 'matatika', path: profilePath, fault: { status: 503, times: 1 } });
    const res = await h.gql(profileQuery);
    expect(res.errors).toBeUndefined();
    expect(h.calls()).toEqual([`GET ${profilePath}`, `GET ${profilePath}`]);
  });

  it('gives up after the one retry: two 503s are UPSTREAM_UNAVAILABLE', async () => {
    h.sandbox.inject({ source: 'matatika', path: profilePath, fault: { status: 503, times: 2 } });
    const res = await h.gql(profileQuery);
    expect(codes(res)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(h.calls()).toHaveLength(2);
  });

  it('retries a GET once after a connection reset', async () => {
    h.sandbox.inject({ source: 'matatika', path: profilePath, fault: { reset: true, times: 1 } });
    const res = await h.gql(profileQuery);
    expect(res.errors).toBeUndefined();
    expect(h.calls()).toEqual([`GET ${profilePath}`, `GET ${profilePath}`]);
  });

  it('maps a connection reset on both attempts to UPSTREAM_UNAVAILABLE', async () => {
    h.sandbox.inject({ source: 'matatika', path: profilePath, fault: { reset: true } });
    const res = await h.gql(profileQuery);
    expect(codes(res)).toEqual(['UPSTREAM_UNAVAILABLE']);
  });

  it('never retries a write, which may have been applied', async () => {
    h.sandbox.inject({
      source: 'matatika',
      method: 'PUT',
      path: profilePath,
      fault: { status: 503, times: 1 },
    });
    const res = await h.gql(
      `mutation { upsertProfile(input: { profileId: "${P.demo}", name: "x" }) { created } }`,
    );
    expect(res.data).toBeNull();
    expect(codes(res)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(h.calls()).toEqual([`PUT ${profilePath}`]);
  });

  it('maps a 200 whose body is not JSON to UPSTREAM_ERROR', async () => {
    h.sandbox.inject({ source: 'matatika', path: profilePath, fault: { malformed: true } });
    const res = await h.gql(profileQuery);
    expect(codes(res)).toEqual(['UPSTREAM_ERROR']);
    expect(res.errors?.[0]?.message).toMatch(/not JSON/);
  });

  it('maps a payload of the wrong shape to UPSTREAM_ERROR naming the field', async () => {
    h.sandbox.inject({
      source: 'matatika',
      path: profilePath,
      fault: { body: JSON.stringify({ id: 42, name: 'x' }) },
    });
    const res = await h.gql(profileQuery);
    expect(codes(res)).toEqual(['UPSTREAM_ERROR']);
    expect(res.errors?.[0]?.message).toMatch(/matatika.*wrong shape at id/);
  });

  it('does not follow a redirect', async () => {
    h.sandbox.inject({
      source: 'matatika',
      path: profilePath,
      fault: { status: 302, body: '', headers: { location: `${h.sandbox.urlOf('matatika')}/api/profiles` } },
    });
    const res = await h.gql(profileQuery);
    expect(codes(res)).toEqual(['UPSTREAM_ERROR']);
    expect(h.calls()).toEqual([`GET ${profilePath}`]);
  });

  it('leaves the query string out of extensions.upstream.path', async () => {
    h.sandbox.inject({ source: 'matatika', path: '/api/workspaces', fault: { status: 500 } });
    const res = await h.gql('{ workspaces(first: 3) { totalCount } }');
    expect(res.data).toEqual({ workspaces: { totalCount: null } });
    expect(res.errors?.[0]?.extensions?.upstream).toEqual({
      source: 'matatika',
      status: 500,
      method: 'GET',
      path: '/matatika/api/workspaces',
    });
  });

  it('answers SOURCE_NOT_CONFIGURED for a source without a URL, and the rest still works', async () => {
    const gateway = h.gatewayWith({ MATATIKA_API_URL: '' });
    const res = await post(gateway, profileQuery);
    expect(res.data).toEqual({ profile: null });
    expect(codes(res)).toEqual(['SOURCE_NOT_CONFIGURED']);
  });

  it('maps a refused connection to UPSTREAM_UNAVAILABLE', async () => {
    const gateway = h.gatewayWith({ MATATIKA_API_URL: 'http://127.0.0.1:1/matatika' });
    const res = await post(gateway, profileQuery);
    expect(codes(res)).toEqual(['UPSTREAM_UNAVAILABLE']);
  });

  it('answers UPSTREAM_TIMEOUT when the upstream hangs past the budget', async () => {
    const gateway = h.gatewayWith({ MATATIKA_TIMEOUT_MS: '200' });
    h.sandbox.inject({ source: 'matatika', path: profilePath, fault: { hang: true } });
    const res = await post(gateway, profileQuery);
    expect(res.data).toEqual({ profile: null });
    expect(res.errors?.[0]?.extensions).toMatchObject({
      code: 'UPSTREAM_TIMEOUT',
      upstream: { status: null },
    });
  });

  it('spends one budget across the retry: a 503 then a hang is still a timeout, with two calls', async () => {
    const gateway = h.gatewayWith({ MATATIKA_TIMEOUT_MS: '300' });
    h.sandbox.inject({ source: 'matatika', path: profilePath, fault: { status: 503, times: 1 } });
    h.sandbox.inject({ source: 'matatika', path: profilePath, fault: { hang: true } });
    const res = await post(gateway, profileQuery);
    expect(codes(res)).toEqual(['UPSTREAM_TIMEOUT']);
    expect(h.calls()).toHaveLength(2);
  });

  it("answers a failed list with an empty connection and the list's error, so its siblings survive", async () => {
    h.sandbox.inject({ source: 'matatika', path: '/api/profiles', fault: { status: 403 } });
    const res = await h.gql(`{
      profiles { totalCount edges { cursor } pageInfo { hasNextPage } }
      profile(id: "${P.demo}") { upstreamId }
    }`);
    expect(res.data).toEqual({
      profiles: { totalCount: null, edges: [], pageInfo: { hasNextPage: false } },
      profile: { upstreamId: P.demo },
    });
    expect(res.errors).toHaveLength(1);
    expect(res.errors?.[0]).toMatchObject({ path: ['profiles'], extensions: { code: 'FORBIDDEN' } });
  });

  it("answers a workspace whose member list fails, with the members' error", async () => {
    h.sandbox.inject({
      source: 'matatika',
      path: `/api/workspaces/${W.ready}/members`,
      fault: { status: 500 },
    });
    const res = await h.gql(`{ workspace(id: "${W.ready}") { status members { totalCount } } }`);
    expect(res.data).toEqual({ workspace: { status: 'READY', members: { totalCount: null } } });
    expect(res.errors?.[0]).toMatchObject({
      path: ['workspace', 'members'],
      extensions: { code: 'UPSTREAM_ERROR' },
    });
  });
});

describe('errors: bad input is refused before any request', () => {
  it.each(['.', '..', ''])('refuses the profile id %j with BAD_USER_INPUT', async (id) => {
    const res = await h.gql(`{ profile(id: ${JSON.stringify(id)}) { name } }`);
    expect(res.data).toEqual({ profile: null });
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(h.sandbox.requests).toHaveLength(0);
  });

  it.each([
    ['auth0|x', '/api/profiles/auth0%7Cx'],
    ['a/b', '/api/profiles/a%2Fb'],
    ['a?b#c', '/api/profiles/a%3Fb%23c'],
    ['..%2F', '/api/profiles/..%252F'],
  ])('sends the id %j as one percent-encoded segment: %s', async (id, path) => {
    await h.gql(`{ profile(id: ${JSON.stringify(id)}) { name } }`);
    expect(h.calls()).toEqual([`GET ${path}`]);
  });

  it('encodes workspace and member ids too', async () => {
    await h.gql(`{ workspace(id: "${W.ready}") { member(id: "a/b?c") { name } } }`);
    expect(h.calls()).toContain(`GET /api/workspaces/${W.ready}/members/a%2Fb%3Fc`);
  });

  it.each([
    ['{ profiles(first: -1) { totalCount } }', /first/],
    ['{ profiles(first: 101) { totalCount } }', /first/],
    ['{ profiles(after: "garbage") { totalCount } }', /after/],
    ['{ workspaces(after: "bm9wZQ==") { totalCount } }', /after/],
  ])('refuses bad paging arguments: %s', async (query, message) => {
    const res = await h.gql(query);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors?.[0]?.message).toMatch(message);
    expect(h.sandbox.requests).toHaveLength(0);
  });

  it.each(['not-base64!', 'UHJvZmlsZQ=='])('refuses the malformed global id %j', async (id) => {
    const res = await h.gql(`{ node(id: "${id}") { id } }`);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('the error codes clients switch on', () => {
  it("are the README's error table, row for row", async () => {
    const { readFile } = await import('node:fs/promises');
    const { ERROR_CODES } = await import('../../src/errors.js');
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(
      readme.indexOf('\n## Errors'),
      readme.indexOf('\n## ', readme.indexOf('\n## Errors') + 1),
    );
    const documented = [...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });
});
