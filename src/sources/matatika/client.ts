import { observeBatch } from '../../telemetry/scope.js';
import { fromListOrSingle, settleEach, unwrap, withValidIds } from '../batch.js';
import { idProblem } from '../errors.js';
import { pathOf } from '../http.js';
import type { SourceSession } from '../session.js';
import {
  type Member,
  memberListSchema,
  memberSchema,
  type Profile,
  profileListSchema,
  profileSchema,
  type Workspace,
  type WorkspacePage,
  workspacePageSchema,
  workspaceSchema,
} from './payloads.js';

/**
 * From how many profile keys in one batch the gateway reads the whole account (GET /api/profiles)
 * instead of one GET per key. Single GETs run in parallel, so below the threshold they cost no more
 * time than the list, only calls; the list costs one call but carries every profile of the account. At
 * two keys, two small GETs beat one payload that may hold hundreds of profiles; from three keys on, one
 * call beats three. The list also answers any later profile load in the same request for free.
 */
export const PROFILE_LIST_THRESHOLD = 3;

/** The paths this client calls, `{id}` for an id: the metrics report these, never a path with its ids. */
export const ROUTES = [
  '/api/profiles',
  '/api/profiles/{id}',
  '/api/workspaces',
  '/api/workspaces/{id}',
  '/api/workspaces/{id}/members',
  '/api/workspaces/{id}/members/{id}',
];

/** Page size the gateway uses when it reads every workspace of the caller (the upstream caps at 100). */
export const WORKSPACE_BATCH_PAGE_SIZE = 100;

export interface MemberKey {
  workspaceId: string;
  memberId: string;
}

/** A member as the gateway models it: the upstream's member plus the workspace it was read from. */
export type WorkspaceMember = Member & { workspaceId: string };

/** A member's key as one string (loader keys must be scalars): its workspace id and its own id. */
export function memberKey(workspaceId: string, memberId: string): string {
  return JSON.stringify([workspaceId, memberId]);
}

/** The inverse of memberKey; null for a string that is not one. */
export function parseMemberKey(key: string): MemberKey | null {
  let parts: unknown;
  try {
    parts = JSON.parse(key);
  } catch {
    return null;
  }
  if (
    !Array.isArray(parts) ||
    parts.length !== 2 ||
    typeof parts[0] !== 'string' ||
    typeof parts[1] !== 'string'
  ) {
    return null;
  }
  return { workspaceId: parts[0], memberId: parts[1] };
}

export interface UpsertProfileInput {
  name?: string | null;
  phone?: string | null;
  email?: string | null;
}

/**
 * The matatika API as one caller sees it during one GraphQL request. It is created per request, so the
 * lists it memoises (the account's profiles, the caller's workspaces, a workspace's members) are that
 * caller's and die with the request. Batch functions return one result or Error per key, in key order,
 * so one missing key never fails its neighbours.
 */
export class MatatikaClient {
  private profileList: Promise<Profile[]> | undefined;
  /** The list was started ahead of the batch that will use it (prefetchProfiles), not by an earlier one. */
  private profileListAhead = false;
  private allWorkspaceList: Promise<Workspace[]> | undefined;
  private readonly workspacePages = new Map<string, Promise<WorkspacePage>>();
  private readonly memberLists = new Map<string, Promise<WorkspaceMember[]>>();

  constructor(private readonly session: SourceSession) {}

  // --- profiles -------------------------------------------------------------------------------------

  getProfile(id: string): Promise<Profile> {
    return this.session.get(profileSchema, { path: pathOf('matatika', 'api', 'profiles', { id }) });
  }

  /** Every profile under the caller's account; the upstream returns them all at once. */
  listProfiles(): Promise<Profile[]> {
    this.profileList ??= this.session.get(profileListSchema, { path: pathOf('matatika', 'api', 'profiles') });
    return this.profileList;
  }

  loadProfiles(ids: readonly string[]): Promise<Array<Profile | Error>> {
    return withValidIds('matatika', ids, (valid) => this.loadValidProfiles(valid));
  }

