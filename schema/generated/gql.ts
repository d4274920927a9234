/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query Overview($profileId: String!) {\n  profile(id: $profileId) {\n    id\n    name\n    handle\n    email\n    defaultWorkspace {\n      id\n      name\n      status\n    }\n  }\n  workspaces(first: 5) {\n    totalCount\n    edges {\n      node {\n        id\n        name\n        status\n        isDefault\n        members(first: 3) {\n          totalCount\n          edges {\n            node {\n              id\n              name\n              handle\n            }\n          }\n        }\n      }\n    }\n  }\n  accountProfiles(first: 3, type: USER) {\n    edges {\n      node {\n        id\n        name\n        email\n        labels {\n          key\n          value\n        }\n      }\n    }\n  }\n  workspaceAccountProfile {\n    userName\n    email\n    warnings {\n      code\n      message\n    }\n  }\n  userProfiles(first: 3) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      node {\n        id\n        displayName\n        email\n        currentTrial {\n          daysRemaining\n        }\n      }\n    }\n  }\n}": typeof types.OverviewDocument,
    "mutation SetDefaultWorkspace($profileId: String!, $workspaceId: String!) {\n  setDefaultWorkspace(input: {profileId: $profileId, workspaceId: $workspaceId}) {\n    profile {\n      id\n      name\n      defaultWorkspace {\n        id\n        name\n        status\n      }\n    }\n    previousDefaultWorkspace {\n      id\n      isDefault\n    }\n  }\n}": typeof types.SetDefaultWorkspaceDocument,
    "mutation UpsertProfile($input: UpsertProfileInput!) {\n  upsertProfile(input: $input) {\n    created\n    profile {\n      id\n      upstreamId\n      name\n      handle\n      phone\n      email\n    }\n  }\n}": typeof types.UpsertProfileDocument,
    "query WorkspaceMembers($workspaceId: String!, $first: Int = 40) {\n  workspace(id: $workspaceId) {\n    id\n    name\n    status\n    members(first: $first) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          handle\n          profile {\n            id\n            email\n          }\n        }\n      }\n    }\n  }\n}": typeof types.WorkspaceMembersDocument,
};
const documents: Documents = {
    "query Overview($profileId: String!) {\n  profile(id: $profileId) {\n    id\n    name\n    handle\n    email\n    defaultWorkspace {\n      id\n      name\n      status\n    }\n  }\n  workspaces(first: 5) {\n    totalCount\n    edges {\n      node {\n        id\n        name\n        status\n        isDefault\n        members(first: 3) {\n          totalCount\n          edges {\n            node {\n              id\n              name\n              handle\n            }\n          }\n        }\n      }\n    }\n  }\n  accountProfiles(first: 3, type: USER) {\n    edges {\n      node {\n        id\n        name\n        email\n        labels {\n          key\n          value\n        }\n      }\n    }\n  }\n  workspaceAccountProfile {\n    userName\n    email\n    warnings {\n      code\n      message\n    }\n  }\n  userProfiles(first: 3) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      node {\n        id\n        displayName\n        email\n        currentTrial {\n          daysRemaining\n        }\n      }\n    }\n  }\n}": types.OverviewDocument,
    "mutation SetDefaultWorkspace($profileId: String!, $workspaceId: String!) {\n  setDefaultWorkspace(input: {profileId: $profileId, workspaceId: $workspaceId}) {\n    profile {\n      id\n      name\n      defaultWorkspace {\n        id\n        name\n        status\n      }\n    }\n    previousDefaultWorkspace {\n      id\n      isDefault\n    }\n  }\n}": types.SetDefaultWorkspaceDocument,
    "mutation UpsertProfile($input: UpsertProfileInput!) {\n  upsertProfile(input: $input) {\n    created\n    profile {\n      id\n      upstreamId\n      name\n      handle\n      phone\n      email\n    }\n  }\n}": types.UpsertProfileDocument,
    "query WorkspaceMembers($workspaceId: String!, $first: Int = 40) {\n  workspace(id: $workspaceId) {\n    id\n    name\n    status\n    members(first: $first) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          handle\n          profile {\n            id\n            email\n          }\n        }\n      }\n    }\n  }\n}": types.WorkspaceMembersDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Overview($profileId: String!) {\n  profile(id: $profileId) {\n    id\n    name\n    handle\n    email\n    defaultWorkspace {\n      id\n      name\n      status\n    }\n  }\n  workspaces(first: 5) {\n    totalCount\n    edges {\n      node {\n        id\n        name\n        status\n        isDefault\n        members(first: 3) {\n          totalCount\n          edges {\n            node {\n              id\n              name\n              handle\n            }\n          }\n        }\n      }\n    }\n  }\n  accountProfiles(first: 3, type: USER) {\n    edges {\n      node {\n        id\n        name\n        email\n        labels {\n          key\n          value\n        }\n      }\n    }\n  }\n  workspaceAccountProfile {\n    userName\n    email\n    warnings {\n      code\n      message\n    }\n  }\n  userProfiles(first: 3) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      node {\n        id\n        displayName\n        email\n        currentTrial {\n          daysRemaining\n        }\n      }\n    }\n  }\n}"): (typeof documents)["query Overview($profileId: String!) {\n  profile(id: $profileId) {\n    id\n    name\n    handle\n    email\n    defaultWorkspace {\n      id\n      name\n      status\n    }\n  }\n  workspaces(first: 5) {\n    totalCount\n    edges {\n      node {\n        id\n        name\n        status\n        isDefault\n        members(first: 3) {\n          totalCount\n          edges {\n            node {\n              id\n              name\n              handle\n            }\n          }\n        }\n      }\n    }\n  }\n  accountProfiles(first: 3, type: USER) {\n    edges {\n      node {\n        id\n        name\n        email\n        labels {\n          key\n          value\n        }\n      }\n    }\n  }\n  workspaceAccountProfile {\n    userName\n    email\n    warnings {\n      code\n      message\n    }\n  }\n  userProfiles(first: 3) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      node {\n        id\n        displayName\n        email\n        currentTrial {\n          daysRemaining\n        }\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SetDefaultWorkspace($profileId: String!, $workspaceId: String!) {\n  setDefaultWorkspace(input: {profileId: $profileId, workspaceId: $workspaceId}) {\n    profile {\n      id\n      name\n      defaultWorkspace {\n        id\n        name\n        status\n      }\n    }\n    previousDefaultWorkspace {\n      id\n      isDefault\n    }\n  }\n}"): (typeof documents)["mutation SetDefaultWorkspace($profileId: String!, $workspaceId: String!) {\n  setDefaultWorkspace(input: {profileId: $profileId, workspaceId: $workspaceId}) {\n    profile {\n      id\n      name\n      defaultWorkspace {\n        id\n        name\n        status\n      }\n    }\n    previousDefaultWorkspace {\n      id\n      isDefault\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation UpsertProfile($input: UpsertProfileInput!) {\n  upsertProfile(input: $input) {\n    created\n    profile {\n      id\n      upstreamId\n      name\n      handle\n      phone\n      email\n    }\n  }\n}"): (typeof documents)["mutation UpsertProfile($input: UpsertProfileInput!) {\n  upsertProfile(input: $input) {\n    created\n    profile {\n      id\n      upstreamId\n      name\n      handle\n      phone\n      email\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query WorkspaceMembers($workspaceId: String!, $first: Int = 40) {\n  workspace(id: $workspaceId) {\n    id\n    name\n    status\n    members(first: $first) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          handle\n          profile {\n            id\n            email\n          }\n        }\n      }\n    }\n  }\n}"): (typeof documents)["query WorkspaceMembers($workspaceId: String!, $first: Int = 40) {\n  workspace(id: $workspaceId) {\n    id\n    name\n    status\n    members(first: $first) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          handle\n          profile {\n            id\n            email\n          }\n        }\n      }\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;