import type { Context } from '../context.js';
import { ACCOUNT_PROFILE_TYPES, type AccountProfile } from '../sources/cadenya/payloads.js';
import { builder } from './builder.js';
import { PAGED, reads } from './governance.js';
import { connectionOf, cursorConnection, orEmpty, pageSize } from './paging.js';

/**
 * A Cadenya account profile. Cadenya has no get-by-id endpoint, so `node(id)` for one is answered by
 * walking the account's profile list (bounded; see CadenyaClient), unless the request has already seen
 * it in `accountProfiles`, whose pages prime the client's cache.
 */
export const AccountProfileRef = builder.nodeRef('AccountProfile', {
  id: { resolve: (p: AccountProfile) => p.id, parse: (id) => id },
  loadManyWithoutCache: (ids: string[], ctx: Context) =>
    ctx.sources.cadenya.profiles.loadMany(ids) as Promise<AccountProfile[]>,
});

const AccountProfileType = builder.enumType('AccountProfileType', { values: ACCOUNT_PROFILE_TYPES });

const Label = builder.objectRef<{ key: string; value: string }>('Label').implement({
  fields: (t) => ({
    key: t.exposeString('key', { nullable: false }),
    value: t.exposeString('value', { nullable: false }),
  }),
});

const LabelInput = builder.inputType('LabelInput', {
  fields: (t) => ({
    key: t.string({ required: true }),
    value: t.string({ required: true }),
  }),
});

AccountProfileRef.implement({
  authenticated: true,
  description: 'A Cadenya account profile: a human user, an API key or a system principal of the account.',
  fields: (t) => ({
    upstreamId: t.string({ nullable: false, description: 'The id the upstream uses.', resolve: (p) => p.id }),
    accountId: t.exposeString('accountId', { nullable: false }),
    name: t.exposeString('name', { nullable: false, description: "The profile's name within its account." }),
    profileId: t.exposeString('profileId'),
    externalId: t.exposeString('externalId'),
    labels: t.field({ type: [Label], nullable: false, resolve: (p) => p.labels }),
    type: t.field({ type: AccountProfileType, nullable: false, resolve: (p) => p.type }),
    email: t.exposeString('email'),
    displayName: t.exposeString('displayName', {
      description: "The name shown for the profile, such as a person's full name.",
    }),
  }),
});

const AccountProfileConnection = connectionOf(AccountProfileRef, 'AccountProfile');

builder.queryField('accountProfiles', (t) =>
  t.field({
    type: AccountProfileConnection,
    nullable: false,
    // A search walks at most 10 pages (CadenyaClient's MAX_PAGES).
    ...reads(10),
    ...PAGED,
    description:
      "Search the account's profiles (admin only): query matches name and email; labels must all match. totalCount is null when type is given, since the upstream's total may count other types.",
    args: {
      query: t.arg.string(),
      type: t.arg({ type: AccountProfileType }),
      labels: t.arg({ type: [LabelInput] }),
      first: t.arg.int(),
      after: t.arg.string(),
    },
    resolve: (_root, args, ctx, info) =>
      orEmpty(ctx, info, async () =>
        cursorConnection(
          await ctx.sources.cadenya.search({
            query: args.query,
            type: args.type,
            labels: args.labels,
            first: pageSize(args),
            after: args.after,
          }),
        ),
      ),
  }),
);
