// What a hostile or careless client can send, and what it gets: a typed error for its own field, the
// rest of its data, and no upstream call it should not cost. Each test names the row of the hardening
// issue it covers.
import { describe, expect, it } from 'vitest';
import { CursorCodec } from '../../src/sources/cursor.js';
import { asDemo, codes, demo, post, useHarness } from '../support/harness.js';

const { profileIds: P, workspaceIds: W } = demo.matatika;
const U = demo.upsun.profileIds;
const asUpsun = { 'x-upsun-authorization': `Bearer ${demo.upsun.accessToken}` };
const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');
const h = useHarness({ MAX_UPSTREAM_CALLS: '50' });

async function raw(body: unknown, headers: Record<string, string> = asDemo, gateway = h.gateway) {
  const response = await gateway.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> },
  };
}

describe('hostile input: list and string arguments are bounded before anything runs', () => {
  const nodesQuery = 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }';

  it.each([2_000, 20_000])(
    'refuses nodes(ids:) with %i ids in variables with 400 and LIMIT_EXCEEDED, calling nothing',
    async (n) => {
      const ids = Array.from({ length: n }, (_, i) => gid('Profile', `auth0|${i}`));
      const res = await raw({ query: nodesQuery, variables: { ids } });
      expect(res.status).toBe(400);
      expect(res.body.errors?.map((e) => e.extensions?.code)).toEqual(['LIMIT_EXCEEDED']);
      expect(h.sandbox.requests).toHaveLength(0);
    },
  );

  it('refuses the same list written into the document', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => JSON.stringify(gid('Profile', `p${i}`))).join(',');
    const res = await raw({ query: `{ nodes(ids: [${ids}]) { id } }` });
    expect(res.status).toBe(400);
    expect(res.body.errors?.map((e) => e.extensions?.code)).toContain('LIMIT_EXCEEDED');
    expect(h.sandbox.requests).toHaveLength(0);
  });

  it('accepts 100 ids, the limit; refuses them before any call while their bound is over the budget', async () => {
    const ids = Array.from({ length: 100 }, (_, i) => gid('Profile', i === 0 ? P.demo : `auth0|nobody-${i}`));
    // The list, and a GET for each id it may lack: 101 calls at most, over the 50 of MAX_UPSTREAM_CALLS.
    const refused = await raw({ query: nodesQuery, variables: { ids } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.map((e) => e.extensions?.code)).toEqual(['LIMIT_EXCEEDED']);
    expect(h.sandbox.requests).toHaveLength(0);
    // Within a budget that covers the bound they run; the runtime budget still stops the fan-out.
    const res = await raw(
      { query: nodesQuery, variables: { ids } },
      asDemo,
      h.gatewayWith({ MAX_UPSTREAM_CALLS: '101' }),
    );
    expect(res.status).toBe(200);
    // 1 list call; the 99 ids missing from it each get their own GET for the exact 404.
    expect(h.calls()).toHaveLength(100);
    const found = (res.body.data as { nodes: Array<{ id: string } | null> }).nodes;
    expect(found[0]).toEqual({ id: ids[0] });
    const codeCounts = (res.body.errors ?? []).reduce<Record<string, number>>((acc, e) => {
      const code = String(e.extensions?.code);
      acc[code] = (acc[code] ?? 0) + 1;
      return acc;
    }, {});
    expect(codeCounts).toEqual({ NOT_FOUND: 99 });
  });

  it('holds federation representations to their own bound (1000), so a gateway may send 150 at once', async () => {
    const representations = (n: number) =>
      Array.from({ length: n }, () => ({
        __typename: 'Profile',
        // One profile, 150 times: the request's cache makes it one call, well within the budget.
        upstreamId: P.demo,
      }));
    const query = 'query($r: [_Any!]!) { _entities(representations: $r) { __typename } }';
    const ok = await raw({ query, variables: { r: representations(150) } });
    expect(ok.status).toBe(200);
    expect((ok.body.errors ?? []).map((e) => e.extensions?.code)).not.toContain('GRAPHQL_VALIDATION_FAILED');
    h.sandbox.clearLog();
    const tooMany = await raw({ query, variables: { r: representations(1001) } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors?.map((e) => e.extensions?.code)).toEqual(['LIMIT_EXCEEDED']);
    expect(h.sandbox.requests).toHaveLength(0);
  });

  it('refuses a string variable longer than 1024 characters', async () => {
    const res = await raw({
      query: 'query($q: String) { accountProfiles(query: $q) { totalCount } }',
      variables: { q: 'x'.repeat(2000) },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors?.map((e) => e.extensions?.code)).toEqual(['LIMIT_EXCEEDED']);
  });

  it('refuses a cadenya search string over 256 characters as its field error', async () => {
    const res = await h.gql('query($q: String) { accountProfiles(query: $q) { totalCount } }', {
      variables: { q: 'x'.repeat(300) },
      headers: { 'x-cadenya-authorization': `Bearer ${demo.cadenya.tokens.admin}` },
    });
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(h.calls('cadenya')).toEqual([]);
  });
});

describe('hostile input: one bad key never fails its neighbours', () => {
  it('answers three valid profiles and a BAD_USER_INPUT for "Profile:.." in one nodes call', async () => {
    const ids = [P.demo, P.google, P.github].map((id) => gid('Profile', id));
    const res = await h.gql<{ nodes: Array<{ upstreamId: string } | null> }>(
      'query($ids: [ID!]!) { nodes(ids: $ids) { ... on Profile { upstreamId } } }',
      { variables: { ids: [...ids, gid('Profile', '..')] } },
    );
    expect(res.data?.nodes).toEqual([
      { upstreamId: P.demo },
      { upstreamId: P.google },
      { upstreamId: P.github },
      null,
    ]);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors?.[0]?.path).toEqual(['nodes', 3]);
    expect(h.calls()).toEqual(['GET /api/profiles']);
  });

  it('answers a valid UserProfile and a BAD_USER_INPUT for "UserProfile:.." side by side', async () => {
    const res = await h.gql<{ nodes: Array<{ upstreamId: string } | null> }>(
      'query($ids: [ID!]!) { nodes(ids: $ids) { ... on UserProfile { upstreamId } } }',
      { variables: { ids: [gid('UserProfile', U.demo), gid('UserProfile', '..')] }, headers: asUpsun },
    );
    expect(res.data?.nodes).toEqual([{ upstreamId: U.demo }, null]);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(h.calls('upsun')).toEqual([`GET /profiles/${U.demo}`]);
  });

  // Lone surrogates can only arrive in variables: GraphQL's own parser refuses them in a literal.
  it.each([
    ['an id of ".."', 'userProfile(id: $id) { upstreamId }', '..', 'upsun'],
    ['a lone high surrogate', 'profile(id: $id) { name }', '\ud800', 'matatika'],
    ['a 300-character id', 'profile(id: $id) { name }', 'a'.repeat(300), 'matatika'],
    [
      'a lone low surrogate as workspace id',
      'workspace(id: $id) { members { totalCount } }',
      '\udfff',
      'matatika',
    ],
  ])('answers %s with BAD_USER_INPUT and no call', async (_what, field, id, source) => {
    const res = await h.gql(`query($id: String!) { x: ${field} }`, {
      variables: { id },
      headers: { ...asDemo, ...asUpsun },
    });
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(h.calls(source)).toEqual([]);
  });

  it('keeps NOT_FOUND for a missing profile batched with an invalid one', async () => {
    const res = await h.gql('{ a: profile(id: "auth0|missing") { name } b: profile(id: "..") { name } }');
    expect(res.data).toEqual({ a: null, b: null });
    const byPath = Object.fromEntries((res.errors ?? []).map((e) => [e.path?.[0], e.extensions?.code]));
    expect(byPath).toEqual({ a: 'NOT_FOUND', b: 'BAD_USER_INPUT' });
    expect(h.calls()).toEqual([`GET /api/profiles/${encodeURIComponent('auth0|missing')}`]);
  });

  it('answers node(id:) of a type that is not a node with BAD_USER_INPUT', async () => {
    const res = await h.gql(`{ node(id: "${gid('Nope', '1')}") { id } }`);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors?.[0]?.message).toMatch(/"Nope" is not a type with ids/);
  });
});

