import { fromListOrSingle, listSavings, settleEach, withValidIds } from '../batch.js';
import { ListRead, ResourceCache } from '../cache.js';
import { pathOf } from '../paths.js';
import type { SourceSession } from '../session.js';
import { type Profile, profileListSchema, profileSchema } from './payloads.js';

/**
 * From how many profile keys in one batch the gateway reads the whole account (GET /api/profiles)
 * instead of one GET per key. Single GETs run in parallel, so below the threshold they cost no more
 * time than the list, only calls; the list costs one call but carries every profile of the account. At
 * two keys, two small GETs beat one payload that may hold hundreds of profiles; from three keys on, one
 * call beats three. The list also answers any later profile load in the same request for free.
 */
export const PROFILE_LIST_THRESHOLD = 3;

export interface UpsertProfileInput {
  name?: string | null;
  phone?: string | null;
  email?: string | null;
}

/** Profiles (`/api/profiles`) for one caller and one request: the request's one cache of them. */
export class Profiles {
  private readonly cache = new ResourceCache<Profile>((ids) =>
    withValidIds('matatika', ids, (valid) => this.batch(valid)),
  );
  /** The account's whole list; the upstream returns it at once. Its profiles prime the cache. */
  private readonly list = new ListRead(
    () => this.session.get(profileListSchema, { path: pathOf('matatika', 'api', 'profiles') }),
    (profiles) => this.cache.prime(profiles, (p) => p.id),
  );
  /** The list was started ahead of the batch that will use it (prefetch), not by an earlier one. */
  private listAhead = false;

  constructor(private readonly session: SourceSession) {}

  load(id: string): Promise<Profile> {
    return this.cache.load(id);
  }

  loadMany(ids: readonly string[]): Promise<Array<Profile | Error>> {
    return this.cache.loadMany(ids);
  }

  /** Every profile under the caller's account. */
  all(): Promise<Profile[]> {
    return this.list.get();
  }

  /**
   * Starts reading the account's list for a batch that is sure to come (a workspace's members'
   * profiles), so that profiles loaded elsewhere in the query join it instead of costing GETs of
   * their own. A failure is reported to the fields that use the list.
   */
  prefetch(): void {
    if (this.list.started) return;
    this.listAhead = true;
    this.list.prefetch();
  }

  /** PUT /api/profiles/{id}; the mutation that calls it invalidates what it changed. */
  async put(id: string, input: UpsertProfileInput): Promise<{ profile: Profile; created: boolean }> {
    const { status, data } = await this.session.read(profileSchema, {
      method: 'PUT',
      path: pathOf('matatika', 'api', 'profiles', { id }),
      json: input,
    });
    return { profile: data, created: status === 201 };
  }

  /** PATCH /api/profiles/{id}; the mutation that calls it invalidates what it changed. */
  async patch(id: string, body: object): Promise<Profile> {
    const { data } = await this.session.read(profileSchema, {
      method: 'PATCH',
      path: pathOf('matatika', 'api', 'profiles', { id }),
      json: body,
    });
    return data;
  }

  /** A write's answer is the profile as the upstream now has it: later loads read it, not what came before. */
  remember(profile: Profile): void {
    this.cache.replace(profile.id, profile);
    this.list.reset();
  }

  private get(id: string): Promise<Profile> {
    return this.session.get(profileSchema, { path: pathOf('matatika', 'api', 'profiles', { id }) });
  }

  private async batch(ids: readonly string[]): Promise<Array<Profile | Error>> {
    // A list started ahead for this batch counts, in the metrics, as read by it.
    const listRead = this.list.started && !this.listAhead;
    this.listAhead = false;
    if (!this.list.answers(ids.length, PROFILE_LIST_THRESHOLD)) {
      this.session.observer?.onBatch('matatika.profiles', ids.length, {});
      return settleEach(ids, (id) => this.get(id));
    }
    // A profile missing from the account's list may still be readable (or may fail with its own
    // status), so it falls back to its single GET: the upstream, not the gateway, decides.
    let singles = 0;
    const results = await fromListOrSingle(
      ids,
      this.list.get(),
      (p) => p.id,
      (id) => {
        singles++;
        return this.get(id);
      },
    );
    this.session.observer?.onBatch(
      'matatika.profiles',
      ids.length,
      listSavings(listRead, ids.length - singles),
    );
    return results;
  }
}