  private async loadValidProfiles(ids: readonly string[]): Promise<Array<Profile | Error>> {
    // A list started ahead for this batch counts, in the metrics, as read by it.
    const listRead = this.profileList !== undefined && !this.profileListAhead;
    this.profileListAhead = false;
    if (this.profileList === undefined && ids.length < PROFILE_LIST_THRESHOLD) {
      observeBatch(this.session.scope, 'matatika.profiles', ids.length, {});
      return settleEach(ids, (id) => this.getProfile(id));
    }
    // A profile missing from the account's list may still be readable (or may fail with its own
    // status), so it falls back to its single GET: the upstream, not the gateway, decides.
    let singles = 0;
    const results = await fromListOrSingle(
      ids,
      this.listProfiles(),
      (p) => p.id,
      (id) => {
        singles++;
        return this.getProfile(id);
      },
    );
    observeBatch(
      this.session.scope,
      'matatika.profiles',
      ids.length,
      listSavings(listRead, ids.length - singles),
    );
    return results;
  }

  async upsertProfile(
    id: string,
    input: UpsertProfileInput,
  ): Promise<{ profile: Profile; created: boolean }> {
    const { status, data } = await this.session.json(profileSchema, {
      method: 'PUT',
      path: pathOf('matatika', 'api', 'profiles', { id }),
      json: input,
    });
    this.profileList = undefined;
    return { profile: data, created: status === 201 };
  }

  async setDefaultWorkspace(profileId: string, workspaceId: string): Promise<Profile> {
    const { data } = await this.session.json(profileSchema, {
      method: 'PATCH',
      path: pathOf('matatika', 'api', 'profiles', { id: profileId }),
      json: { defaultWorkspace: { id: workspaceId } },
    });
    // Every workspace's `defaultWorkspace` flag may have changed with this call.
    this.profileList = undefined;
    this.allWorkspaceList = undefined;
    this.workspacePages.clear();
    return data;
  }

  // --- workspaces -----------------------------------------------------------------------------------

  getWorkspace(id: string): Promise<Workspace> {
    return this.session.get(workspaceSchema, { path: pathOf('matatika', 'api', 'workspaces', { id }) });
  }

  /** One page of the caller's workspaces; `page` is 0-based, as upstream. */
  workspacePage(page: number, size: number): Promise<WorkspacePage> {
    const key = `${page}:${size}`;
    let result = this.workspacePages.get(key);
    if (!result) {
      result = this.session.get(workspacePageSchema, {
        path: pathOf('matatika', 'api', 'workspaces'),
        query: { page, size },
      });
      this.workspacePages.set(key, result);
    }
    return result;
  }

  /**
   * Every workspace of the caller. The first page says how many pages follow, and at what size: an
   * upstream may cap the size below what was asked, so the rest are requested at the size it used.
   */
  listAllWorkspaces(): Promise<Workspace[]> {
    this.allWorkspaceList ??= (async () => {
      const first = await this.workspacePage(0, WORKSPACE_BATCH_PAGE_SIZE);
      const size = first.page?.size ?? WORKSPACE_BATCH_PAGE_SIZE;
      const totalPages = first.page?.totalPages ?? 1;
      const rest = await Promise.all(
        Array.from({ length: Math.max(0, totalPages - 1) }, (_, i) => this.workspacePage(i + 1, size)),
      );
      return [first, ...rest].flatMap((p) => p.workspaces);
    })();
    return this.allWorkspaceList;
  }

  /**
   * Workspaces come first from the pages of the caller's list that this request has read or is
   * reading (a `workspaces` field next to a default workspace's status, say). Of the rest, one key is
   * one GET; two or more read the whole list once, and only keys missing from it (a workspace the
   * caller may not read, or none at all) fall back to a single GET, whose answer carries the exact
   * 403 or 404.
   */
  loadWorkspaces(ids: readonly string[]): Promise<Array<Workspace | Error>> {
    return withValidIds('matatika', ids, (valid) => this.loadValidWorkspaces(valid));
  }

  private async loadValidWorkspaces(ids: readonly string[]): Promise<Array<Workspace | Error>> {
    const known = new Map<string, Workspace>();
    for (const page of await Promise.allSettled(this.workspacePages.values())) {
      if (page.status === 'fulfilled') for (const w of page.value.workspaces) known.set(w.id, w);
    }
    const missing = ids.filter((id) => !known.has(id));
    const listRead = this.allWorkspaceList !== undefined;
    let singles = 0;
    const loaded =
      !listRead && missing.length < 2
        ? await settleEach(missing, (id) => {
            singles++;
            return this.getWorkspace(id);
          })
        : await fromListOrSingle(
            missing,
            this.listAllWorkspaces(),
            (w) => w.id,
            (id) => {
              singles++;
              return this.getWorkspace(id);
            },
          );
    const fromList = missing.length - singles;
    const saved = listSavings(listRead, fromList);
    observeBatch(this.session.scope, 'matatika.workspaces', ids.length, {
      batch: saved.batch,
      listCoverage: (saved.listCoverage ?? 0) + ids.length - missing.length,
    });
    const byId = new Map(missing.map((id, i) => [id, loaded[i] as Workspace | Error]));
    return ids.map((id) => known.get(id) ?? (byId.get(id) as Workspace | Error));
  }

