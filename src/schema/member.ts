import type { Context } from '../context.js';
import { InputError } from '../sources/errors.js';
import { memberKey, parseMemberKey, type WorkspaceMember } from '../sources/matatika/client.js';
import { builder } from './builder.js';
import { connectionOf } from './paging.js';
import { ProfileRef } from './profile.js';
import { WorkspaceRef, workspaceStub } from './workspace.js';

/**
 * A member is addressed by its workspace and its own id, so its key (and global id) carries both. It is
 * loaded through the request's one cache of members, which a workspace's member list primes, so
 * `member(id)` after `members` costs nothing.
 */
export const MemberRef = builder.nodeRef('Member', {
  id: {
    resolve: (m: WorkspaceMember) => memberKey(m.workspaceId, m.id),
    parse: (id) => {
      if (parseMemberKey(id) === null) throw new InputError('Invalid Member id.');
      return id;
    },
  },
  loadManyWithoutCache: (keys: string[], ctx: Context) =>
    ctx.sources.matatika.members.loadMany(keys) as Promise<WorkspaceMember[]>,
});

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

export const MemberConnection = connectionOf(MemberRef, 'Member');
