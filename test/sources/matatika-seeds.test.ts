import { describe, expect, it } from 'vitest';
import {
  memberListSchema,
  memberSchema,
  profileListSchema,
  profileSchema,
} from '../../src/sources/matatika/payloads.js';
import { demo, useHarness } from '../support/harness.js';
import { jsonExamples, seed } from '../support/seeds.js';

// biome-ignore lint/suspicious/noExplicitAny: seed examples are untyped JSON, read field by field below.
type Json = Record<string, any>;
const profiles = jsonExamples(seed('000')) as Json[];
const members = jsonExamples(seed('001')) as Json[];
const h = useHarness();

describe('seeds 000 (profiles) and 001 (members)', () => {
  it("finds the pages' JSON examples", () => {
    expect(profiles.length).toBeGreaterThanOrEqual(7);
    expect(members.length).toBe(3);
  });

  it('decodes every profile and member example', () => {
    for (const example of profiles) {
      if (example._embedded) expect(profileListSchema.parse(example)).toHaveLength(1);
      else if (example.id) expect(profileSchema.parse(example).id).toBe(example.id);
    }
    for (const example of members) {
      if (example._embedded)
        expect(memberListSchema.parse(example)[0]?.id).toBe('auth0|5eb0327cbfd7490bff55feeb');
      else expect(memberSchema.parse(example).handle).toBe('@sit+prod');
    }
  });

  it.each(profiles.filter((p) => p.id && !p._embedded).map((p, i) => [i, p] as const))(
    'round-trips profile example %i through the gateway',
    async (_i, example) => {
      h.sandbox.inject({
        source: 'matatika',
        path: `/api/profiles/${encodeURIComponent(example.id)}`,
        fault: { body: JSON.stringify(example) },
      });
      const res = await h.gql(
        `query($id: String!) {
        profile(id: $id) { upstreamId name handle phone email workingAccount { upstreamId company } defaultWorkspace { upstreamId name } }
      }`,
        { variables: { id: example.id } },
      );
      expect(res.errors).toBeUndefined();
      expect(res.data).toEqual({
        profile: {
          upstreamId: example.id,
          name: example.name ?? null,
          handle: example.handle ?? null,
          phone: example.phone ?? null,
          email: example.email ?? null,
          workingAccount: example.workingAccount
            ? { upstreamId: example.workingAccount.id, company: example.workingAccount.company ?? null }
            : null,
          defaultWorkspace: example.defaultWorkspace
            ? { upstreamId: example.defaultWorkspace.id, name: example.defaultWorkspace.name }
            : null,
        },
      });
    },
  );

  it('round-trips the member list example through the gateway', async () => {
    const list = members.find((m) => m._embedded) as Json;
    const workspaceId = demo.matatika.workspaceIds.provisioning;
    h.sandbox.inject({
      source: 'matatika',
      path: `/api/workspaces/${workspaceId}/members`,
      fault: { body: JSON.stringify(list) },
    });
    const res = await h.gql(
      `{ workspace(id: "${workspaceId}") { members { totalCount edges { node { upstreamId name handle } } } } }`,
    );
    expect(res.errors).toBeUndefined();
    const [member] = list._embedded.members;
    expect(res.data).toEqual({
      workspace: {
        members: {
          totalCount: 1,
          edges: [{ node: { upstreamId: member.id, name: member.name, handle: member.handle } }],
        },
      },
    });
  });
});
