import { describe, expect, it } from 'vitest';
import { codes, demo, useHarness } from '../support/harness.js';

const h = useHarness();
const asAdmin = { 'x-cadenya-authorization': `Bearer ${demo.cadenya.tokens.admin}` };
const NODE = 'upstreamId accountId name profileId externalId labels { key value } type email displayName';

interface Conn {
  totalCount: number | null;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
  edges: Array<{ cursor: string; node: { upstreamId: string; type: string } & Record<string, unknown> }>;
}
type RawItem = {
  metadata: {
    id: string;
    accountId: string;
    name: string;
    profileId?: string;
    externalId?: string;
    labels?: Record<string, string>;
  };
  spec?: { type?: string; email?: string; name?: string };
};

async function search(args: string, headers: Record<string, string> = asAdmin) {
  const res = await h.gql<{ accountProfiles: Conn }>(
    `{ accountProfiles(${args}) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { ${NODE} } } } }`,
    { headers },
  );
  return { res, conn: res.data?.accountProfiles as Conn };
}

/** The upstream's own answer, read straight from the sandbox, as the oracle for the gateway's mapping. */
async function upstreamItems(): Promise<RawItem[]> {
  const body = (await fetch(`${h.sandbox.urlOf('cadenya')}/v1/account/profiles?limit=50`, {
    headers: { authorization: `Bearer ${demo.cadenya.tokens.admin}` },
  }).then((r) => r.json())) as { items: RawItem[] };
  h.sandbox.clearLog();
  return body.items;
}

describe('cadenya accountProfiles', () => {
  it('flattens metadata and spec, strips the type prefix and lists labels as pairs', async () => {
    const raw = await upstreamItems();
    const { res, conn } = await search('first: 50');
    expect(res.errors).toBeUndefined();
    expect(conn.totalCount).toBe(demo.cadenya.count);
    expect(conn.edges.map((e) => e.node)).toEqual(
      raw.map((p) => ({
        upstreamId: p.metadata.id,
        accountId: p.metadata.accountId,
        name: p.metadata.name,
        profileId: p.metadata.profileId ?? null,
        externalId: p.metadata.externalId ?? null,
        labels: Object.entries(p.metadata.labels ?? {}).map(([key, value]) => ({ key, value })),
        type: (p.spec?.type ?? 'PROFILE_TYPE_UNSPECIFIED').replace('PROFILE_TYPE_', ''),
        email: p.spec?.email ?? null,
        displayName: p.spec?.name ?? null,
      })),
    );
  });

  it('sends query, labels as k=v pairs, type with its prefix, and limit upstream', async () => {
    await search(
      'first: 5, query: "bot", type: API_KEY, labels: [{ key: "team", value: "support" }, { key: "environment", value: "production" }]',
    );
    const [request] = h.sandbox.requests;
    expect(request?.path).toBe('/v1/account/profiles');
    expect(Object.fromEntries(new URLSearchParams(request?.query))).toEqual({
      query: 'bot',
      labels: 'environment=production,team=support',
      type: 'PROFILE_TYPE_API_KEY',
      limit: '5',
    });
  });

  it('filters by type in the gateway too, since the upstream may ignore it, and then reports no total', async () => {
    const raw = await upstreamItems();
    const apiKeys = raw.filter((p) => p.spec?.type === 'PROFILE_TYPE_API_KEY').map((p) => p.metadata.id);
    expect(apiKeys.length).toBeGreaterThan(0);
    const { conn } = await search('first: 50, type: API_KEY');
    expect(conn.edges.map((e) => e.node.upstreamId)).toEqual(apiKeys);
    expect(conn.totalCount).toBeNull();
  });

  it('pages with the upstream cursor and resumes from any edge, not only the last', async () => {
    const all = (await search('first: 50')).conn.edges.map((e) => e.node.upstreamId);
    const walked: string[] = [];
    let after = '';
    for (let i = 0; i < 10; i++) {
      const { conn } = await search(`first: 4${after ? `, after: "${after}"` : ''}`);
      walked.push(...conn.edges.map((e) => e.node.upstreamId));
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor as string;
    }
    expect(walked).toEqual(all);

    const firstPage = (await search('first: 4')).conn;
    const fromSecondEdge = (await search(`first: 4, after: "${firstPage.edges[1]?.cursor}"`)).conn;
    expect(fromSecondEdge.edges.map((e) => e.node.upstreamId)).toEqual(all.slice(2, 6));
    expect(fromSecondEdge.pageInfo.hasPreviousPage).toBe(true);
  });

  it('refuses a cursor from another search or an edited cursor, before any request', async () => {
    const { conn } = await search('first: 2, query: "a"');
    h.sandbox.clearLog();
    const other = await search(`first: 2, query: "b", after: "${conn.pageInfo.endCursor}"`);
    expect(codes(other.res)).toEqual(['BAD_USER_INPUT']);
    const edited = `${conn.pageInfo.endCursor?.slice(0, -2)}xx`;
    const tampered = await search(`first: 2, query: "a", after: "${edited}"`);
    expect(codes(tampered.res)).toEqual(['BAD_USER_INPUT']);
    expect(h.sandbox.requests).toHaveLength(0);
  });

  it('refuses a label that cannot be written as k=v', async () => {
    const { res } = await search('labels: [{ key: "a=b", value: "c" }]');
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(h.sandbox.requests).toHaveLength(0);
  });

  it('maps the google.rpc.Status 403 for a non-admin to FORBIDDEN, keeping its message', async () => {
    const { res, conn } = await search('first: 5', {
      'x-cadenya-authorization': `Bearer ${demo.cadenya.tokens.member}`,
    });
    expect(conn.edges).toEqual([]);
    expect(res.errors?.[0]).toMatchObject({
      path: ['accountProfiles'],
      message: expect.stringMatching(/admin/i),
      extensions: {
        code: 'FORBIDDEN',
        upstream: { source: 'cadenya', status: 403, path: '/cadenya/v1/account/profiles' },
      },
    });
  });

  it('maps a 429 to RATE_LIMITED with retryAfter', async () => {
    h.sandbox.inject({ source: 'cadenya', fault: { status: 429, headers: { 'retry-after': '30' } } });
    const { res } = await search('first: 5');
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 30 });
  });
});

