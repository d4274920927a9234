import type { ObjectRef, SchemaTypes } from '@pothos/core';
import { cursorToOffset, offsetToCursor, resolveArrayConnection } from '@pothos/plugin-relay';
import { type GraphQLResolveInfo, locatedError, responsePathAsArray } from 'graphql';
import type { Context } from '../context.js';
import { GatewayError, InputError } from '../errors.js';
import { builder } from './builder.js';

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

/** `first`, checked, with its default. */
export function pageSize(args: PageArgs): number {
  const limit = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 0 || limit > MAX_PAGE_SIZE) {
    throw new InputError(`first must be between 0 and ${MAX_PAGE_SIZE}.`);
  }
  return limit;
}

/** Checks `first`/`after` and turns them into a window; cursors are the offsets the gateway handed out. */
export function windowOf(args: PageArgs): Window {
  const limit = pageSize(args);
  if (args.after == null) return { offset: 0, limit };
  let after: number;
  try {
    after = cursorToOffset(args.after);
  } catch {
    after = Number.NaN;
  }
  if (!Number.isInteger(after) || after < 0)
    throw new InputError('after is not a cursor from this connection.');
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

/** `<Name>Connection` and `<Name>Edge` of a node type; every connection has a totalCount (see builder.ts). */
export function connectionOf<Types extends SchemaTypes, T>(ref: ObjectRef<Types, T>, name: string) {
  return builder.connectionObject({ type: ref, name: `${name}Connection` }, { name: `${name}Edge` });
}

/**
 * A connection over a list the upstream returns whole, sliced by plugin-relay. The arguments are
 * checked first (windowOf), so a bad `first` or `after` costs no call and answers BAD_USER_INPUT
 * rather than being clamped.
 */
export async function arrayConnection<T>(
  args: PageArgs,
  load: () => Promise<readonly T[]>,
): Promise<Connection<T>> {
  const window = windowOf(args);
  const all = await load();
  const connection = resolveArrayConnection({ args: { first: window.limit, after: args.after } }, all);
  return {
    edges: connection.edges as Connection<T>['edges'],
    pageInfo: {
      ...connection.pageInfo,
      // plugin-relay names a cursor even for an empty page; there is no edge to point at.
      startCursor: connection.edges.length > 0 ? (connection.pageInfo.startCursor ?? null) : null,
      endCursor: connection.edges.length > 0 ? (connection.pageInfo.endCursor ?? null) : null,
    },
    totalCount: all.length,
  };
}

/** A connection from a source that pages by cursor and hands out its own edge cursors. */
export function cursorConnection<T>(page: {
  edges: Array<{ cursor: string; node: T }>;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  totalCount: number | null;
}): Connection<T> {
  return {
    edges: page.edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: page.edges[0]?.cursor ?? null,
      endCursor: page.edges.at(-1)?.cursor ?? null,
    },
    totalCount: page.totalCount,
  };
}

/**
 * Resolves a connection, answering an empty one when its upstream fails. The contract makes every list
 * non-null, so a plain throw would null the parent (the whole response, for a root list) and take every
 * other source's data with it. Instead the error is reported at this field's path, with its code, and
 * the rest of the response arrives. Every GatewayError is softened the same way, so a bad `first` or
 * `after` answers alike on every list: an empty connection and BAD_USER_INPUT at the field. A bug still
 * fails loudly.
 */
export async function orEmpty<T>(
  ctx: Context,
  info: GraphQLResolveInfo,
  load: () => Promise<Connection<T>>,
): Promise<Connection<T>> {
  try {
    return await load();
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    ctx.fieldErrors.push(locatedError(error, info.fieldNodes, responsePathAsArray(info.path)));
    return {
      edges: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
      totalCount: null,
    };
  }
}
