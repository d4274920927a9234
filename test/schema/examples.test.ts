import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { isObjectType, parse, print, TypeInfo, visit, visitWithTypeInfo } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  OverviewDocument,
  SetDefaultWorkspaceDocument,
  UpsertProfileDocument,
  WorkspaceMembersDocument,
} from '../../schema/generated/graphql.js';
import { EXAMPLES, exampleOperation } from '../../src/examples.js';
import { schema } from '../../src/schema/index.js';
import { demo, type GraphQLResponse, useHarness } from '../support/harness.js';

const h = useHarness();
const ALL_CREDENTIALS = {
  authorization: `Bearer ${demo.matatika.tokens.demo}`,
  'x-cadenya-authorization': `Bearer ${demo.cadenya.tokens.admin}`,
  'x-moltaro-authorization': `Bearer ${demo.moltaro.tokens.demo}`,
  'x-upsun-authorization': `Bearer ${demo.upsun.accessToken}`,
};

/** Runs a typed example document; the result is typed by the code generator. */
function run<R, V>(
  document: TypedDocumentNode<R, V>,
  variables: V,
  headers = ALL_CREDENTIALS,
): Promise<GraphQLResponse<R>> {
  return h.gql<R>(print(document), { variables: variables as Record<string, unknown>, headers });
}

describe('the example operations in schema/examples (README, GraphiQL) work as documented', () => {
  it('Overview spans all four sources in one request', async () => {
    const res = await run(OverviewDocument, { profileId: demo.matatika.profileIds.demo });
    // The only errors: members whose profile lives in another account, which the caller may not read.
    for (const error of res.errors ?? []) {
      expect(error).toMatchObject({
        extensions: { code: 'NOT_FOUND' },
        path: expect.arrayContaining(['members', 'profile']),
      });
    }
    expect(res.data?.profile?.defaultWorkspace?.status).toBe('READY');
    expect(res.data?.accountProfiles.edges.every((e) => e.node.name)).toBe(true);
    expect(res.data?.userProfiles.totalCount).toBe(demo.upsun.count);
    expect(new Set(h.sandbox.requests.map((r) => r.source))).toEqual(
      new Set(['matatika', 'cadenya', 'moltaro', 'upsun']),
    );
  });

  it('WorkspaceMembers costs three calls for 24 members', async () => {
    const res = await run(WorkspaceMembersDocument, { workspaceId: demo.matatika.workspaceIds.large });
    expect(res.errors).toBeUndefined();
    expect(res.data?.workspace?.members.edges).toHaveLength(demo.matatika.counts.largeWorkspaceMembers);
    expect(h.sandbox.requests).toHaveLength(3);
  });

  it('SetDefaultWorkspace reads both ends of the switch: the profile, the PATCH and one read of both workspaces', async () => {
    const res = await run(SetDefaultWorkspaceDocument, {
      profileId: demo.matatika.profileIds.demo,
      workspaceId: demo.matatika.workspaceIds.failed,
    });
    expect(res.errors).toBeUndefined();
    expect(res.data?.setDefaultWorkspace.profile.defaultWorkspace?.status).toBe('FAILED');
    expect(res.data?.setDefaultWorkspace.previousDefaultWorkspace).toEqual({
      id: Buffer.from(`Workspace:${demo.matatika.workspaceIds.ready}`).toString('base64'),
      isDefault: false,
    });
    expect(h.calls()).toEqual([
      `GET /api/profiles/${encodeURIComponent(demo.matatika.profileIds.demo)}`,
      `PATCH /api/profiles/${encodeURIComponent(demo.matatika.profileIds.demo)}`,
      'GET /api/workspaces?page=0&size=100',
    ]);
  });

  it('UpsertProfile creates the newcomer profile', async () => {
    const res = await run(
      UpsertProfileDocument,
      {
        input: { profileId: demo.matatika.profileIds.newcomer, name: 'New Comer', email: 'new@example.com' },
      },
      { ...ALL_CREDENTIALS, authorization: `Bearer ${demo.matatika.tokens.newcomer}` },
    );
    expect(res.data?.upsertProfile).toMatchObject({ created: true, profile: { handle: '@newcomer' } });
  });
});

describe('the example operations are ready for normalising clients', () => {
  it.each(EXAMPLES)(
    '%s selects id on every object that has one (Apollo Client, urql cache by it)',
    (name) => {
      const typeInfo = new TypeInfo(schema);
      const withoutId: string[] = [];
      visit(
        parse(exampleOperation(name)),
        visitWithTypeInfo(typeInfo, {
          SelectionSet(selectionSet) {
            const type = typeInfo.getParentType();
            if (!isObjectType(type) || !('id' in type.getFields())) return;
            const selectsId = selectionSet.selections.some(
              (s) => s.kind === 'Field' && s.name.value === 'id',
            );
            if (!selectsId) withoutId.push(type.name);
          },
        }),
      );
      expect(withoutId).toEqual([]);
    },
  );
});
