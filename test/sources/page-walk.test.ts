import { describe, expect, it } from 'vitest';
import { type PositionedPage, walkPages } from '../../src/sources/paging.js';

/** An upstream of `items` served `size` to a page, positions being page numbers; counts the calls. */
function pagedUpstream(items: string[], size: number) {
  const fetched: number[] = [];
  const fetch = async (page: number): Promise<PositionedPage<number, string>> => {
    fetched.push(page);
    const start = page * size;
    return {
      items: items.slice(start, start + size),
      next: start + size < items.length ? page + 1 : null,
      total: items.length,
    };
  };
  return { fetch, fetched };
}

const ITEMS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];

describe('page walks over a position-paged upstream', () => {
  it('collects `first` items across pages and says there are more', async () => {
    const up = pagedUpstream(ITEMS, 3);
    const walk = await walkPages({ start: 0, skip: 0, first: 4, fetch: up.fetch, maxPages: 10 });
    expect(walk.edges.map((e) => e.item)).toEqual(['a', 'b', 'c', 'd']);
    expect(walk.hasNextPage).toBe(true);
    expect(walk.total).toBe(7);
    expect(up.fetched).toEqual([0, 1]);
  });

  it('resumes right after any edge: its page and index are kept', async () => {
    const up = pagedUpstream(ITEMS, 3);
    const first = await walkPages({ start: 0, skip: 0, first: 2, fetch: up.fetch, maxPages: 10 });
    const last = first.edges[1];
    const next = await walkPages({
      start: last?.page ?? 0,
      skip: (last?.index ?? 0) + 1,
      first: 2,
      fetch: up.fetch,
      maxPages: 10,
    });
    expect(next.edges.map((e) => e.item)).toEqual(['c', 'd']);
  });

  it('ends with hasNextPage false on the last page', async () => {
    const up = pagedUpstream(ITEMS, 3);
    const walk = await walkPages({ start: 0, skip: 0, first: 100, fetch: up.fetch, maxPages: 10 });
    expect(walk.edges).toHaveLength(7);
    expect(walk.hasNextPage).toBe(false);
    expect(up.fetched).toEqual([0, 1, 2]);
  });

  it('filters in the gateway and stops after maxPages calls however few items matched', async () => {
    const up = pagedUpstream(ITEMS, 2);
    const walk = await walkPages({
      start: 0,
      skip: 0,
      first: 5,
      fetch: up.fetch,
      keep: (item) => item === 'a' || item === 'g',
      maxPages: 2,
    });
    expect(walk.edges.map((e) => e.item)).toEqual(['a']);
    expect(walk.hasNextPage).toBe(true);
    expect(up.fetched).toEqual([0, 1]);
  });
});
