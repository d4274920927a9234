import { describe, expect, it } from 'vitest';
import { CursorCodec } from '../../src/sources/cursor.js';
import { codes, demo, post, useHarness } from '../support/harness.js';

const SECRET = 'a-test-secret-that-is-at-least-32-chars';
const h = useHarness({ CURSOR_SECRET: SECRET });
const asUser = { 'x-upsun-authorization': `Bearer ${demo.upsun.accessToken}` };

interface Conn {
  totalCount: number | null;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
  edges: Array<{ cursor: string; node: { upstreamId: string } }>;
}
const CONN =
  'totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { upstreamId } }';

async function list(args: string, headers: Record<string, string> = asUser) {
  const res = await h.gql<{ userProfiles: Conn }>(`{ userProfiles(${args}) { ${CONN} } }`, { headers });
  return { res, conn: res.data?.userProfiles as Conn };
}

describe('upsun userProfiles paging', () => {
  it('pages only by following _links.next, with count as totalCount', async () => {
    const walked: string[] = [];
    let after = '';
    for (let i = 0; i < 10; i++) {
      const { conn } = await list(`first: 2${after ? `, after: "${after}"` : ''}`);
      expect(conn.totalCount).toBe(demo.upsun.count);
      walked.push(...conn.edges.map((e) => e.node.upstreamId));
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor as string;
    }
    expect(walked).toHaveLength(demo.upsun.count);
    expect(new Set(walked).size).toBe(demo.upsun.count);
    // Every request the gateway made was the list itself or a query string the upstream handed out.
    for (const request of h.sandbox.requests)
      expect(`${request.path}?${request.query}`).toMatch(/^\/profiles\?(page=\d+)?$/);
  });

  it('fills a window across upstream pages and resumes from any edge', async () => {
    const all = (await list('first: 20')).conn.edges.map((e) => e.node.upstreamId);
    expect(all).toHaveLength(demo.upsun.count);
    expect(h.calls('upsun')).toEqual(['GET /profiles', 'GET /profiles?page=2', 'GET /profiles?page=3']);
    const first = (await list('first: 3')).conn;
    const resumed = (await list(`first: 4, after: "${first.edges[0]?.cursor}"`)).conn;
    expect(resumed.edges.map((e) => e.node.upstreamId)).toEqual(all.slice(1, 5));
  });

  it('refuses an edited cursor with BAD_USER_INPUT and sends no request', async () => {
    const { conn } = await list('first: 2');
    h.sandbox.clearLog();
    const cursor = conn.pageInfo.endCursor as string;
    const [payload, signature] = cursor.split('.');
    const edited = `${Buffer.from(JSON.stringify({ q: '?page=3', i: 0 })).toString('base64url')}.${signature}`;
    for (const after of [edited, `${payload}.AAAA`, 'garbage']) {
      const { res } = await list(`first: 2, after: "${after}"`);
      expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    }
    expect(h.sandbox.requests).toHaveLength(0);
  });

  it('refuses even a validly signed cursor that names another origin or path', async () => {
    const codec = new CursorCodec(Buffer.from(SECRET));
    for (const q of ['//evil.example/profiles', 'https://evil.example/profiles?page=2', '/users?page=2']) {
      const { res } = await list(`first: 2, after: "${codec.encode({ q, i: 0 })}"`);
      expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    }
    expect(h.sandbox.requests).toHaveLength(0);
    // The same key does sign a good cursor: the refusals above are about the content, not the key.
    const { res } = await list(`first: 2, after: "${codec.encode({ q: '?page=2', i: 0 })}"`);
    expect(res.errors).toBeUndefined();
  });

  it('never follows a next link to another origin', async () => {
    const page = await fetch(`${h.sandbox.urlOf('upsun')}/profiles`, {
      headers: { authorization: `Bearer ${demo.upsun.accessToken}` },
    }).then((r) => r.json() as Promise<{ _links: { next: { href: string } } }>);
    page._links.next.href = 'http://127.0.0.2:9/upsun/profiles?page=2';
    h.sandbox.clearLog();
    h.sandbox.inject({ source: 'upsun', path: '/profiles', fault: { body: JSON.stringify(page) } });
    const within = await list('first: 2');
    expect(within.res.errors).toBeUndefined();
    expect(within.conn.pageInfo.hasNextPage).toBe(true);
    const beyond = await list('first: 5');
    expect(codes(beyond.res)).toEqual(['UPSTREAM_ERROR']);
    expect(beyond.res.errors?.[0]?.message).toMatch(/does not follow/);
    expect(h.sandbox.requests.every((r) => r.source === 'upsun' && r.path === '/profiles')).toBe(true);
  });
});

