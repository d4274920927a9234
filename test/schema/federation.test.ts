import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { composeServices } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asDemo, demo, type GraphQLResponse, useHarness } from '../support/harness.js';
import {
  close,
  listen,
  PROJECTS_TOKEN,
  type Project,
  type ProjectsSubgraph,
  projectsTypeDefs,
  startProjectsSubgraph,
} from '../support/projects-subgraph.js';

const P = demo.matatika.profileIds;
const enc = encodeURIComponent;
const h = useHarness();

/** Which headers of the client's request go to which subgraph: each credential to its own source only. */
const CREDENTIALS: Record<string, string[]> = {
  profiles: ['authorization', 'x-cadenya-authorization', 'x-moltaro-authorization', 'x-upsun-authorization'],
  projects: ['x-projects-token'],
};
function credentialsFor(subgraph: string, incoming: { get(name: string): string | null | undefined }) {
  const out: Record<string, string> = {};
  for (const name of CREDENTIALS[subgraph] ?? []) {
    const value = incoming.get(name);
    if (value) out[name] = value;
  }
  return out;
}

let profilesUrl: string;
let profilesServer: Server;
const profilesHeaders: Headers[] = [];
let projects: ProjectsSubgraph;
let accountIds: string[];
let apollo: { url: string; stop(): Promise<void> };
let supergraphSdl: string;
const subgraphSdl = readFileSync(new URL('../../schema/subgraph.graphql', import.meta.url), 'utf8');

/** The subgraph SDL without @authenticated and @requiresScopes, which @apollo/gateway cannot load. */
function withoutAuthDirectives(sdl: string): string {
  return sdl
    .replace(/ @authenticated\b| @requiresScopes\(scopes: \[\[[^\]]*\]\]\)/g, '')
    .replace(/"@authenticated", |"@requiresScopes", /g, '');
}

beforeAll(async () => {
  // This gateway, as a federation subgraph over HTTP, on the same endpoint clients use.
  await h.gql('{ __typename }');
  profilesServer = createServer((req, res) => {
    profilesHeaders.push(new Headers(req.headers as Record<string, string>));
    h.gateway(req, res);
  });
  profilesUrl = `${await listen(profilesServer)}/graphql`;

  const res = await h.gql<{ profiles: { edges: Array<{ node: { upstreamId: string } }> } }>(
    '{ profiles(first: 100) { edges { node { upstreamId } } } }',
  );
  accountIds = res.data?.profiles.edges.map((e) => e.node.upstreamId) ?? [];
  // 60 projects owned by the account's 30 profiles in turn, and one owned by a profile of another account.
  const owned: Project[] = Array.from({ length: 60 }, (_, i) => ({
    id: `p${i}`,
    name: `Project ${i}`,
    ownerId: accountIds[i % accountIds.length] as string,
  }));
  projects = await startProjectsSubgraph([
    ...owned,
    { id: 'foreign', name: 'Foreign', ownerId: P.otherAccount },
  ]);

  const composed = composeServices([
    {
      name: 'profiles',
      url: profilesUrl,
      typeDefs: parse(subgraphSdl),
    },
    { name: 'projects', url: projects.url, typeDefs: projectsTypeDefs },
  ]);
  expect(composed.errors).toBeUndefined();
  supergraphSdl = composed.supergraphSdl as string;

  // @apollo/gateway refuses a supergraph that uses features `for: SECURITY` (@authenticated,
  // @requiresScopes: Apollo Router and Hive Gateway enforce them), so it gets one composed without them.
  const forApolloGateway = composeServices([
    { name: 'profiles', url: profilesUrl, typeDefs: parse(withoutAuthDirectives(subgraphSdl)) },
    { name: 'projects', url: projects.url, typeDefs: projectsTypeDefs },
  ]);
  expect(forApolloGateway.errors).toBeUndefined();
  const gateway = new ApolloGateway({
    supergraphSdl: forApolloGateway.supergraphSdl as string,
    buildService: ({ name, url }) =>
      new RemoteGraphQLDataSource<{ headers: Headers }>({
        url,
        willSendRequest: ({ request, context }) => {
          if (!context.headers) return;
          for (const [k, v] of Object.entries(credentialsFor(name, context.headers)))
            request.http?.headers.set(k, v);
        },
      }),
  });
  const server = new ApolloServer({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => ({ headers: new Headers(req.headers as Record<string, string>) }),
  });
  apollo = { url, stop: () => server.stop() };
}, 60_000);

afterAll(async () => {
  await apollo?.stop();
  await projects?.close();
  if (profilesServer) await close(profilesServer);
});

const asCaller = { ...asDemo, 'x-projects-token': PROJECTS_TOKEN };

