import { GraphQLDeferDirective, GraphQLStreamDirective } from '@graphql-tools/utils';
import { specifiedDirectives } from 'graphql';
import { builder } from './builder.js';
import './scalars.js';
import { AccountProfileRef } from './account-profile.js';
// Workspace's fields first, then Profile's and Member's: the order the printed SDLs were written in.
import './workspace.js';
import './profile.js';
import './member.js';
import { MemberRef, ProfileRef, WorkspaceRef } from './refs.js';
import './workspace-account-profile.js';
import { UserProfileRef } from './user-profile.js';
import './by-ids.js';
import './stitching.js';
import { defineEntities } from './federation.js';
import { GOVERNANCE_DIRECTIVES } from './governance.js';

defineEntities({
  profile: ProfileRef,
  workspace: WorkspaceRef,
  member: MemberRef,
  accountProfile: AccountProfileRef,
  userProfile: UserProfileRef,
});

/**
 * The gateway's schema. It is also an Apollo Federation v2 subgraph (`_service`, `_entities`), served on
 * the same endpoint; Pothos sorts it, so that the printed schema/ files diff cleanly.
 */
export const schema = builder.toSubGraphSchema({
  // v2.9: the first version with @cost and @listSize (@authenticated and @requiresScopes came in v2.5).
  linkUrl: 'https://specs.apollo.dev/federation/v2.9',
  // The definitions Yoga's defer-stream plugin would add at run time (it adds none the schema has), so
  // that the printed schema is the introspected one.
  directives: [
    ...specifiedDirectives,
    GraphQLDeferDirective,
    GraphQLStreamDirective,
    ...GOVERNANCE_DIRECTIVES,
  ],
});

// @apollo/subgraph answers `_entities` as a list of promises, and graphql-jit drops a failed item at the
// end of such a list (61 representations answered 60 items). One promise of the list, with an Error in
// place of each failed item, is answered right by both executors.
const entities = schema.getQueryType()?.getFields()._entities;
const resolveEntities = entities?.resolve;
if (entities && resolveEntities) {
  entities.resolve = (...args) =>
    Promise.all(
      (resolveEntities(...args) as unknown[]).map((item) =>
        Promise.resolve(item).catch((error: unknown) => error),
      ),
    );
}
