/** One page of an upstream that pages by position (an opaque cursor or a link), as a walker sees it. */
export interface PositionedPage<P, T> {
  items: readonly T[];
  /** Where the next page starts; null on the last page. */
  next: P | null;
  total: number | null;
}

export interface WalkedEdge<P, T> {
  /** The page the item came from and its index there: enough to resume right after it. */
  page: P;
  index: number;
  item: T;
}

export interface Walk<P, T> {
  edges: Array<WalkedEdge<P, T>>;
  hasNextPage: boolean;
  /** The first page's total, where the upstream gives one. */
  total: number | null;
}

/**
 * Collects `first` items from a position-paged upstream, starting at item `skip` of the page at `start`
 * and following `next` as needed. Every edge remembers its page and index, so a client can resume from
 * any edge's cursor, not only the last. `keep` filters in the gateway (for a filter the upstream may
 * ignore); `maxPages` bounds how many calls one field may spend looking for matches.
 */
export async function walkPages<P, T>(options: {
  start: P;
  skip: number;
  first: number;
  fetch: (page: P) => Promise<PositionedPage<P, T>>;
  keep?: (item: T) => boolean;
  maxPages: number;
}): Promise<Walk<P, T>> {
  const edges: Array<WalkedEdge<P, T>> = [];
  let position = options.start;
  let skip = options.skip;
  let total: number | null = null;
  for (let pages = 1; ; pages++) {
    const page = await options.fetch(position);
    if (pages === 1) total = page.total;
    for (let index = skip; index < page.items.length; index++) {
      const item = page.items[index] as T;
      if (options.keep && !options.keep(item)) continue;
      if (edges.length === options.first) return { edges, hasNextPage: true, total };
      edges.push({ page: position, index, item });
    }
    if (page.next === null) return { edges, hasNextPage: false, total };
    if (edges.length === options.first || pages >= options.maxPages)
      return { edges, hasNextPage: true, total };
    position = page.next;
    skip = 0;
  }
}
