import { cursorToOffset, offsetToCursor } from '@pothos/plugin-relay';
import { badInput } from './errors.js';

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface Connection<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  totalCount: number | null;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** A forward window over an offset-addressed list: the first item's offset and how many to return. */
export interface Window {
  offset: number;
  limit: number;
}

/** Checks `first`/`after` and turns them into a window; cursors are the offsets the gateway handed out. */
export function windowOf(args: PageArgs): Window {
  const limit = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 0 || limit > MAX_PAGE_SIZE) {
    throw badInput(`first must be between 0 and ${MAX_PAGE_SIZE}.`);
  }
  if (args.after == null) return { offset: 0, limit };
  let after: number;
  try {
    after = cursorToOffset(args.after);
  } catch {
    after = Number.NaN;
  }
  if (!Number.isInteger(after) || after < 0) throw badInput('after is not a cursor from this connection.');
  return { offset: after + 1, limit };
}

/**
 * Builds a connection from the items at `window.offset` onwards (`items` may hold more than the window).
 * `total` is null where the upstream gives none; `hasMore` says whether items exist past `items`.
 */
export function offsetConnection<T>(
  window: Window,
  items: readonly T[],
  total: number | null,
  hasMore = false,
): Connection<T> {
  const page = items.slice(0, window.limit);
  const edges = page.map((node, i) => ({ cursor: offsetToCursor(window.offset + i), node }));
  const end = window.offset + page.length;
  return {
    edges,
    pageInfo: {
      hasNextPage: total !== null ? end < total : hasMore || items.length > page.length,
      hasPreviousPage: window.offset > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: total,
  };
}

/** A connection over a list the upstream returns whole; the arguments are checked before it is loaded. */
export async function sliceConnection<T>(
  args: PageArgs,
  load: () => Promise<readonly T[]>,
): Promise<Connection<T>> {
  const window = windowOf(args);
  const all = await load();
  return offsetConnection(window, all.slice(window.offset), all.length);
}
