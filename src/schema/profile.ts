import { encodeGlobalID } from '@pothos/plugin-relay';
import type { Context } from '../context.js';
import type { Profile } from '../sources/matatika/payloads.js';
import { builder } from './builder.js';
import { orEmpty, sliceConnection } from './paging.js';
import { WorkspaceRef, workspaceStub } from './workspace.js';

export const ProfileRef = builder.loadableNodeRef('Profile', {
  id: { resolve: (p: Profile) => p.id, parse: (id) => id },
  load: (ids: string[], ctx: Context) => ctx.sources.matatika.loadProfiles(ids),
  // Profiles that arrive in a list or a mutation answer prime the loader, so a later load is free.
  cacheResolved: (p: Profile) => p.id,
});

const WorkingAccount = builder.objectRef<NonNullable<Profile['workingAccount']>>('WorkingAccount').implement({
  description: 'The account a profile works in.',
  fields: (t) => ({
    upstreamId: t.string({ nullable: false, resolve: (a) => a.id }),
    company: t.exposeString('company'),
  }),
});

ProfileRef.implement({
  description: 'A Meltano Cloud (Matatika) profile: one person using the service.',
  fields: (t) => ({
    upstreamId: t.string({ nullable: false, description: 'The id the upstream uses.', resolve: (p) => p.id }),
    name: t.exposeString('name'),
    handle: t.exposeString('handle'),
    phone: t.exposeString('phone'),
    email: t.exposeString('email'),
    defaultWorkspace: t.field({
      type: WorkspaceRef,
      // The profile carries {id, name}: asking for just those costs no call.
      resolve: (p) =>
        p.defaultWorkspace ? workspaceStub(p.defaultWorkspace.id, p.defaultWorkspace.name) : null,
    }),
    workingAccount: t.field({ type: WorkingAccount, resolve: (p) => p.workingAccount }),
  }),
});

export const ProfileConnection = builder.connectionObject(
  {
    type: ProfileRef,
    name: 'ProfileConnection',
    fields: (t) => ({ totalCount: t.int({ resolve: (c) => c.totalCount }) }),
  },
  { name: 'ProfileEdge' },
);

builder.queryFields((t) => ({
  profiles: t.field({
    type: ProfileConnection,
    nullable: false,
    description: "The profiles under the caller's account.",
    args: { first: t.arg.int(), after: t.arg.string() },
    resolve: (_root, args, ctx, info) =>
      orEmpty(ctx, info, () => sliceConnection(args, () => ctx.sources.matatika.listProfiles())),
  }),
  profile: t.field({
    type: ProfileRef,
    description: 'id is the upstream profile id, e.g. auth0|6a21dc7aa1db2e036a222942.',
    args: { id: t.arg.string({ required: true }) },
    resolve: (_root, { id }) => id,
  }),
}));

/**
 * A mutation's answer is the profile as the upstream now has it: it replaces whatever the request's
 * loader held, so the rest of the mutation's selection reads it without another call.
 */
function remember(ctx: Context, profile: Profile): Profile {
  ProfileRef.getDataloader(ctx).clear(profile.id).prime(profile.id, profile);
  return profile;
}

const UpsertProfileInput = builder.inputType('UpsertProfileInput', {
  fields: (t) => ({
    profileId: t.string({ required: true }),
    name: t.string(),
    phone: t.string(),
    email: t.string(),
  }),
});

const UpsertProfilePayload = builder
  .objectRef<{ profile: Profile; created: boolean }>('UpsertProfilePayload')
  .implement({
    fields: (t) => ({
      profile: t.field({ type: ProfileRef, nullable: false, resolve: (p) => p.profile }),
      created: t.boolean({
        nullable: false,
        description: 'True when the upstream answered 201 Created.',
        resolve: (p) => p.created,
      }),
    }),
  });

const SetDefaultWorkspaceInput = builder.inputType('SetDefaultWorkspaceInput', {
  fields: (t) => ({
    profileId: t.string({ required: true }),
    workspaceId: t.string({ required: true }),
  }),
});

const SetDefaultWorkspacePayload = builder
  .objectRef<{ profile: Profile }>('SetDefaultWorkspacePayload')
  .implement({
    fields: (t) => ({
      profile: t.field({ type: ProfileRef, nullable: false, resolve: (p) => p.profile }),
    }),
  });

builder.mutationFields((t) => ({
  upsertProfile: t.field({
    type: UpsertProfilePayload,
    nullable: false,
    description: "PUT /api/profiles/{profileId}: create or update the caller's own profile.",
    args: { input: t.arg({ type: UpsertProfileInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const { profileId, ...fields } = input;
      // Only the fields the client sent go upstream; an explicit null clears a field.
      const body = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
      const { profile, created } = await ctx.sources.matatika.upsertProfile(profileId, body);
      ctx.changed.push({ typename: 'Profile', id: encodeGlobalID('Profile', profile.id) });
      return { profile: remember(ctx, profile), created };
    },
  }),
  setDefaultWorkspace: t.field({
    type: SetDefaultWorkspacePayload,
    nullable: false,
    description: 'PATCH /api/profiles/{profileId} with {defaultWorkspace: {id}}.',
    args: { input: t.arg({ type: SetDefaultWorkspaceInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const profile = await ctx.sources.matatika.setDefaultWorkspace(input.profileId, input.workspaceId);
      // Every workspace's isDefault may have changed; drop what this request has read of them.
      WorkspaceRef.getDataloader(ctx).clearAll();
      // ...and so has every cached answer holding a workspace (isDefault) or this profile.
      ctx.changed.push(
        { typename: 'Profile', id: encodeGlobalID('Profile', profile.id) },
        { typename: 'Workspace' },
      );
      return { profile: remember(ctx, profile) };
    },
  }),
}));
