import { InputError, UpstreamError } from '../../errors.js';
import { withValidIds } from '../batch.js';
import { ListReads, ResourceCache } from '../cache.js';
import type { CursorCodec } from '../cursor.js';
import { walkPages } from '../paging.js';
import { pathOf } from '../paths.js';
import type { SourceSession } from '../session.js';
import {
  type AccountProfile,
  type AccountProfileType,
  type SearchPage,
  searchPageSchema,
} from './payloads.js';

/** The paths this client calls, for the metrics' route label. */
export const ROUTES = ['/v1/account/profiles'];

/** The largest `limit` the gateway asks for; larger windows walk more pages. */
export const MAX_LIMIT = 50;
/** Longest search string, and most labels, one search may send: cadenya's own limits are unpublished. */
export const MAX_QUERY_LENGTH = 256;
export const MAX_LABELS = 20;
/** How many pages one field may read: bounds the gateway-side type filter and the by-id scan. */
export const MAX_PAGES = 10;

export interface SearchArgs {
  query?: string | null;
  type?: AccountProfileType | null;
  labels?: ReadonlyArray<{ key: string; value: string }> | null;
  first: number;
  after?: string | null;
}

export interface SearchResult {
  edges: Array<{ cursor: string; node: AccountProfile }>;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  totalCount: number | null;
}

/** Where an edge sits upstream: the page's cursor (null for the first), the page's limit, the index. */
interface EdgeState {
  c: string | null;
  l: number;
  i: number;
  /** The search the cursor belongs to; a cursor is only valid for the same filters. */
  f: string;
}

/**
 * Cadenya's account profile search, for one caller and one request. Paging maps the upstream's opaque
 * page cursor to Relay edge cursors that name a page and an index in it, so a client can resume from
 * any edge. The `type` filter is sent upstream and also applied here: the seed promises a type filter
 * but names no parameter, so an upstream that ignores `type=` must not leak other types through.
 */
export class CadenyaClient {
  /** The request's one cache of account profiles by id; every search page read primes it. */
  readonly profiles = new ResourceCache<AccountProfile>((ids) =>
    withValidIds('cadenya', ids, (valid) => this.findByIds(valid)),
  );
  private readonly pages = new ListReads<SearchPage>((page) => this.profiles.prime(page.items, (p) => p.id));

  constructor(
    private readonly session: SourceSession,
    private readonly cursors: CursorCodec,
  ) {}

  async search(args: SearchArgs): Promise<SearchResult> {
    const params = searchParams(args);
    const filterKey = JSON.stringify(params);
    let start: { c: string | null; l: number } = { c: null, l: Math.min(Math.max(args.first, 1), MAX_LIMIT) };
    let skip = 0;
    if (args.after != null) {
      const state = this.cursors.decode(args.after) as EdgeState | null;
      if (!isEdgeState(state)) throw new InputError('after is not a cursor from accountProfiles.', 'cadenya');
      if (state.f !== filterKey)
        throw new InputError('after belongs to a search with other arguments.', 'cadenya');
      start = { c: state.c, l: state.l };
      skip = state.i + 1;
    }
    const walk = await walkPages({
      start,
      skip,
      first: args.first,
      maxPages: MAX_PAGES,
      keep: args.type ? (p: AccountProfile) => p.type === args.type : undefined,
      fetch: async (at) => {
        const page = await this.page({ ...params, cursor: at.c ?? undefined, limit: at.l });
        return {
          items: page.items,
          next: page.nextCursor ? { c: page.nextCursor, l: at.l } : null,
          total: page.total,
        };
      },
    });
    return {
      edges: walk.edges.map((e) => ({
        cursor: this.cursors.encode({
          c: e.page.c,
          l: e.page.l,
          i: e.index,
          f: filterKey,
        } satisfies EdgeState),
        node: e.item,
      })),
      hasNextPage: walk.hasNextPage,
      hasPreviousPage: args.after != null,
      // The upstream's total counts what it filtered; with the gateway filtering types too, it may be too high.
      totalCount: args.type ? null : walk.total,
    };
  }

  /**
   * Cadenya has no get-by-id. A batch of ids walks the account's profiles (all types, no query) until
   * every id is found, the list ends, or MAX_PAGES pages have been read. Profiles that an earlier
   * search of the request returned are in the cache already and never reach here.
   */
  private async findByIds(ids: readonly string[]): Promise<Array<AccountProfile | Error>> {
    const wanted = new Set(ids);
    const found = new Map<string, AccountProfile>();
    // Searches of this request still in flight may hold the ids.
    for (const page of await Promise.allSettled(this.pages.joinable())) {
      if (page.status === 'fulfilled')
        for (const item of page.value.items) if (wanted.has(item.id)) found.set(item.id, item);
    }
    let cursor: string | undefined;
    let exhausted = false;
    for (let pages = 0; pages < MAX_PAGES && found.size < wanted.size; pages++) {
      let page: SearchPage;
      try {
        page = await this.page({ cursor, limit: MAX_LIMIT });
      } catch (error) {
        return ids.map(() => error as Error);
      }
      for (const item of page.items) if (wanted.has(item.id)) found.set(item.id, item);
      if (!page.nextCursor) {
        exhausted = true;
        break;
      }
      cursor = page.nextCursor;
    }
    return ids.map(
      (id) =>
        found.get(id) ??
        new UpstreamError(
          'NOT_FOUND',
          'cadenya',
          exhausted
            ? `No account profile ${id} in this account.`
            : `Account profile ${id} is not among the first ${MAX_PAGES * MAX_LIMIT} profiles; cadenya has no lookup by id.`,
        ),
    );
  }

  private page(query: Record<string, string | number | undefined>): Promise<SearchPage> {
    return this.pages
      .of(JSON.stringify(query), () =>
        this.session.get(searchPageSchema, { path: pathOf('cadenya', 'v1', 'account', 'profiles'), query }),
      )
      .get();
  }
}

/** The upstream's query parameters for a search, with labels as `k=v,k=v` (sorted, so equal searches match). */
function searchParams(args: SearchArgs): Record<string, string | undefined> {
  if (args.query && args.query.length > MAX_QUERY_LENGTH) {
    throw new InputError(`query must be at most ${MAX_QUERY_LENGTH} characters.`, 'cadenya');
  }
  const labels = [...(args.labels ?? [])];
  if (labels.length > MAX_LABELS) throw new InputError(`At most ${MAX_LABELS} labels.`, 'cadenya');
  for (const { key, value } of labels) {
    if (key === '' || /[=,]/.test(key) || value.includes(',')) {
      throw new InputError(
        `Invalid label ${JSON.stringify(`${key}=${value}`)}: keys may not be empty or hold "=" or ",", values may not hold ",".`,
        'cadenya',
      );
    }
  }
  labels.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    query: args.query || undefined,
    labels: labels.length > 0 ? labels.map((l) => `${l.key}=${l.value}`).join(',') : undefined,
    type: args.type ? `PROFILE_TYPE_${args.type}` : undefined,
  };
}

function isEdgeState(value: unknown): value is EdgeState {
  const s = value as EdgeState | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    (s.c === null || typeof s.c === 'string') &&
    Number.isInteger(s.l) &&
    s.l >= 1 &&
    s.l <= MAX_LIMIT &&
    Number.isInteger(s.i) &&
    s.i >= 0 &&
    typeof s.f === 'string'
  );
}
