import { InputError } from '../../errors.js';
import { fromListOrSingle, listSavings, settleEach, unwrap } from '../batch.js';
import { type ListRead, ListReads, ResourceCache } from '../cache.js';
import { idProblem, pathOf } from '../paths.js';
import type { SourceSession } from '../session.js';
import { type Member, memberListSchema, memberSchema } from './payloads.js';

/** A member as the gateway models it: the upstream's member plus the workspace it was read from. */
export type WorkspaceMember = Member & { workspaceId: string };

export interface MemberKey {
  workspaceId: string;
  memberId: string;
}

/**
 * A member's key as one string (its global id carries it): its workspace id and its own id. A member's
 * id is unique only within its workspace.
 */
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

/**
 * Members (`/api/workspaces/{id}/members`) for one caller and one request: the request's one cache of
 * them, keyed by memberKey. A workspace's member list primes the cache with all of its members.
 */
export class Members {
  private readonly cache = new ResourceCache<WorkspaceMember>((keys) => this.batch(keys));
  private readonly lists = new ListReads<WorkspaceMember[]>((members) =>
    this.cache.prime(members, (m) => memberKey(m.workspaceId, m.id)),
  );

  constructor(private readonly session: SourceSession) {}

  /** A member by its key (see memberKey); BAD_USER_INPUT for a string that is not one. */
  load(key: string): Promise<WorkspaceMember> {
    return this.cache.load(key);
  }

  loadMany(keys: readonly string[]): Promise<Array<WorkspaceMember | Error>> {
    return this.cache.loadMany(keys);
  }

  /** Every member of a workspace. */
  of(workspaceId: string): Promise<WorkspaceMember[]> {
    return this.list(workspaceId).get();
  }

  /**
   * Starts reading a workspace's member list that a later field will ask for. A failure is not reported
   * here: the field that asks for the list gets the same read and reports it.
   */
  prefetch(workspaceId: string): void {
    try {
      this.list(workspaceId).prefetch();
    } catch {
      // An invalid id throws before any request; the members field will throw it again, with its path.
    }
  }

  /** A member's name and handle derive from its profile: after a profile write, forget them all. */
  invalidate(): void {
    this.cache.clear();
    this.lists.clear();
  }

  private list(workspaceId: string): ListRead<WorkspaceMember[]> {
    return this.lists.of(workspaceId, () =>
      this.session
        .get(memberListSchema, {
          path: pathOf('matatika', 'api', 'workspaces', { id: workspaceId }, 'members'),
        })
        .then((members) => members.map((m) => ({ ...m, workspaceId }))),
    );
  }

  private async get(key: MemberKey): Promise<WorkspaceMember> {
    const member = await this.session.get(memberSchema, {
      path: pathOf('matatika', 'api', 'workspaces', { id: key.workspaceId }, 'members', { id: key.memberId }),
    });
    return { ...member, workspaceId: key.workspaceId };
  }

  /**
   * Keys not in the cache. Keys of one workspace share its member list when there are two or more of
   * them, or when the list is being read anyway; one key alone is one GET.
   */
  private async batch(keys: readonly string[]): Promise<Array<WorkspaceMember | Error>> {
    const answers = new Map<string, Promise<WorkspaceMember>>();
    const byWorkspace = new Map<string, Array<MemberKey & { key: string }>>();
    for (const key of keys) {
      const parsed = parseMemberKey(key);
      const problem = parsed
        ? (idProblem(parsed.workspaceId, 'matatika') ?? idProblem(parsed.memberId, 'matatika'))
        : new InputError('Invalid Member id.');
      if (problem || !parsed) answers.set(key, Promise.reject(problem));
      else
        byWorkspace.set(parsed.workspaceId, [
          ...(byWorkspace.get(parsed.workspaceId) ?? []),
          { ...parsed, key },
        ]);
    }
    const reports: Array<Promise<{ batch?: number; listCoverage?: number }>> = [];
    for (const [workspaceId, group] of byWorkspace) {
      const list = this.list(workspaceId);
      if (!list.answers(group.length, 2)) {
        for (const key of group) answers.set(key.key, this.get(key));
        continue;
      }
      const listRead = list.started;
      let singles = 0;
      const results = fromListOrSingle(
        group.map((k) => k.memberId),
        list.get(),
        (m) => m.id,
        (memberId) => {
          singles++;
          return this.get({ workspaceId, memberId });
        },
      );
      reports.push(results.then(() => listSavings(listRead, group.length - singles)));
      group.forEach((key, i) => {
        answers.set(
          key.key,
          results.then((r) => unwrap(r[i] as WorkspaceMember | Error)),
        );
      });
    }
    const settled = await settleEach(keys, (key) => answers.get(key) as Promise<WorkspaceMember>);
    const saved = await Promise.all(reports);
    this.session.observer?.onBatch('matatika.members', keys.length, {
      batch: saved.reduce((n, s) => n + (s.batch ?? 0), 0),
      listCoverage: saved.reduce((n, s) => n + (s.listCoverage ?? 0), 0),
    });
    return settled;
  }
}
