import { describe, expect, it } from 'vitest';
import { codes, demo, useHarness } from '../support/harness.js';

const { profileIds: P, workspaceIds: W, tokens } = demo.matatika;
const h = useHarness();
const asNewcomer = { authorization: `Bearer ${tokens.newcomer}` };
const UPSERT = `mutation($input: UpsertProfileInput!) {
  upsertProfile(input: $input) { created profile { upstreamId name handle phone email workingAccount { upstreamId } } }
}`;

describe('mutations', () => {
  it("upsertProfile creates the caller's profile (201) and then updates it (200)", async () => {
    const input = {
      profileId: P.newcomer,
      name: 'SIT-Generated Profile',
      phone: '52432053169',
      email: 'sit@example.com',
    };
    const created = await h.gql(UPSERT, { variables: { input }, headers: asNewcomer });
    expect(created.errors).toBeUndefined();
    expect(created.data).toEqual({
      upsertProfile: {
        created: true,
        profile: {
          upstreamId: P.newcomer,
          name: input.name,
          handle: '@sit-generatedprofile',
          phone: input.phone,
          email: input.email,
          workingAccount: { upstreamId: P.newcomer },
        },
      },
    });
    const updated = await h.gql(UPSERT, {
      variables: { input: { profileId: P.newcomer, name: 'Renamed' } },
      headers: asNewcomer,
    });
    expect(updated.data).toMatchObject({
      upsertProfile: { created: false, profile: { name: 'Renamed', handle: '@renamed' } },
    });
    expect(JSON.parse(h.sandbox.requests.at(-1)?.body ?? '{}')).toEqual({ name: 'Renamed' });
  });

  it("refuses to upsert another subject's profile with FORBIDDEN", async () => {
    const res = await h.gql(UPSERT, { variables: { input: { profileId: P.google, name: 'x' } } });
    expect(res.data).toBeNull();
    expect(codes(res)).toEqual(['FORBIDDEN']);
  });

  it('setDefaultWorkspace changes what later requests see as the default', async () => {
    const res = await h.gql(`mutation {
      setDefaultWorkspace(input: { profileId: "${P.demo}", workspaceId: "${W.finance}" }) { profile { defaultWorkspace { upstreamId name } } }
    }`);
    expect(res.data).toMatchObject({
      setDefaultWorkspace: { profile: { defaultWorkspace: { upstreamId: W.finance } } },
    });
    const after = await h.gql<{
      workspaces: { edges: Array<{ node: { upstreamId: string; isDefault: boolean } }> };
    }>('{ workspaces { edges { node { upstreamId isDefault } } } }');
    const defaults = after.data?.workspaces.edges
      .filter((e) => e.node.isDefault)
      .map((e) => e.node.upstreamId);
    expect(defaults).toEqual([W.finance]);
  });

  it.each([
    [W.forbidden, 'FORBIDDEN'],
    ['00000000-0000-4000-8000-000000000000', 'NOT_FOUND'],
  ])('setDefaultWorkspace to %s fails with %s', async (workspaceId, code) => {
    const res = await h.gql(`mutation {
      setDefaultWorkspace(input: { profileId: "${P.demo}", workspaceId: "${workspaceId}" }) { profile { upstreamId } }
    }`);
    expect(res.data).toBeNull();
    expect(codes(res)).toEqual([code]);
  });

  it('refuses an invalid profile id before any request', async () => {
    const res = await h.gql(
      `mutation { setDefaultWorkspace(input: { profileId: "..", workspaceId: "${W.ready}" }) { profile { upstreamId } } }`,
    );
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(h.sandbox.requests).toHaveLength(0);
  });
});
