import { beforeAll, describe, expect, it } from 'vitest';
import { memberKey } from '../../src/sources/matatika/client.js';
import { codes, demo, type Harness, post, useHarness } from '../support/harness.js';

const { profileIds: P, workspaceIds: W } = demo.matatika;
const enc = encodeURIComponent;
const h = useHarness();
const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');

let accountIds: string[];
beforeAll(async () => {
  const res = await h.gql<{ profiles: { edges: Array<{ node: { upstreamId: string } }> } }>(
    '{ profiles(first: 100) { edges { node { upstreamId } } } }',
  );
  accountIds = res.data?.profiles.edges.map((e) => e.node.upstreamId) ?? [];
});

const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Profile { upstreamId name } } }`;
const NODES = `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Profile { upstreamId name } } }`;

/** The upstream calls of `_entities` for these profile ids, then of `nodes` for the same. */
async function costs(ids: string[], gateway: Harness['gateway'] = h.gateway) {
  h.sandbox.clearLog();
  const viaEntities = await post<{ _entities: Array<{ upstreamId: string } | null> }>(gateway, ENTITIES, {
    variables: { r: ids.map((upstreamId) => ({ __typename: 'Profile', upstreamId })) },
  });
  const entityCalls = h.calls();
  h.sandbox.clearLog();
  const viaNodes = await post(gateway, NODES, {
    variables: { ids: ids.map((id) => globalId('Profile', id)) },
  });
  return { viaEntities, viaNodes, entityCalls, nodeCalls: h.calls() };
}

describe('federation _entities: N representations cost what nodes costs', () => {
  it('has the 30 profiles of the demo account to measure with', () => {
    expect(accountIds).toHaveLength(demo.matatika.counts.accountProfiles);
  });

  it.each([
    [1, [`GET /api/profiles/${enc(P.demo)}`]],
    [3, ['GET /api/profiles']],
    [30, ['GET /api/profiles']],
  ])('%i Profile representations', async (n, expected) => {
    const ids = accountIds.slice(0, n);
    const { viaEntities, entityCalls, nodeCalls } = await costs(ids);
    expect(viaEntities.errors).toBeUndefined();
    expect(viaEntities.data?._entities.map((e) => e?.upstreamId)).toEqual(ids);
    expect(entityCalls).toEqual(expected);
    expect(nodeCalls).toEqual(expected);
  });

  it('100 representations of the 30 profiles: one list call, deduplicated', async () => {
    const ids = Array.from({ length: 100 }, (_, i) => accountIds[i % 30] as string);
    const { viaEntities, entityCalls, nodeCalls } = await costs(ids);
    expect(viaEntities.data?._entities).toHaveLength(100);
    expect(entityCalls).toEqual(['GET /api/profiles']);
    expect(nodeCalls).toEqual(entityCalls);
  });

  it('100 distinct representations, 70 unknown: the list, then one GET per unknown id for its exact 404, within a budget that covers their bound', async () => {
    const unknown = Array.from({ length: 70 }, (_, i) => `auth0|unknown${i}`);
    const ids = [...accountIds, ...unknown];
    // Their bound is 101 (the list and a GET for each id it may lack): over a budget of 50, refused unrun.
    const refused = await costs(ids, h.gatewayWith({ MAX_UPSTREAM_CALLS: '50' }));
    expect(codes(refused.viaEntities)).toEqual(['LIMIT_EXCEEDED']);
    expect(refused.entityCalls).toEqual([]);
    const { viaEntities, viaNodes, entityCalls, nodeCalls } = await costs(
      ids,
      h.gatewayWith({ MAX_UPSTREAM_CALLS: '101' }),
    );
    const list = viaEntities.data?._entities ?? [];
    expect(list).toHaveLength(100);
    expect(list.slice(0, 30).map((e) => e?.upstreamId)).toEqual(accountIds);
    expect(list.slice(30).every((e) => e === null)).toBe(true);
    // Each unknown representation is null with its own error, at its own index; the list still answers.
    expect(viaEntities.errors?.map((e) => e.path?.[1]).sort((a, b) => Number(a) - Number(b))).toEqual(
      unknown.map((_, i) => 30 + i),
    );
    // The list and 70 single GETs, one 404 each.
    const tally = codes(viaEntities).reduce<Record<string, number>>((acc, c) => {
      acc[String(c)] = (acc[String(c)] ?? 0) + 1;
      return acc;
    }, {});
    expect(tally).toEqual({ NOT_FOUND: 70 });
    expect(entityCalls).toHaveLength(71);
    expect(entityCalls[0]).toBe('GET /api/profiles');
    expect([...nodeCalls].sort()).toEqual([...entityCalls].sort());
    expect(codes(viaNodes)).toEqual(codes(viaEntities));
  });

  it('resolves every entity type by id and by upstreamId through its loader', async () => {
    const res = await h.gql<{ _entities: Array<Record<string, unknown> | null> }>(
      `query($r: [_Any!]!) { _entities(representations: $r) {
        __typename
        ... on Profile { upstreamId }
        ... on Workspace { upstreamId name }
        ... on Member { upstreamId name }
      } }`,
      {
        variables: {
          r: [
            { __typename: 'Profile', id: globalId('Profile', P.demo) },
            { __typename: 'Workspace', upstreamId: W.ready },
            { __typename: 'Workspace', id: globalId('Workspace', W.failed) },
            { __typename: 'Member', id: globalId('Member', memberKey(W.ready, P.google)) },
          ],
        },
      },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?._entities).toMatchObject([
      { __typename: 'Profile', upstreamId: P.demo },
      { __typename: 'Workspace', upstreamId: W.ready },
      { __typename: 'Workspace', upstreamId: W.failed },
      { __typename: 'Member', upstreamId: P.google },
    ]);
  });

  it('answers a representation it cannot read as null with its code, and the others still', async () => {
    const res = await h.gql<{ _entities: Array<{ upstreamId: string } | null> }>(ENTITIES, {
      variables: {
        r: [
          { __typename: 'Profile', upstreamId: P.demo },
          { __typename: 'Profile', id: globalId('Workspace', W.ready) },
          { __typename: 'Profile', id: 'not a global id' },
          { __typename: 'Profile' },
          { __typename: 'Profile', upstreamId: P.google },
        ],
      },
    });
    expect(res.data?._entities.map((e) => e?.upstreamId ?? null)).toEqual([
      P.demo,
      null,
      null,
      null,
      P.google,
    ]);
    expect(res.errors?.map((e) => [e.path, e.extensions?.code])).toEqual(
      expect.arrayContaining([
        [['_entities', 1], 'BAD_USER_INPUT'],
        [['_entities', 2], 'BAD_USER_INPUT'],
        [['_entities', 3], 'BAD_USER_INPUT'],
      ]),
    );
  });

  it('answers a FORBIDDEN profile as null with FORBIDDEN at its index', async () => {
    h.sandbox.inject({ source: 'matatika', path: `/api/profiles/${enc(P.google)}`, fault: { status: 403 } });
    const res = await h.gql<{ _entities: Array<{ upstreamId: string } | null> }>(ENTITIES, {
      variables: { r: [P.google, P.demo].map((upstreamId) => ({ __typename: 'Profile', upstreamId })) },
    });
    expect(res.data?._entities.map((e) => e?.upstreamId ?? null)).toEqual([null, P.demo]);
    expect(res.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['_entities', 0], 'FORBIDDEN']]);
  });
});
