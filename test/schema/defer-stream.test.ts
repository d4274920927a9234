import { createServer, type Server } from 'node:http';
import { meros } from 'meros/browser';
import { afterAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway.js';
import { asDemo, codes, demo, type GraphQLResponse, post, useHarness } from '../support/harness.js';
import { close, listen } from '../support/projects-subgraph.js';

const { profileIds: P, workspaceIds: W } = demo.matatika;
const enc = encodeURIComponent;
const h = useHarness();

interface Part extends GraphQLResponse {
  hasNext?: boolean;
  incremental?: Array<GraphQLResponse & { path: Array<string | number>; items?: unknown[] }>;
}

const servers = new Map<Gateway, { server: Server; origin: Promise<string> }>();
afterAll(async () => {
  await Promise.all([...servers.values()].map(({ server }) => close(server)));
});

/** POSTs over real HTTP asking for multipart/mixed, and reads the parts with meros, as a web client would. */
async function incremental(query: string, gateway: Gateway = h.gateway): Promise<Part[]> {
  await h.gql('{ __typename }');
  let entry = servers.get(gateway);
  if (!entry) {
    const server = createServer(gateway);
    entry = { server, origin: listen(server) };
    servers.set(gateway, entry);
  }
  const response = await fetch(`${await entry.origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'multipart/mixed', ...asDemo },
    body: JSON.stringify({ query }),
  });
  expect(response.headers.get('content-type')).toMatch(/^multipart\/mixed/);
  const parts: Part[] = [];
  for await (const part of (await meros<Part>(response)) as AsyncIterable<{ body: Part }>)
    parts.push(part.body);
  return parts;
}

const PROFILE_THEN_WORKSPACE = `{
  profile(id: "${P.demo}") {
    name
    ... @defer { defaultWorkspace { name status members(first: 50) { totalCount } } }
  }
}`;

describe('@defer and @stream over multipart/mixed', () => {
  it('sends the profile first and its workspace in a later part, for the same upstream calls', async () => {
    const parts = await incremental(PROFILE_THEN_WORKSPACE);
    expect(parts).toHaveLength(2);
    expect(parts[0]).toEqual({ data: { profile: { name: expect.any(String) } }, hasNext: true });
    expect(parts[1]).toEqual({
      incremental: [
        {
          path: ['profile'],
          data: {
            defaultWorkspace: { name: expect.any(String), status: 'READY', members: { totalCount: 24 } },
          },
        },
      ],
      hasNext: false,
    });
    const deferred = h.calls();
    h.sandbox.clearLog();
    await h.gql(PROFILE_THEN_WORKSPACE.replace('... @defer', '...'));
    expect(deferred.sort()).toEqual(h.calls().sort());
  });

  it("keeps a deferred fragment's errors in that fragment's part", async () => {
    h.sandbox.inject({ source: 'matatika', path: `/api/workspaces/${W.ready}`, fault: { status: 500 } });
    h.sandbox.inject({
      source: 'matatika',
      path: `/api/workspaces/${W.ready}/members`,
      fault: { status: 500 },
    });
    const parts = await incremental(PROFILE_THEN_WORKSPACE);
    expect(parts[0]?.errors).toBeUndefined();
    expect(parts[0]?.data).toEqual({ profile: { name: expect.any(String) } });
    const [fragment] = parts[1]?.incremental ?? [];
    // The workspace's own fields fail; its failed member list answers an empty connection, and its
    // error (added by the gateway, not by graphql-js) lands in the same part.
    expect(fragment?.data).toEqual({
      defaultWorkspace: { name: expect.any(String), status: null, members: { totalCount: null } },
    });
    expect(fragment?.errors?.map((e) => [e.path, e.extensions?.code])).toEqual(
      expect.arrayContaining([
        [['profile', 'defaultWorkspace', 'status'], 'UPSTREAM_ERROR'],
        [['profile', 'defaultWorkspace', 'members'], 'UPSTREAM_ERROR'],
      ]),
    );
    expect(fragment?.errors).toHaveLength(2);
  });

  it('streams list items after the first, each in a later part', async () => {
    const parts = await incremental(`{
      workspaces(first: 5) { edges @stream(initialCount: 1) { node { upstreamId } } }
    }`);
    const first =
      (parts[0]?.data as { workspaces: { edges: unknown[] } } | undefined)?.workspaces.edges ?? [];
    expect(first).toHaveLength(1);
    const streamed = parts
      .slice(1)
      .flatMap((p) => p.incremental ?? [])
      .flatMap((i) => i.items ?? []);
    expect(first.length + streamed.length).toBe(demo.matatika.counts.demoWorkspaces);
    expect(parts.at(-1)?.hasNext).toBe(false);
    expect(h.calls()).toEqual(['GET /api/workspaces?page=0&size=5']);
  });

  it('still holds the upstream timeout inside a deferred fragment', async () => {
    const fast = h.gatewayWith({ MATATIKA_TIMEOUT_MS: '300' });
    h.sandbox.inject({ source: 'matatika', path: `/api/workspaces/${W.ready}`, fault: { hang: true } });
    const parts = await incremental(
      `{ profile(id: "${P.demo}") { name ... @defer { defaultWorkspace { status } } } }`,
      fast,
    );
    expect(parts[0]).toEqual({ data: { profile: { name: expect.any(String) } }, hasNext: true });
    const [fragment] = parts[1]?.incremental ?? [];
    expect(fragment?.errors?.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_TIMEOUT']);
    expect(parts.at(-1)?.hasNext).toBe(false);
  });

  it('still refuses an operation over the alias limit, aliases inside deferred fragments included', async () => {
    const aliases = Array.from({ length: 31 }, (_, i) => `p${i}: profile(id: "${P.demo}") { name }`).join(
      ' ',
    );
    const res = await post(h.gateway, `{ ... @defer { ${aliases} } }`);
    expect(codes(res)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(h.calls()).toEqual([]);
  });

  it('costs one profile GET for a deferred profile asked twice', async () => {
    const parts = await incremental(
      `{ a: profile(id: "${P.demo}") { name } ... @defer { b: profile(id: "${P.demo}") { email } } }`,
    );
    expect(parts).toHaveLength(2);
    expect(h.calls()).toEqual([`GET /api/profiles/${enc(P.demo)}`]);
  });
});