describe('hostile input: a bad first or after answers the same on every list', () => {
  it.each([
    ['profiles(first: -1)', 'matatika'],
    ['profiles(after: "garbage")', 'matatika'],
    ['workspaces(first: 1000)', 'matatika'],
    ['userProfiles(after: "garbage")', 'upsun'],
    ['accountProfiles(first: 101)', 'cadenya'],
  ])('%s: an empty connection with BAD_USER_INPUT, other fields kept, no call', async (field, source) => {
    const res = await h.gql<{ list: { edges: unknown[] }; me: { name: string } }>(
      `{ list: ${field} { edges { cursor } } me: profile(id: "${P.demo}") { name } }`,
      {
        headers: { ...asDemo, ...asUpsun, 'x-cadenya-authorization': `Bearer ${demo.cadenya.tokens.admin}` },
      },
    );
    expect(res.data?.list).toEqual({ edges: [] });
    expect(res.data?.me.name).toEqual(expect.any(String));
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors?.[0]?.path).toEqual(['list']);
    if (source !== 'matatika') expect(h.calls(source)).toEqual([]);
  });

  it("a workspace's members with a bad first answer its error at the field and cost no call", async () => {
    const res = await h.gql<{ workspace: { id: string; members: { edges: unknown[] } } }>(
      `{ workspace(id: "${W.ready}") { id members(first: -5) { edges { cursor } } } }`,
    );
    expect(res.data?.workspace.members).toEqual({ edges: [] });
    expect(res.data?.workspace.id).toEqual(expect.any(String));
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    // `id` checks the workspace exists; the member list is never read.
    expect(h.calls()).toEqual([`GET /api/workspaces/${W.ready}`]);
  });

  it('a members field taken out by @skip costs no call', async () => {
    const res = await h.gql(
      `query($skip: Boolean!) { workspace(id: "${W.ready}") { id members @skip(if: $skip) { totalCount } } }`,
      { variables: { skip: true } },
    );
    expect(res.errors).toBeUndefined();
    expect(h.calls()).toEqual([`GET /api/workspaces/${W.ready}`]);
  });
});

