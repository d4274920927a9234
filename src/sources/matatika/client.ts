import type { SourceSession } from '../session.js';
import { Members } from './members.js';
import type { Profile } from './payloads.js';
import { Profiles, type UpsertProfileInput } from './profiles.js';
import { Workspaces } from './workspaces.js';

export { type MemberKey, memberKey, parseMemberKey, type WorkspaceMember } from './members.js';
export { PROFILE_LIST_THRESHOLD, type UpsertProfileInput } from './profiles.js';
export { WORKSPACE_BATCH_PAGE_SIZE, WORKSPACE_LIST_MAX_PAGES, type WorkspaceWindow } from './workspaces.js';

/** The paths this client calls, `{id}` for an id: the metrics report these, never a path with its ids. */
export const ROUTES = [
  '/api/profiles',
  '/api/profiles/{id}',
  '/api/workspaces',
  '/api/workspaces/{id}',
  '/api/workspaces/{id}/members',
  '/api/workspaces/{id}/members/{id}',
];

/** The reads a profile write changes for its caller: the profile, and the account's list that holds it. */
const PROFILE_READS = ['/api/profiles', '/api/profiles/{id}'];
/** Members carry their profile's name and handle. */
const MEMBER_READS = ['/api/workspaces/{id}/members', '/api/workspaces/{id}/members/{id}'];
/** Every workspace says whether it is the caller's default. */
const WORKSPACE_READS = ['/api/workspaces', '/api/workspaces/{id}'];

/**
 * The matatika API as one caller sees it during one request: one module per resource, each the
 * request's only cache of that resource (so nothing is shared between callers, and everything dies
 * with the request). Writes live here, because a write to one resource can change another: each
 * mutation ends in one `invalidate`, which is the one place that knows what a write changes.
 */
export class MatatikaClient {
  // Built on first use: most requests read one resource, and each holds a dataloader and its maps.
  private resources: { profiles?: Profiles; workspaces?: Workspaces; members?: Members } = {};

  constructor(private readonly session: SourceSession) {}

  get profiles(): Profiles {
    this.resources.profiles ??= new Profiles(this.session);
    return this.resources.profiles;
  }

  get workspaces(): Workspaces {
    this.resources.workspaces ??= new Workspaces(this.session);
    return this.resources.workspaces;
  }

  get members(): Members {
    this.resources.members ??= new Members(this.session);
    return this.resources.members;
  }

  async upsertProfile(
    id: string,
    input: UpsertProfileInput,
  ): Promise<{ profile: Profile; created: boolean }> {
    const answer = await this.profiles.put(id, input);
    await this.invalidate({ profile: answer.profile, changed: 'details' });
    return answer;
  }

  /**
   * PATCHes the profile's default workspace. With `previous`, the profile is read first (through the
   * request's cache, so a profile this request holds costs nothing) to tell which workspace was the
   * default before: the client then knows both workspaces whose `isDefault` changed. A failed read does
   * not stop the write; it answers in place of the previous default.
   */
  async setDefaultWorkspace(
    profileId: string,
    workspaceId: string,
    options: { previous?: boolean } = {},
  ): Promise<{ profile: Profile; previous: Profile['defaultWorkspace'] | Error }> {
    const before = options.previous
      ? await this.profiles.load(profileId).then(
          (p) => p.defaultWorkspace,
          (error: Error) => error,
        )
      : null;
    const profile = await this.profiles.patch(profileId, { defaultWorkspace: { id: workspaceId } });
    await this.invalidate({ profile, changed: 'defaultWorkspace' });
    return { profile, previous: before };
  }

  /**
   * What a profile write changed. Its answer replaces the cached profile (and the account's list may
   * have changed with it). New details (name, handle…) change the members derived from the profile; a
   * new default workspace changes the `isDefault` of every workspace: the old default's and the new one's.
   * The same goes for what the caller's credential has in the upstream HTTP cache, across requests.
   */
  private async invalidate(change: { profile: Profile; changed: 'details' | 'defaultWorkspace' }) {
    this.profiles.remember(change.profile);
    if (change.changed === 'details') this.resources.members?.invalidate();
    else this.resources.workspaces?.invalidate();
    const reads = change.changed === 'details' ? MEMBER_READS : WORKSPACE_READS;
    await this.session.forget([...PROFILE_READS, ...reads]);
  }
}