describe('upsun userProfile', () => {
  it('reads one profile by id and maps {error} bodies to codes', async () => {
    const ok = await h.gql(`{ userProfile(id: "${demo.upsun.profileIds.demo}") { upstreamId } }`, {
      headers: asUser,
    });
    expect(ok.data).toEqual({ userProfile: { upstreamId: demo.upsun.profileIds.demo } });
    const missing = await h.gql(
      '{ userProfile(id: "0b8d6b3c-0000-4000-8000-000000000000") { upstreamId } }',
      { headers: asUser },
    );
    expect(missing.data).toEqual({ userProfile: null });
    expect(missing.errors?.[0]).toMatchObject({
      message: 'Profile not found',
      extensions: { code: 'NOT_FOUND' },
    });
  });

  it('leaves currentTrial null where newer upstream versions dropped it', async () => {
    const res = await h.gql(
      `{ userProfile(id: "${demo.upsun.profileIds.noTrial}") { currentTrial { active } } }`,
      { headers: asUser },
    );
    expect(res).toEqual({ data: { userProfile: { currentTrial: null } } });
  });
});

describe('upsun API token exchange', () => {
  const QUERY = `{ userProfile(id: "${demo.upsun.profileIds.demo}") { upstreamId } }`;
  const exchanges = () => h.sandbox.requests.filter((r) => r.source === 'upsun-auth');

  it('exchanges UPSUN_API_TOKEN once and reuses the bearer; the API never sees the API token', async () => {
    const gateway = h.gatewayWith({ UPSUN_API_TOKEN: demo.upsun.apiToken });
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => post(gateway, QUERY, { headers: {} })));
    for (const res of results) expect(res.errors).toBeUndefined();
    await post(gateway, QUERY, { headers: {} });
    expect(exchanges()).toHaveLength(1);
    const [exchange] = exchanges();
    expect(exchange?.method).toBe('POST');
    expect(exchange?.path).toBe('/oauth2/token');
    expect(Object.fromEntries(new URLSearchParams(exchange?.body))).toEqual({
      grant_type: 'api_token',
      api_token: demo.upsun.apiToken,
    });
    expect(exchange?.headers.authorization).toBe(
      `Basic ${Buffer.from('platform-api-user:').toString('base64')}`,
    );
    const apiCalls = h.sandbox.requests.filter((r) => r.source === 'upsun');
    // The five concurrent requests send one bearer, so they share one call (single-flight); the sixth has its own.
    expect(apiCalls).toHaveLength(2);
    for (const call of apiCalls) {
      expect(JSON.stringify(call)).not.toContain(demo.upsun.apiToken);
      expect(call.headers.authorization).toMatch(/^Bearer \S+$/);
    }
  });

  it('re-exchanges once after a 401 and retries the call', async () => {
    const gateway = h.gatewayWith({ UPSUN_API_TOKEN: demo.upsun.apiToken });
    await post(gateway, QUERY, { headers: {} });
    h.sandbox.revokeUpsunTokens();
    h.sandbox.clearLog();
    const res = await post(gateway, QUERY, { headers: {} });
    expect(res.errors).toBeUndefined();
    expect(h.sandbox.requests.map((r) => `${r.source} ${r.status}`)).toEqual([
      'upsun 401',
      'upsun-auth 200',
      'upsun 200',
    ]);
  });

  it('exchanges again when the bearer is about to expire', async () => {
    const gateway = h.gatewayWith({ UPSUN_API_TOKEN: demo.upsun.apiToken });
    const shortLived = JSON.stringify({
      access_token: demo.upsun.accessToken,
      expires_in: 30,
      token_type: 'bearer',
    });
    h.sandbox.inject({ source: 'upsun-auth', fault: { body: shortLived } });
    await post(gateway, QUERY, { headers: {} });
    await post(gateway, QUERY, { headers: {} });
    expect(exchanges()).toHaveLength(2);
  });

  it("prefers the caller's own credential and never renews it", async () => {
    const gateway = h.gatewayWith({ UPSUN_API_TOKEN: demo.upsun.apiToken });
    const res = await post(gateway, QUERY, {
      headers: { 'x-upsun-authorization': 'Bearer revoked-or-wrong' },
    });
    expect(codes(res)).toEqual(['UNAUTHENTICATED']);
    expect(exchanges()).toHaveLength(0);
    expect(h.sandbox.requests).toHaveLength(1);
  });

  it('reports a refused API token as UNAUTHENTICATED', async () => {
    const gateway = h.gatewayWith({ UPSUN_API_TOKEN: 'wrong-api-token' });
    const res = await post(gateway, QUERY, { headers: {} });
    expect(codes(res)).toEqual(['UNAUTHENTICATED']);
    expect(res.errors?.[0]?.message).toMatch(/UPSUN_API_TOKEN/);
    expect(JSON.stringify(res)).not.toContain('wrong-api-token');
  });
});