describe('hostile input: errors keep their locations and their code on every execution path', () => {
  it('a recurring document, once compiled, still reports locations', async () => {
    const query = '{ profile(id: "auth0|missing") { name } }';
    for (let run = 0; run < 3; run++) {
      const res = await h.gql(query);
      expect(codes(res)).toEqual(['NOT_FOUND']);
      expect(res.errors?.[0]).toMatchObject({ locations: [{ line: 1, column: 3 }] });
    }
  });
});

describe('cursors: a signed cursor with any character of its signature changed is refused', () => {
  it('refuses every edit of the last signature character (whose low bits decoding would drop)', () => {
    const codec = new CursorCodec(Buffer.alloc(32, 7));
    const cursor = codec.encode({ q: '', i: 3 });
    expect(codec.decode(cursor)).toEqual({ q: '', i: 3 });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const accepted = [...alphabet]
      .map((c) => cursor.slice(0, -1) + c)
      .filter((edited) => edited !== cursor && codec.decode(edited) !== null);
    expect(accepted).toEqual([]);
  });
});

describe('cross-site requests and CORS', () => {
  const withServerToken = () => h.gatewayWith({ MATATIKA_API_TOKEN: demo.matatika.tokens.demo });
  const mutation = `mutation { upsertProfile(input: { profileId: "${P.demo}", name: "pwned" }) { created } }`;

  it.each([
    ['application/x-www-form-urlencoded', new URLSearchParams({ query: mutation }).toString()],
    ['text/plain', JSON.stringify({ query: mutation })],
    [
      'multipart/form-data; boundary=x',
      `--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${JSON.stringify({ query: mutation })}\r\n--x--\r\n`,
    ],
  ])('refuses a %s POST, which a browser sends cross-site without a preflight', async (contentType, body) => {
    const gateway = withServerToken();
    const response = await gateway.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': contentType, origin: 'https://evil.example' },
      body,
    });
    expect(response.status).toBe(403);
    expect(
      ((await response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions
        .code,
    ).toBe('BAD_REQUEST');
    expect(h.sandbox.requests).toHaveLength(0);
  });

  it('refuses a GET with no header that forces a preflight, and serves one with a credential header', async () => {
    const gateway = withServerToken();
    const url = `http://gateway.test/graphql?query=${encodeURIComponent(`{ profile(id: "${P.demo}") { name } }`)}`;
    expect((await gateway.fetch(url)).status).toBe(403);
    expect(h.sandbox.requests).toHaveLength(0);
    const ok = await gateway.fetch(url, { headers: { 'x-graphql-yoga-csrf': '1' } });
    expect(ok.status).toBe(200);
    const withCredential = await gateway.fetch(url, { headers: asDemo });
    expect(withCredential.status).toBe(200);
  });

  it('in production sends no CORS headers unless the origin is on CORS_ORIGINS', async () => {
    const gateway = h.gatewayWith({ NODE_ENV: 'production', CORS_ORIGINS: 'https://app.example.com' });
    const ask = (origin: string) =>
      gateway.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin, ...asDemo },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
    const evil = await ask('https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect(evil.headers.get('access-control-allow-credentials')).toBeNull();
    const app = await ask('https://app.example.com');
    expect(app.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const bare = await h.gatewayWith({ NODE_ENV: 'production' }).fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://app.example.com' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(bare.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('in production does not spell the schema out in field suggestions', async () => {
    const res = await post(h.gatewayWith({ NODE_ENV: 'production' }), '{ profil(id: "x") { name } }');
    expect(res.errors?.[0]?.message).not.toMatch(/Did you mean/);
    const dev = await post(h.gateway, '{ profil(id: "x") { name } }');
    expect(dev.errors?.[0]?.message).toMatch(/Did you mean/);
  });

  // Hardening row 5: enum values and input fields, written in the document or sent as variables.
  it.each([
    ['an enum literal', '{ accountProfiles(type: USR) { totalCount } }', undefined],
    [
      'an enum variable',
      'query($t: AccountProfileType) { accountProfiles(type: $t) { totalCount } }',
      { t: 'USR' },
    ],
    [
      'an input object literal',
      'mutation { upsertProfile(input: { profileId: "x", nme: "y" }) { created } }',
      undefined,
    ],
    [
      'an input object variable',
      'mutation($i: UpsertProfileInput!) { upsertProfile(input: $i) { created } }',
      { i: { profileId: 'x', phon: '1' } },
    ],
  ])('in production suggests nothing for a misspelt %s', async (_, query, variables) => {
    const prod = await post(h.gatewayWith({ NODE_ENV: 'production' }), query, { variables });
    expect(prod.errors?.length).toBeGreaterThan(0);
    for (const error of prod.errors ?? [])
      expect(error.message).not.toMatch(/Did you mean|USER|"name"|"phone"/);
    const dev = await post(h.gateway, query, { variables });
    expect(dev.errors?.map((e) => e.message).join(' ')).toMatch(/Did you mean/);
    expect(h.sandbox.requests).toHaveLength(0);
  });

  it('says that CORS answers vary by Origin, for an allowed origin as for any other', async () => {
    const gateway = h.gatewayWith({ NODE_ENV: 'production', CORS_ORIGINS: 'https://app.example.com' });
    for (const origin of ['https://app.example.com', 'https://evil.example']) {
      const response = await gateway.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin, ...asDemo },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(response.headers.get('vary')).toMatch(/\bOrigin\b/);
    }
  });
});

