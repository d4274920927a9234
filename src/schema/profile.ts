import { encodeGlobalID } from '@pothos/plugin-relay';
import type { Profile } from '../sources/matatika/payloads.js';
import { builder } from './builder.js';
import { PAGED, reads, WRITE } from './governance.js';
import { arrayConnection, connectionOf, orEmpty } from './paging.js';
import { ProfileRef, WorkspaceRef, workspaceStub } from './refs.js';
import { childFieldNodes } from './selection.js';

const WorkingAccount = builder.objectRef<NonNullable<Profile['workingAccount']>>('WorkingAccount').implement({
  description: 'The account a profile works in.',
  fields: (t) => ({
    upstreamId: t.string({ nullable: false, resolve: (a) => a.id }),
    company: t.exposeString('company'),
  }),
});

ProfileRef.implement({
  authenticated: true,
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

const ProfileConnection = connectionOf(ProfileRef, 'Profile');

builder.queryFields((t) => ({
  profiles: t.field({
    type: ProfileConnection,
    nullable: false,
    ...reads(1),
    ...PAGED,
    description: "The profiles under the caller's account.",
    args: { first: t.arg.int(), after: t.arg.string() },
    resolve: (_root, args, ctx, info) =>
      orEmpty(ctx, info, () => arrayConnection(args, () => ctx.sources.matatika.profiles.all())),
  }),
  profile: t.field({
    type: ProfileRef,
    ...reads(1),
    description: 'id is the upstream profile id, e.g. auth0|6a21dc7aa1db2e036a222942.',
    args: { id: t.arg.string({ required: true }) },
    resolve: (_root, { id }, ctx) => ctx.sources.matatika.profiles.load(id),
  }),
}));

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
  .objectRef<{ profile: Profile; previous: Profile['defaultWorkspace'] | Error }>(
    'SetDefaultWorkspacePayload',
  )
  .implement({
    fields: (t) => ({
      profile: t.field({ type: ProfileRef, nullable: false, resolve: (p) => p.profile }),
      previousDefaultWorkspace: t.field({
        type: WorkspaceRef,
        cost: 1,
        description:
          "The profile's default workspace before this change, so a client can update both workspaces whose isDefault changed. Asking for it reads the profile before the write (no call when the request already holds it).",
        resolve: ({ previous }) => {
          if (previous instanceof Error) throw previous;
          return previous ? workspaceStub(previous.id, previous.name) : null;
        },
      }),
    }),
  });

builder.mutationFields((t) => ({
  upsertProfile: t.field({
    type: UpsertProfilePayload,
    nullable: false,
    ...WRITE,
    description:
      "Create or update the caller's own profile: only the fields sent change, and an explicit null clears one.",
    args: { input: t.arg({ type: UpsertProfileInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const { profileId, ...fields } = input;
      // Only the fields the client sent go upstream; an explicit null clears a field.
      const body = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
      const { profile, created } = await ctx.sources.matatika.upsertProfile(profileId, body);
      ctx.changed.push({ typename: 'Profile', id: encodeGlobalID('Profile', profile.id) });
      return { profile, created };
    },
  }),
  setDefaultWorkspace: t.field({
    type: SetDefaultWorkspacePayload,
    nullable: false,
    ...WRITE,
    description: "Make a workspace the profile's default.",
    args: { input: t.arg({ type: SetDefaultWorkspaceInput, required: true }) },
    resolve: async (_root, { input }, ctx, info) => {
      // The client invalidates what the request has read of the profile and of every workspace.
      const { profile, previous } = await ctx.sources.matatika.setDefaultWorkspace(
        input.profileId,
        input.workspaceId,
        { previous: childFieldNodes(info).has('previousDefaultWorkspace') },
      );
      // ...and so has every cached answer holding a workspace (isDefault) or this profile.
      ctx.changed.push(
        { typename: 'Profile', id: encodeGlobalID('Profile', profile.id) },
        { typename: 'Workspace' },
      );
      return { profile, previous };
    },
  }),
}));
