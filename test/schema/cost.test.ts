import { describe, expect, it } from 'vitest';
import { EXAMPLES, exampleOperation } from '../../src/examples.js';
import { codes, demo, type GraphQLResponse, post, useHarness } from '../support/harness.js';

const { profileIds: P, workspaceIds: W } = demo.matatika;
const h = useHarness();
const ALL = {
  authorization: `Bearer ${demo.matatika.tokens.demo}`,
  'x-cadenya-authorization': `Bearer ${demo.cadenya.tokens.admin}`,
  'x-moltaro-authorization': `Bearer ${demo.moltaro.tokens.demo}`,
  'x-upsun-authorization': `Bearer ${demo.upsun.accessToken}`,
  'x-gateway-cost': '1',
};
const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');
type Cost = { estimatedCalls: number; actualCalls: number };
const costOf = (res: GraphQLResponse) => (res as { extensions?: { cost?: Cost } }).extensions?.cost;

const EXAMPLE_VARIABLES: Record<string, Record<string, unknown>> = {
  overview: { profileId: P.demo },
  'workspace-members': { workspaceId: W.large },
  'set-default-workspace': { profileId: P.demo, workspaceId: W.failed },
  'upsert-profile': { input: { profileId: P.demo, name: 'Ada' } },
};

/** Shapes the suite's loading tests send (schema/loading.test.ts, sources/list-priming.test.ts, schema/entities.test.ts). */
const SUITE = [
  `{ a: profile(id: "${P.demo}") { name } b: profile(id: "${P.demo}") { email } }`,
  `{ a: profile(id: "${P.demo}") { name } b: profile(id: "${P.google}") { name } c: profile(id: "auth0|none") { name } }`,
  `{ a: workspace(id: "${W.ready}") { name } b: workspace(id: "${W.failed}") { status } c: workspace(id: "${W.forbidden}") { name } }`,
  `{ workspace(id: "${W.large}") { members(first: 40) { totalCount edges { node { name profile { email } } } } } }`,
  `{ p: profile(id: "${P.google}") { name } workspace(id: "${W.large}") { members(first: 40) { edges { node { profile { email } } } } } }`,
  `{ profile(id: "${P.demo}") { defaultWorkspace { id name status members(first: 3) { edges { node { name workspace { name } } } } } } }`,
  `{ workspaces(first: 10) { edges { node { name isDefault member(id: "${P.demo}") { name profile { name } } } } } profile(id: "${P.demo}") { defaultWorkspace { status } } }`,
  `{ nodes(ids: ["${gid('Profile', P.demo)}", "${gid('Workspace', W.ready)}", "${gid('UserProfile', demo.upsun.profileIds.demo)}"]) { id ... on Workspace { name members(first: 2) { totalCount } } } }`,
  `query($r: [_Any!]!) { _entities(representations: $r) { ... on Profile { name defaultWorkspace { status } } } }`,
  `{ accountProfiles(first: 3, type: USER) { edges { node { name } } } userProfiles(first: 3) { totalCount } workspaceAccountProfile { email } }`,
  `{ userProfilesByIds(ids: ["${demo.upsun.profileIds.demo}", "nobody"]) { id } accountProfilesByIds(ids: ["x"]) { id } }`,
  `mutation { a: setDefaultWorkspace(input: { profileId: "${P.demo}", workspaceId: "${W.ready}" }) { profile { defaultWorkspace { status } } } b: setDefaultWorkspace(input: { profileId: "${P.demo}", workspaceId: "${W.failed}" }) { previousDefaultWorkspace { isDefault name } } }`,
];