describe('cadenya AccountProfile as a node', () => {
  it('refetches by global id by walking the account list, since cadenya has no get-by-id', async () => {
    const { conn } = await search('first: 3');
    const target = conn.edges[2]?.node.upstreamId as string;
    const globalId = Buffer.from(`AccountProfile:${target}`).toString('base64');
    h.sandbox.clearLog();
    const res = await h.gql(`{ node(id: "${globalId}") { ... on AccountProfile { upstreamId name } } }`, {
      headers: asAdmin,
    });
    expect(res.data).toMatchObject({ node: { upstreamId: target } });
    expect(h.calls('cadenya')).toEqual(['GET /v1/account/profiles?limit=50']);
  });

  it('answers a node already seen in the same request with no extra call', async () => {
    const { conn } = await search('first: 3');
    const globalId = Buffer.from(`AccountProfile:${conn.edges[0]?.node.upstreamId}`).toString('base64');
    h.sandbox.clearLog();
    const res = await h.gql(
      `{ accountProfiles(first: 3) { totalCount } again: node(id: "${globalId}") { id } }`,
      { headers: asAdmin },
    );
    expect(res.errors).toBeUndefined();
    expect(h.calls('cadenya')).toEqual(['GET /v1/account/profiles?limit=3']);
  });

  it('answers NOT_FOUND for an id the account does not have', async () => {
    const globalId = Buffer.from('AccountProfile:profile_01NOPE').toString('base64');
    const res = await h.gql(`{ node(id: "${globalId}") { id } }`, { headers: asAdmin });
    expect(res.data).toEqual({ node: null });
    expect(codes(res)).toEqual(['NOT_FOUND']);
  });
});