async function viaApollo<T>(
  query: string,
  headers: Record<string, string> = asCaller,
): Promise<GraphQLResponse<T>> {
  const response = await fetch(apollo.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as GraphQLResponse<T>;
}

function hive() {
  return createGatewayRuntime({
    supergraph: supergraphSdl,
    logging: false,
    propagateHeaders: {
      fromClientToSubgraphs: ({ request, subgraphName }) => credentialsFor(subgraphName, request.headers),
    },
  });
}

describe('federation: this gateway as an Apollo Federation v2 subgraph', () => {
  it('composes beside a subgraph that extends Profile, with 0 errors, its cost and auth directives included', () => {
    expect(supergraphSdl).toContain('join__type(graph: PROFILES, key: "upstreamId")');
    expect(supergraphSdl).toMatch(
      /setDefaultWorkspace\(.*\): SetDefaultWorkspacePayload! .*@requiresScopes\(scopes: \[\["profile:write"\]\]\)/,
    );
    expect(supergraphSdl).toMatch(
      /members\(.*\): MemberConnection! .*@listSize\(assumedSize: 20, slicingArguments: \["first"\]/,
    );
    expect(supergraphSdl).toMatch(/type Profile implements Node[^{]*@authenticated/);
  });

  it('answers a query across both subgraphs through @apollo/gateway, each credential to its own subgraph', async () => {
    profilesHeaders.length = 0;
    projects.headers.length = 0;
    const res = await viaApollo<{ projects: Array<{ name: string; owner: { upstreamId: string } | null }> }>(
      '{ projects { name owner { upstreamId name email defaultWorkspace { name } } } }',
    );
    const list = res.data?.projects ?? [];
    expect(list).toHaveLength(61);
    expect(list[1]).toEqual({
      name: 'Project 1',
      owner: {
        upstreamId: P.google,
        name: 'Ada Lovelace',
        email: 'ada.lovelace@testcompany.io',
        defaultWorkspace: { name: 'Marketing Analytics' },
      },
    });
    expect(list.slice(0, 60).map((p) => p.owner?.upstreamId)).toEqual([...accountIds, ...accountIds]);
    // The other account's profile: the upstream answers 404. The gateway keeps the reference the projects
    // subgraph gave and nulls what this subgraph could not answer, with that error at that owner.
    expect(list[60]).toEqual({
      name: 'Foreign',
      owner: { upstreamId: P.otherAccount, name: null, email: null, defaultWorkspace: null },
    });
    expect(res.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([
      [['projects', 60, 'owner'], 'NOT_FOUND'],
    ]);
    // 60 owners (30 distinct) cost the account's profile list, plus the foreign one's own GET.
    expect(h.calls()).toEqual(['GET /api/profiles', `GET /api/profiles/${enc(P.otherAccount)}`]);
    expect(
      projects.headers.every(
        (hd) => hd.get('x-projects-token') === PROJECTS_TOKEN && !hd.has('authorization'),
      ),
    ).toBe(true);
    expect(
      profilesHeaders.every(
        (hd) => hd.get('authorization') === asDemo.authorization && !hd.has('x-projects-token'),
      ),
    ).toBe(true);
  });

  it('answers an owner the caller may not read as partial data with FORBIDDEN', async () => {
    h.sandbox.inject({
      source: 'matatika',
      path: `/api/profiles/${enc(P.otherAccount)}`,
      fault: { status: 403 },
    });
    const res = await viaApollo<{ projects: Array<{ owner: unknown }> }>(
      '{ projects { name owner { name } } }',
    );
    expect(res.data?.projects).toHaveLength(61);
    expect(res.data?.projects[60]?.owner).toEqual({ name: null });
    expect(res.data?.projects[1]?.owner).toEqual({ name: 'Ada Lovelace' });
    expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
  });

  it('adds Profile.projects from the other subgraph to a profile of this one', async () => {
    const res = await viaApollo<{ profile: { name: string; projects: Array<{ id: string }> } }>(
      `{ profile(id: "${P.demo}") { name projects { id } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.profile.projects.length).toBeGreaterThan(0);
    expect(h.calls()).toEqual([`GET /api/profiles/${enc(P.demo)}`]);
  });

  it('costs the same upstream calls for the owners as the same profiles through nodes', async () => {
    await viaApollo('{ projects { owner { name } } }');
    const viaFederation = h.calls();
    h.sandbox.clearLog();
    const ids = [...accountIds, P.otherAccount].map((id) => Buffer.from(`Profile:${id}`).toString('base64'));
    await h.gql('query($ids: [ID!]!) { nodes(ids: $ids) { ... on Profile { name } } }', {
      variables: { ids },
    });
    expect(viaFederation).toEqual(h.calls());
  });

  it('serves the same supergraph through Hive Gateway', async () => {
    const gateway = hive();
    try {
      const response = await gateway.fetch('http://hive.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...asCaller },
        body: JSON.stringify({ query: '{ projects { name owner { name email } } }' }),
      });
      const res = (await response.json()) as GraphQLResponse<{ projects: Array<{ owner: unknown }> }>;
      expect(res.data?.projects).toHaveLength(61);
      expect(res.data?.projects[1]?.owner).toEqual({
        name: 'Ada Lovelace',
        email: 'ada.lovelace@testcompany.io',
      });
      expect(res.data?.projects[60]?.owner).toEqual({ name: null, email: null });
      // Hive Gateway repeats the entity's error at each field it nulls.
      expect(res.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([
        [['projects', 60, 'owner', 'name'], 'NOT_FOUND'],
        [['projects', 60, 'owner', 'email'], 'NOT_FOUND'],
      ]);
      expect(h.calls()).toEqual(['GET /api/profiles', `GET /api/profiles/${enc(P.otherAccount)}`]);
    } finally {
      await gateway.dispose();
    }
  });
});
