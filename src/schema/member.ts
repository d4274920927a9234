import { MemberRef, ProfileRef, WorkspaceRef, workspaceStub } from './refs.js';

MemberRef.implement({
  authenticated: true,
  description: 'A user in a workspace: a reduced view of the profile it derives from.',
  fields: (t) => ({
    upstreamId: t.string({ nullable: false, resolve: (m) => m.id }),
    name: t.exposeString('name'),
    handle: t.exposeString('handle'),
    workspace: t.field({ type: WorkspaceRef, nullable: false, resolve: (m) => workspaceStub(m.workspaceId) }),
    profile: t.field({
      type: ProfileRef,
      cost: 1,
      description:
        'The full profile behind this member; null, with a FORBIDDEN or NOT_FOUND error, where the caller may not read it.',
      resolve: (m, _args, ctx) => ctx.sources.matatika.profiles.load(m.id),
    }),
  }),
});