// Hardening row 1: a document is refused by its size before anything else holds it.
describe('hostile input: documents are bounded in bytes (MAX_DOCUMENT_BYTES)', () => {
  const padded = (bytes: number) => `# ${'x'.repeat(bytes)}\n{ __typename }`;

  it('refuses a document over 64 KB, mostly comments, with LIMIT_EXCEEDED before it is parsed', async () => {
    const res = await raw({ query: padded(70_000) });
    expect(res.status).toBe(400);
    expect(codes(res.body as never)).toEqual(['LIMIT_EXCEEDED']);
    expect((await raw({ query: padded(60_000) })).body).toEqual({ data: { __typename: 'Query' } });
  });

  it('counts bytes, not characters: 30,000 three-byte characters are 90 KB', async () => {
    const res = await raw({ query: `# ${'€'.repeat(30_000)}\n{ __typename }` });
    expect(codes(res.body as never)).toEqual(['LIMIT_EXCEEDED']);
  });

  it('never registers an APQ document over the limit', async () => {
    const { createHash } = await import('node:crypto');
    const query = padded(70_000);
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const persistedQuery = { version: 1, sha256Hash };
    expect(codes((await raw({ query, extensions: { persistedQuery } })).body as never)).toEqual([
      'LIMIT_EXCEEDED',
    ]);
    expect(codes((await raw({ extensions: { persistedQuery } })).body as never)).toEqual([
      'PERSISTED_QUERY_NOT_FOUND',
    ]);
  });

  it('takes its limit from MAX_DOCUMENT_BYTES', async () => {
    const small = h.gatewayWith({ MAX_DOCUMENT_BYTES: '2048' });
    const res = await post(small, padded(3000));
    expect(codes(res)).toEqual(['LIMIT_EXCEEDED']);
    expect(res.errors?.[0]?.message).toMatch(/2048 bytes \(MAX_DOCUMENT_BYTES\)/);
  });
});
