import type { Context } from '../context.js';
import { InputError } from '../errors.js';
import { memberKey, parseMemberKey, type WorkspaceMember } from '../sources/matatika/client.js';
import type { Profile, Workspace } from '../sources/matatika/payloads.js';
import { builder } from './builder.js';
import { connectionOf } from './paging.js';

// The node types that refer to each other (a profile's default workspace, a workspace's members, a
// member's profile), declared before the files that implement them, so that those import only this.

/** Loaded through the request's one cache of profiles, which the matatika client owns. */
export const ProfileRef = builder.nodeRef('Profile', {
  id: { resolve: (p: Profile) => p.id, parse: (id) => id },
  loadManyWithoutCache: (ids: string[], ctx: Context) =>
    ctx.sources.matatika.profiles.loadMany(ids) as Promise<Profile[]>,
});

/**
 * What a parent knows of a workspace without loading it: a Profile's `defaultWorkspace` carries
 * `{id, name}`, a Member carries only its workspace's id. Fields the stub holds cost no call; the others
 * load the workspace once through the request's loader.
 */
export interface WorkspaceStub {
  stub: true;
  id: string;
  name?: string | null;
}
export type WorkspaceShape = Workspace | WorkspaceStub;

/** Loaded through the request's one cache of workspaces, which the matatika client owns. */
export const WorkspaceRef = builder.nodeRef('Workspace', {
  id: { resolve: (w: WorkspaceShape) => w.id, parse: (id) => id },
  loadManyWithoutCache: (ids: string[], ctx: Context) =>
    ctx.sources.matatika.workspaces.loadMany(ids) as Promise<Workspace[]>,
});

export function isStub(w: WorkspaceShape): w is WorkspaceStub {
  return 'stub' in w;
}

/** A stub for a workspace known only by id (and maybe name) from a parent payload. */
export function workspaceStub(id: string, name?: string | null): WorkspaceStub {
  return name === undefined ? { stub: true, id } : { stub: true, id, name };
}

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

export const MemberConnection = connectionOf(MemberRef, 'Member');
