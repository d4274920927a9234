import { MAX_PAGES as CADENYA_MAX_PAGES } from '../sources/cadenya/client.js';
import { PROFILE_LIST_THRESHOLD, WORKSPACE_LIST_MAX_PAGES } from '../sources/matatika/client.js';
import { MAX_PAGES as UPSUN_MAX_PAGES } from '../sources/upsun/client.js';

/**
 * A reference to objects whose upstream id the document cannot tell (a member of a list, a profile's
 * default workspace): `n` of them at most. The same reference asked twice is one load, as the request's
 * cache makes it.
 */
export interface Unknown {
  n: number;
}

/**
 * What one operation (or one mutation field, whose writes reset the request's caches) reads from the
 * upstreams, in the units the sources' loading rules pay for: keys the request's caches dedupe, lists
 * read once per request, page walks. `calls()` turns it into an upper bound of upstream calls.
 */
export class Demand {
  writes = 0;
  private readonly profileKeys = new Set<string>();
  private readonly profilesUnknown = new Set<Unknown>();
  private profileList = false;
  private readonly workspaceKeys = new Set<string>();
  private readonly workspacesUnknown = new Set<Unknown>();
  private readonly workspacePages = new Map<string, number>();
  private readonly memberLists = new Set<string>();
  private readonly memberListsUnknown = new Set<Unknown>();
  private readonly memberKeys = new Set<string>();
  private memberKeysUnknown = 0;
  private readonly searches = new Set<string>();
  private cadenyaById = false;
  private moltaro = false;
  private readonly upsunLists = new Set<string>();
  private readonly upsunKeys = new Set<string>();

  /** A profile by id: one GET at most, whether alone, in a pair, or as a fallback from the account's list. */
  profile(id: string | Unknown): void {
    if (typeof id === 'string') this.profileKeys.add(id);
    else this.profilesUnknown.add(id);
  }

  /** The account's profile list (`profiles`, or started ahead for members' profiles): once per request. */
  profiles(): void {
    this.profileList = true;
  }

  workspace(id: string | Unknown): void {
    if (typeof id === 'string') this.workspaceKeys.add(id);
    else this.workspacesUnknown.add(id);
  }

  /** A `workspaces` window: one page from the start, two from a cursor (a window spans two at most). */
  workspaceWindow(args: string, pages: number): void {
    this.workspacePages.set(args, Math.max(pages, this.workspacePages.get(args) ?? 0));
  }

  /** A workspace's member list: once per workspace. */
  members(workspace: string | Unknown): void {
    if (typeof workspace === 'string') this.memberLists.add(workspace);
    else this.memberListsUnknown.add(workspace);
  }

  /** A member by key: one GET, or its workspace's list when two or more of that workspace are asked for. */
  member(workspace: string | Unknown, memberId: string): void {
    this.members(workspace);
    if (typeof workspace === 'string') this.memberKeys.add(`${workspace}\n${memberId}`);
    else this.memberKeysUnknown += workspace.n;
  }

  /** A cadenya search: its own walk of at most MAX_PAGES pages, shared by identical searches. */
  search(args: string): void {
    this.searches.add(args);
  }

  /** Cadenya by id: one walk of the account's list (MAX_PAGES at most), whose pages every batch shares. */
  accountProfileById(): void {
    this.cadenyaById = true;
  }

  workspaceAccountProfile(): void {
    this.moltaro = true;
  }

  /** An upsun list walk (MAX_PAGES at most), shared by identical arguments. */
  userProfiles(args: string): void {
    this.upsunLists.add(args);
  }

  userProfile(id: string): void {
    this.upsunKeys.add(id);
  }

  /**
   * The most upstream calls this demand can make. `upsunRenews`: upsun's calls go out with the server's
   * exchanged token, which is renewed and the call sent again once after a 401.
   */
  calls(upsunRenews: boolean): number {
    const profileKeys = this.profileKeys.size + sum(this.profilesUnknown);
    const listRead = this.profileList || profileKeys >= PROFILE_LIST_THRESHOLD;
    const profiles = profileKeys + (listRead ? 1 : 0);
    const workspaceKeys = this.workspaceKeys.size + sum(this.workspacesUnknown);
    // Two keys or more read every workspace (bounded pages); any id it lacks gets its own GET.
    const workspaces =
      workspaceKeys +
      (workspaceKeys >= 2 ? WORKSPACE_LIST_MAX_PAGES : 0) +
      [...this.workspacePages.values()].reduce((a, b) => a + b, 0);
    const members =
      this.memberLists.size + sum(this.memberListsUnknown) + this.memberKeys.size + this.memberKeysUnknown;
    const cadenya = CADENYA_MAX_PAGES * (this.searches.size + (this.cadenyaById ? 1 : 0));
    const upsun = (UPSUN_MAX_PAGES * this.upsunLists.size + this.upsunKeys.size) * (upsunRenews ? 2 : 1);
    return this.writes + profiles + workspaces + members + cadenya + (this.moltaro ? 1 : 0) + upsun;
  }
}

function sum(unknowns: Set<Unknown>): number {
  let total = 0;
  for (const u of unknowns) total += u.n;
  return total;
}
