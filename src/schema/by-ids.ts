import { AccountProfileRef } from './account-profile.js';
import { builder } from './builder.js';
import { reads } from './governance.js';
import { ProfileRef, WorkspaceRef } from './refs.js';
import { UserProfileRef } from './user-profile.js';

/**
 * List lookups by upstream id: one field for any number of keys, so a stitching gateway's batched
 * delegation (see schema/stitching.graphql's @merge) is one field in one request, not one alias per key
 * (which the alias limit refuses past 30). Each goes through the source client's cache of the request, so it costs what the
 * same ids cost through `nodes`; an id that fails is null at its index with its own error.
 */
builder.queryFields((t) => ({
  profilesByIds: t.field({
    type: [ProfileRef],
    nullable: { list: false, items: true },
    ...reads(1),
    description:
      'Profiles by upstream id, in the order given; null (with an error) where one cannot be read.',
    args: { ids: t.arg.stringList({ required: true }) },
    resolve: (_root, { ids }, ctx) => settled(ctx.sources.matatika.profiles, ids),
  }),
  workspacesByIds: t.field({
    type: [WorkspaceRef],
    nullable: { list: false, items: true },
    ...reads(1),
    description:
      'Workspaces by upstream id, in the order given; null (with an error) where one cannot be read.',
    args: { ids: t.arg.stringList({ required: true }) },
    resolve: (_root, { ids }, ctx) => settled(ctx.sources.matatika.workspaces, ids),
  }),
  accountProfilesByIds: t.field({
    type: [AccountProfileRef],
    nullable: { list: false, items: true },
    ...reads(1),
    description:
      'Cadenya account profiles by upstream id, in the order given; null (with an error) where one cannot be read.',
    args: { ids: t.arg.stringList({ required: true }) },
    resolve: (_root, { ids }, ctx) => settled(ctx.sources.cadenya.profiles, ids),
  }),
  userProfilesByIds: t.field({
    type: [UserProfileRef],
    nullable: { list: false, items: true },
    ...reads(1),
    description:
      'Upsun user profiles by upstream id, in the order given; null (with an error) where one cannot be read.',
    args: { ids: t.arg.stringList({ required: true }) },
    resolve: (_root, { ids }, ctx) => settled(ctx.sources.upsun.profiles, ids),
  }),
}));

/**
 * One promise of the whole list, with an Error in place of each item that failed (GraphQL turns those
 * into item errors). Not a list of promises: graphql-jit drops a failed item at the end of such a list
 * (61 ids answered 60 items).
 */
function settled<T>(loader: { loadMany(keys: readonly string[]): Promise<Array<T | Error>> }, ids: string[]) {
  return loader.loadMany(ids) as Promise<T[]>;
}
