import { buildHTTPExecutor } from '@graphql-tools/executor-http';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { stitchSchemas } from '@graphql-tools/stitch';
import { stitchingDirectives } from '@graphql-tools/stitching-directives';
import { buildSchema, execute, type GraphQLSchema, parse } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { asDemo, demo, useHarness } from '../support/harness.js';

const P = demo.matatika.profileIds;
// 100 owner keys, 70 of them unknown, may cost 101 calls (the list, and a GET per key it lacks): a
// budget under that bound would refuse them before any call (test/schema/cost.test.ts).
const h = useHarness({ MAX_UPSTREAM_CALLS: '101' });
const { stitchingDirectivesTypeDefs, stitchingDirectivesTransformer } = stitchingDirectives();

/** A second service of the test's own, described to the stitching gateway by its SDL alone. */
const projectsSdl = /* GraphQL */ `
  ${stitchingDirectivesTypeDefs}
  type Project { id: ID! name: String! owner: Profile }
  type Profile @key(selectionSet: "{ upstreamId }") { upstreamId: String! projects: [Project!]! }
  type Query {
    projects: [Project!]!
    _profilesByIds(ids: [String!]!): [Profile]! @merge(keyField: "upstreamId")
  }
`;

const unknown = Array.from({ length: 70 }, (_, i) => `auth0|unknown${i}`);
let accountIds: string[];
let projects: Array<{ id: string; name: string; ownerId: string }>;
/** The operations this gateway received from the stitching gateway. */
const received: Array<{ query: string; variables?: Record<string, unknown> }> = [];
let stitched: GraphQLSchema;

beforeAll(async () => {
  const res = await h.gql<{ profiles: { edges: Array<{ node: { upstreamId: string } }> } }>(
    '{ profiles(first: 100) { edges { node { upstreamId } } } }',
  );
  accountIds = res.data?.profiles.edges.map((e) => e.node.upstreamId) ?? [];
  // 100 projects with 100 distinct owners: the account's 30 profiles and 70 ids the upstream does not know.
  projects = [...accountIds, ...unknown].map((ownerId, i) => ({
    id: `p${i}`,
    name: `Project ${i}`,
    ownerId,
  }));

  const projectsSchema = makeExecutableSchema({
    typeDefs: projectsSdl,
    resolvers: {
      Query: {
        projects: () => projects,
        _profilesByIds: (_root: unknown, { ids }: { ids: string[] }) =>
          ids.map((upstreamId) => ({ upstreamId })),
      },
      Project: { owner: (p: { ownerId: string }) => ({ upstreamId: p.ownerId }) },
      Profile: {
        projects: (p: { upstreamId: string }) =>
          projects.filter((project) => project.ownerId === p.upstreamId),
      },
    },
  });

  // This gateway over HTTP (its fetch handler), forwarding the caller's credential; its SDL read from `_sdl`.
  const executor = buildHTTPExecutor({
    endpoint: 'http://gateway.test/graphql',
    fetch: async (url, init) => {
      received.push(JSON.parse(String(init?.body)));
      return h.gateway.fetch(String(url), init as RequestInit);
    },
    headers: (request) => ({
      authorization: (request?.context as { authorization?: string } | undefined)?.authorization ?? '',
    }),
  });
  const sdl = (await h.gql<{ _sdl: string }>('{ _sdl }')).data?._sdl as string;
  stitched = stitchSchemas({
    subschemaConfigTransforms: [stitchingDirectivesTransformer],
    subschemas: [
      { schema: buildSchema(sdl, { assumeValidSDL: true }), executor },
      { schema: buildSchema(projectsSdl, { assumeValidSDL: true }), executor: localExecutor(projectsSchema) },
    ],
  });
});

function localExecutor(schema: GraphQLSchema) {
  // biome-ignore lint/suspicious/noExplicitAny: the executor request type of @graphql-tools is wide
  return (request: any) =>
    execute({ schema, document: request.document, variableValues: request.variables }) as never;
}

async function run<T>(query: string) {
  received.length = 0;
  h.sandbox.clearLog();
  return (await execute({ schema: stitched, document: parse(query), contextValue: asDemo })) as {
    data?: T;
    errors?: ReadonlyArray<{ path?: ReadonlyArray<string | number>; extensions?: Record<string, unknown> }>;
  };
}

describe('schema stitching: merged types configure themselves from the published SDL', () => {
  it('publishes the stitching directives in its SDL', async () => {
    const sdl = (await h.gql<{ _sdl: string }>('{ _sdl }')).data?._sdl ?? '';
    expect(sdl).toContain('type Profile implements Node @key(selectionSet: "{ upstreamId }") @canonical');
    expect(sdl).toContain('profilesByIds(ids: [String!]!): [Profile]! @merge(keyField: "upstreamId")');
    expect(sdl).not.toContain('_entities');
  });

  it('resolves 100 owner keys with one profilesByIds field in one request, well under the alias limit', async () => {
    const res = await run<{
      projects: Array<{ name: string; owner: { upstreamId: string; name: string | null } | null }>;
    }>('{ projects { name owner { upstreamId name } } }');
    const list = res.data?.projects ?? [];
    expect(list).toHaveLength(100);
    expect(list[1]?.owner).toEqual({ upstreamId: P.google, name: 'Ada Lovelace' });
    // The 70 unknown owners keep their key and answer null for what this gateway could not read.
    expect(list.slice(30).every((p) => p.owner?.name === null)).toBe(true);
    // 70 owners are unknown: each gets its exact 404.
    expect(new Set(res.errors?.map((e) => e.extensions?.code))).toEqual(new Set(['NOT_FOUND']));

    expect(received).toHaveLength(1);
    expect(received[0]?.query).toMatch(/profilesByIds\(ids: ?\$ids\)/);
    expect(received[0]?.query.match(/profilesByIds/g)).toHaveLength(1);
    expect(Object.values(received[0]?.variables ?? {})).toContainEqual([...accountIds, ...unknown]);
    // The account's list for the 30 it holds, one GET for each unknown id (its exact 404): what `nodes` costs.
    expect(h.calls()).toHaveLength(71);
    expect(h.calls()[0]).toBe('GET /api/profiles');
  });

  it("merges the other service's Profile.projects into this gateway's profiles", async () => {
    const res = await run<{
      profiles: { edges: Array<{ node: { upstreamId: string; projects: Array<{ id: string }> } }> };
    }>('{ profiles(first: 100) { edges { node { upstreamId name projects { id } } } } }');
    expect(res.errors).toBeUndefined();
    const edges = res.data?.profiles.edges ?? [];
    expect(edges).toHaveLength(30);
    expect(edges.every((e) => e.node.projects.length === 1)).toBe(true);
    expect(received).toHaveLength(1);
    expect(h.calls()).toEqual(['GET /api/profiles']);
  });
});