  // --- members --------------------------------------------------------------------------------------

  listMembers(workspaceId: string): Promise<WorkspaceMember[]> {
    let result = this.memberLists.get(workspaceId);
    if (!result) {
      result = this.session
        .get(memberListSchema, {
          path: pathOf('matatika', 'api', 'workspaces', { id: workspaceId }, 'members'),
        })
        .then((members) => members.map((m) => ({ ...m, workspaceId })));
      this.memberLists.set(workspaceId, result);
    }
    return result;
  }

  /** Starts reading the account's profile list that a later batch will use; failures are reported there. */
  prefetchProfiles(): void {
    if (this.profileList !== undefined) return;
    this.profileListAhead = true;
    this.listProfiles().catch(() => {});
  }

  /**
   * Starts reading a workspace's member list that a later field will ask for. A failure is not reported
   * here: the field that asks for the list gets the same promise and reports it.
   */
  prefetchMembers(workspaceId: string): void {
    try {
      this.listMembers(workspaceId).catch(() => {});
    } catch {
      // An invalid id throws before any request; the members field will throw it again, with its path.
    }
  }

  async getMember(key: MemberKey): Promise<WorkspaceMember> {
    const member = await this.session.get(memberSchema, {
      path: pathOf('matatika', 'api', 'workspaces', { id: key.workspaceId }, 'members', { id: key.memberId }),
    });
    return { ...member, workspaceId: key.workspaceId };
  }

  /** Keys of one workspace share its member list when there are two or more of them. */
  async loadMembers(keys: readonly MemberKey[]): Promise<Array<WorkspaceMember | Error>> {
    const problems = new Map<MemberKey, Error>();
    for (const key of keys) {
      const problem = idProblem(key.workspaceId, 'matatika') ?? idProblem(key.memberId, 'matatika');
      if (problem) problems.set(key, problem);
    }
    const byWorkspace = new Map<string, MemberKey[]>();
    for (const key of keys)
      if (!problems.has(key))
        byWorkspace.set(key.workspaceId, [...(byWorkspace.get(key.workspaceId) ?? []), key]);
    const answers = new Map<MemberKey, Promise<WorkspaceMember>>();
    const reports: Array<Promise<{ batch?: number; listCoverage?: number }>> = [];
    for (const [workspaceId, group] of byWorkspace) {
      const listRead = this.memberLists.has(workspaceId);
      if (!listRead && group.length < 2) {
        for (const key of group) answers.set(key, this.getMember(key));
        continue;
      }
      let singles = 0;
      const results = fromListOrSingle(
        group.map((k) => k.memberId),
        this.listMembers(workspaceId),
        (m) => m.id,
        (memberId) => {
          singles++;
          return this.getMember({ workspaceId, memberId });
        },
      );
      reports.push(results.then(() => listSavings(listRead, group.length - singles)));
      group.forEach((key, i) => {
        answers.set(
          key,
          results.then((r) => unwrap(r[i] as WorkspaceMember | Error)),
        );
      });
    }
    const settled = await settleEach(keys, (key) => {
      const problem = problems.get(key);
      return problem ? Promise.reject(problem) : (answers.get(key) as Promise<WorkspaceMember>);
    });
    const saved = await Promise.all(reports);
    observeBatch(this.session.scope, 'matatika.members', keys.length, {
      batch: saved.reduce((n, s) => n + (s.batch ?? 0), 0),
      listCoverage: saved.reduce((n, s) => n + (s.listCoverage ?? 0), 0),
    });
    return settled;
  }
}

/**
 * Single reads a list saved: `fromList` keys found in a list this batch read (one call instead of one
 * per key) or in one the request had already read (no call at all).
 */
function listSavings(listRead: boolean, fromList: number): { batch?: number; listCoverage?: number } {
  return listRead ? { listCoverage: fromList } : { batch: Math.max(0, fromList - 1) };
}
