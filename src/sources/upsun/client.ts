import { InputError, type UpstreamCall, UpstreamError } from '../../errors.js';
import { settleEach, withValidIds } from '../batch.js';
import { ListReads, ResourceCache } from '../cache.js';
import type { CursorCodec } from '../cursor.js';
import { type PositionedPage, walkPages } from '../paging.js';
import { pathOf } from '../paths.js';
import type { SourceSession } from '../session.js';
import { type UserProfile, userProfileListSchema, userProfileSchema } from './payloads.js';

/** The paths this client calls, `{id}` for an id, for the metrics' route label. */
export const ROUTES = ['/profiles', '/profiles/{id}'];

/** How many pages one `userProfiles` field may follow; the upstream chooses its page size. */
export const MAX_PAGES = 10;

export interface ListResult {
  edges: Array<{ cursor: string; node: UserProfile }>;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  totalCount: number | null;
}

/** An edge's place upstream: the query string of its page's link ('' for the first page) and its index. */
interface EdgeState {
  q: string;
  i: number;
}

const LIST_PATH = pathOf('upsun', 'profiles');

/** Where a page starts: its link's query string, or the error of a link the gateway refuses to follow. */
type Position = string | UpstreamError;

/**
 * Upsun's user profiles for one caller and one request. The list declares no paging parameters: pages
 * are reached only through `_links.next.href`. An edge cursor keeps just the link's query string,
 * signed, and only ever for the list endpoint at the configured origin, so no cursor, edited or not,
 * can make the gateway call anything else.
 */
export class UpsunClient {
  /**
   * The request's one cache of user profiles by id; every list page read primes it. Upsun offers no
   * batch read, so a batch fans out in parallel, bounded by the session's per-request concurrency.
   */
  readonly profiles = new ResourceCache<UserProfile>((ids) =>
    withValidIds('upsun', ids, (valid) => settleEach(valid, (id) => this.getProfile(id))),
  );
  private readonly pages = new ListReads<PositionedPage<Position, UserProfile>>((page) =>
    this.profiles.prime(page.items, (p) => p.id),
  );

  constructor(
    private readonly session: SourceSession,
    private readonly cursors: CursorCodec,
  ) {}

  private getProfile(id: string): Promise<UserProfile> {
    return this.session.get(userProfileSchema, { path: pathOf('upsun', 'profiles', { id }) });
  }

  async list(args: { first: number; after?: string | null }): Promise<ListResult> {
    let start = '';
    let skip = 0;
    if (args.after != null) {
      const state = this.cursors.decode(args.after) as EdgeState | null;
      if (!isEdgeState(state)) {
        throw new InputError('after is not a cursor from userProfiles.', 'upsun');
      }
      start = state.q;
      skip = state.i + 1;
    }
    const walk = await walkPages<Position, UserProfile>({
      start,
      skip,
      first: args.first,
      maxPages: MAX_PAGES,
      fetch: (at) => this.page(at),
    });
    return {
      edges: walk.edges.map((e) => ({
        // Edges only come from pages that were fetched, so their position is a vetted query string.
        cursor: this.cursors.encode({ q: e.page as string, i: e.index } satisfies EdgeState),
        node: e.item,
      })),
      hasNextPage: walk.hasNextPage,
      hasPreviousPage: args.after != null,
      totalCount: walk.total,
    };
  }

  /** A page by its link's query string; a link the upstream got wrong fails only when followed. */
  private page(at: Position) {
    if (at instanceof UpstreamError) return Promise.reject(at);
    const search = at;
    return this.pages.of(search, () => this.fetchPage(search)).get();
  }

  private async fetchPage(search: string): Promise<PositionedPage<Position, UserProfile>> {
    const { data: body, call } = await this.session.read(userProfileListSchema, {
      method: 'GET',
      path: LIST_PATH,
      search,
    });
    const nextHref = body._links?.next?.href;
    return {
      items: body.profiles,
      next: nextHref ? linkSearch(this.session, nextHref, call) : null,
      total: body.count,
    };
  }
}

/**
 * The query string of a `_links` href, after checking that the link points at the list endpoint of the
 * configured origin. A link elsewhere is the upstream's fault (or an attack on it): it becomes an error
 * that is raised only if the walk needs that page, and no request is ever sent to it.
 */
function linkSearch(session: SourceSession, href: string, call: UpstreamCall): Position {
  const { origin, prefix } = session.base;
  let url: URL | null;
  try {
    url = new URL(href, `${origin}${prefix}/`);
  } catch {
    url = null;
  }
  const onList = url?.origin === origin && url.pathname === `${prefix}${LIST_PATH}`;
  if (!url || !onList || url.username || url.password) {
    const message = `upsun returned a next link outside its profile list (${JSON.stringify(href)}); the gateway does not follow it`;
    return session.fail('UPSTREAM_ERROR', message, call);
  }
  return url.search;
}

function isEdgeState(value: unknown): value is EdgeState {
  const s = value as EdgeState | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.q === 'string' &&
    (s.q === '' || /^\?[^#\s]*$/.test(s.q)) &&
    Number.isInteger(s.i) &&
    s.i >= 0
  );
}