/** A small seeded generator (mulberry32), so the generated queries are the same on every run. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generated(seed: number): string {
  const r = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)] as T;
  const some = (parts: Array<() => string>) =>
    parts
      .filter(() => r() < 0.5)
      .map((p) => p())
      .join(' ') || 'id';
  const first = () => pick([0, 1, 3, 5]);
  const workspace = (depth: number): string =>
    some([
      () => 'name',
      () => 'status isDefault',
      () =>
        `${pick(['', 'm2: '])}members(first: ${first()}) { totalCount edges { node { ${member(depth + 1)} } } }`,
      () => `member(id: "${pick([P.demo, P.google])}") { ${member(depth + 1)} }`,
      () => '... on Workspace @include(if: false) { domains }',
    ]);
  const member = (depth: number): string =>
    some([
      () => 'name',
      () => (depth < 3 ? `workspace { ${workspace(depth + 1)} }` : 'id'),
      () => `profile { ${profile(depth + 1)} }`,
    ]);
  const profile = (depth: number): string =>
    some([() => 'name email', () => (depth < 3 ? `defaultWorkspace { id ${workspace(depth + 1)} }` : 'id')]);
  const roots = [
    () => `profile(id: "${pick([P.demo, P.google, P.otherAccount])}") { ${profile(0)} }`,
    () => `profiles(first: ${first()}) { edges { node { ${profile(1)} } } }`,
    () => `workspace(id: "${pick([W.large, W.ready, W.failed])}") { ${workspace(0)} }`,
    () =>
      `workspaces(first: ${first()}${r() < 0.3 ? ', after: "YXJyYXljb25uZWN0aW9uOjA="' : ''}) { edges { node { ${workspace(1)} } } }`,
    () => `accountProfiles(first: ${first()}) { edges { node { name } } }`,
    () => `userProfiles(first: ${first()}) { edges { node { email } } }`,
    () => `userProfile(id: "${demo.upsun.profileIds.demo}") { email }`,
    () => 'workspaceAccountProfile { email }',
    () => `profilesByIds(ids: ["${P.demo}", "${P.google}", "auth0|x"]) { ${profile(1)} }`,
    () => `workspacesByIds(ids: ["${W.ready}", "${W.failed}"]) { ${workspace(1)} }`,
  ];
  const count = 1 + Math.floor(r() * 3);
  // Each root under its own alias: the same field twice with other arguments would not validate.
  return `{ ${Array.from({ length: count }, (_, i) => `r${i}: ${pick(roots)()}`).join(' ')} }`;
}

async function assertBound(query: string, variables?: Record<string, unknown>) {
  h.sandbox.reset();
  const res = await post(h.gateway, query, { variables, headers: ALL });
  const calls = h.sandbox.requests.length;
  const cost = costOf(res);
  if (codes(res).includes('LIMIT_EXCEEDED') && !res.data) {
    expect(calls).toBe(0);
    return { estimatedCalls: Number(res.errors?.[0]?.extensions?.estimatedCalls), actualCalls: 0 };
  }
  expect(cost, query).toBeDefined();
  expect(cost?.actualCalls, query).toBe(calls);
  expect(calls, query).toBeLessThanOrEqual(cost?.estimatedCalls as number);
  return cost as Cost;
}

describe('cost known before execution: an upper bound of the upstream calls, checked on every query', () => {
  it.each(EXAMPLES)('holds on the example %s', async (name) => {
    await assertBound(exampleOperation(name), EXAMPLE_VARIABLES[name]);
  });

  it.each(SUITE.map((q, i) => [i, q]))('holds on the suite query %i', async (_i, query) => {
    const r = [
      { __typename: 'Profile', upstreamId: P.demo },
      { __typename: 'Profile', id: gid('Profile', P.google) },
    ];
    await assertBound(query as string, (query as string).includes('$r') ? { r } : undefined);
  });

  it('holds on 60 generated queries (fixed seeds)', async () => {
    for (let seed = 1; seed <= 60; seed++) await assertBound(generated(seed));
  });

  it('refuses an operation whose bound is over MAX_UPSTREAM_CALLS with LIMIT_EXCEEDED (400), before any call', async () => {
    const query = `{ workspaces(first: 60) { edges { node { members(first: 1) { totalCount } } } } }`;
    const response = await h.gatewayWith({ MAX_UPSTREAM_CALLS: '50' }).fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...ALL },
      body: JSON.stringify({ query }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as GraphQLResponse;
    expect(codes(body)).toEqual(['LIMIT_EXCEEDED']);
    expect(body.errors?.[0]?.extensions?.estimatedCalls).toBe(61);
    expect(h.sandbox.requests).toHaveLength(0);
  });

  it("bounds one document by each request's own variables", async () => {
    const query = 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }';
    const bound = async (ids: string[]) =>
      costOf(await post(h.gateway, query, { headers: ALL, variables: { ids } }))?.estimatedCalls;
    expect(await bound([gid('Profile', P.demo)])).toBe(1);
    expect(await bound([gid('Profile', P.demo), gid('Profile', P.google)])).toBe(2);
    expect(await bound([gid('Profile', P.google)])).toBe(1);
  });

  it('answers extensions.cost only when asked (x-gateway-cost), or always with COST_EXTENSION=always', async () => {
    const query = `{ profile(id: "${P.demo}") { name } }`;
    expect(costOf(await post(h.gateway, query))).toBeUndefined();
    expect(costOf(await post(h.gateway, query, { headers: ALL }))).toEqual({
      estimatedCalls: 1,
      actualCalls: 1,
    });
    const always = h.gatewayWith({ COST_EXTENSION: 'always' });
    expect(costOf(await post(always, query))).toEqual({ estimatedCalls: 1, actualCalls: 1 });
  });
});
