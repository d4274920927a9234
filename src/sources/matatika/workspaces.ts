import { fromListOrSingle, listSavings, settleEach, withValidIds } from '../batch.js';
import { ListRead, ListReads, ResourceCache } from '../cache.js';
import { pathOf } from '../paths.js';
import type { SourceSession } from '../session.js';
import { type Workspace, type WorkspacePage, workspacePageSchema, workspaceSchema } from './payloads.js';

/** Page size the gateway uses when it reads every workspace of the caller (the upstream caps at 100). */
export const WORKSPACE_BATCH_PAGE_SIZE = 100;
/**
 * Most pages one read of every workspace may take: the cost of a query is then bounded before it runs
 * (src/cost/). Workspaces past them fall back to their own GET, like any id the list lacks.
 */
export const WORKSPACE_LIST_MAX_PAGES = 10;

/** A window of the caller's workspaces: the items from its offset on, and what is known of the rest. */
export interface WorkspaceWindow {
  items: Workspace[];
  /** `page.totalElements`, where the upstream gives it. */
  total: number | null;
  /** Without a total: whether the last page read was full, so more may follow. */
  hasMore: boolean;
}

/**
 * Workspaces (`/api/workspaces`) for one caller and one request: the request's one cache of them. The
 * upstream pages by page number and size; every page read primes the cache.
 */
export class Workspaces {
  private readonly cache = new ResourceCache<Workspace>((ids) =>
    withValidIds('matatika', ids, (valid) => this.batch(valid)),
  );
  private readonly pages = new ListReads<WorkspacePage>((p) => this.cache.prime(p.workspaces, (w) => w.id));
  /** Every workspace of the caller, read through pages of WORKSPACE_BATCH_PAGE_SIZE (which prime the cache). */
  private readonly all = new ListRead(
    () => this.readAll(),
    () => {},
  );

  constructor(private readonly session: SourceSession) {}

  load(id: string): Promise<Workspace> {
    return this.cache.load(id);
  }

  loadMany(ids: readonly string[]): Promise<Array<Workspace | Error>> {
    return this.cache.loadMany(ids);
  }

  /**
   * `limit` workspaces from `offset` on. A window of `limit` items at any offset spans at most two
   * pages of size `limit`, fetched together.
   */
  async window(offset: number, limit: number): Promise<WorkspaceWindow> {
    const size = Math.max(1, limit);
    const firstPage = Math.floor(offset / size);
    const lastPage = Math.floor((offset + Math.max(0, limit - 1)) / size);
    const pages = await Promise.all(
      Array.from({ length: lastPage - firstPage + 1 }, (_, i) => this.page(firstPage + i, size).get()),
    );
    const items = pages.flatMap((p) => p.workspaces).slice(offset - firstPage * size);
    const total = pages[0]?.page?.totalElements ?? null;
    const hasMore =
      total === null && items.length >= limit && (pages.at(-1)?.workspaces.length ?? 0) === size;
    return { items, total, hasMore };
  }

  /** Every workspace's `isDefault` may have changed (a new default): forget every one of them. */
  invalidate(): void {
    this.cache.clear();
    this.pages.clear();
    this.all.reset();
  }

  /** One page of the caller's workspaces; `page` is 0-based, as upstream. */
  private page(page: number, size: number): ListRead<WorkspacePage> {
    return this.pages.of(`${page}:${size}`, () =>
      this.session.get(workspacePageSchema, {
        path: pathOf('matatika', 'api', 'workspaces'),
        query: { page, size },
      }),
    );
  }

  /**
   * The first page says how many pages follow, and at what size: an upstream may cap the size below
   * what was asked, so the rest are requested at the size it used.
   */
  private async readAll(): Promise<Workspace[]> {
    const first = await this.page(0, WORKSPACE_BATCH_PAGE_SIZE).get();
    const size = first.page?.size ?? WORKSPACE_BATCH_PAGE_SIZE;
    const totalPages = Math.min(first.page?.totalPages ?? 1, WORKSPACE_LIST_MAX_PAGES);
    const rest = await Promise.all(
      Array.from({ length: Math.max(0, totalPages - 1) }, (_, i) => this.page(i + 1, size).get()),
    );
    return [first, ...rest].flatMap((p) => p.workspaces);
  }

  private get(id: string): Promise<Workspace> {
    return this.session.get(workspaceSchema, { path: pathOf('matatika', 'api', 'workspaces', { id }) });
  }

  /**
   * Keys not in the cache. Pages in flight (a `workspaces` field next to a default workspace's status,
   * say) answer first. Of the rest, one key is one GET; two or more read the whole list once, and only
   * keys missing from it (a workspace the caller may not read, or none at all) fall back to a single
   * GET, whose answer carries the exact 403 or 404.
   */
  private async batch(ids: readonly string[]): Promise<Array<Workspace | Error>> {
    const known = new Map<string, Workspace>();
    for (const page of await Promise.allSettled(this.pages.joinable())) {
      if (page.status === 'fulfilled') for (const w of page.value.workspaces) known.set(w.id, w);
    }
    const missing = ids.filter((id) => !known.has(id));
    const listRead = this.all.started;
    let singles = 0;
    const single = (id: string) => {
      singles++;
      return this.get(id);
    };
    const loaded = !this.all.answers(missing.length, 2)
      ? await settleEach(missing, single)
      : await fromListOrSingle(missing, this.all.get(), (w) => w.id, single);
    const saved = listSavings(listRead, missing.length - singles);
    this.session.observer?.onBatch('matatika.workspaces', ids.length, {
      batch: saved.batch,
      listCoverage: (saved.listCoverage ?? 0) + ids.length - missing.length,
    });
    const byId = new Map(missing.map((id, i) => [id, loaded[i] as Workspace | Error]));
    return ids.map((id) => known.get(id) ?? (byId.get(id) as Workspace | Error));
  }
}
