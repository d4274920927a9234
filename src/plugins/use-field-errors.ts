import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';

/**
 * Adds the errors of fields that answered anyway (a failed list answers an empty connection, see
 * orEmpty in schema/paging.ts) to the result, after the ones graphql-js collected. With @defer/@stream,
 * each error goes into the part that carries the value at its path: the initial payload, or the
 * deferred fragment or streamed items that hold that field.
 */
export function useFieldErrors(): Plugin<Context> {
  return {
    onExecute({ args }) {
      const fieldErrors = (args.contextValue as Context).fieldErrors;
      return {
        onExecuteDone({ result, setResult }) {
          if (!isAsyncIterable(result)) {
            if (fieldErrors.length === 0 || !('data' in result)) return;
            setResult({ ...result, errors: [...(result.errors ?? []), ...fieldErrors] });
            return;
          }
          const placed = new Set<GraphQLError>();
          return {
            onNext({ result: part, setResult: setPart }) {
              const pending = fieldErrors.filter((e) => !placed.has(e));
              if (pending.length === 0) return;
              setPart(placeErrors(part as Part, pending, placed) as never);
            },
          };
        },
      };
    },
  };
}

interface Incremental {
  data?: unknown;
  items?: unknown[];
  path?: ReadonlyArray<string | number>;
  errors?: readonly GraphQLError[];
}
interface Part {
  data?: unknown;
  errors?: readonly GraphQLError[];
  incremental?: Incremental[];
  [key: string]: unknown;
}

function placeErrors(part: Part, pending: GraphQLError[], placed: Set<GraphQLError>): Part {
  const take = (holds: (path: ReadonlyArray<string | number>) => boolean) => {
    const mine = pending.filter((e) => !placed.has(e) && e.path !== undefined && holds(e.path));
    for (const e of mine) placed.add(e);
    return mine;
  };
  let next: Part = part;
  if ('data' in part) {
    const mine = take((path) => valueAt(part.data, path) !== undefined);
    if (mine.length > 0) next = { ...next, errors: [...(part.errors ?? []), ...mine] };
  }
  if (part.incremental) {
    next = {
      ...next,
      incremental: part.incremental.map((entry) => {
        const mine = take((path) => valueAt(entryData(entry), relativePath(entry, path)) !== undefined);
        return mine.length > 0 ? { ...entry, errors: [...(entry.errors ?? []), ...mine] } : entry;
      }),
    };
  }
  return next;
}

/** A deferred fragment's data, or a streamed entry's items (as a list indexed from 0). */
function entryData(entry: Incremental): unknown {
  return entry.items ?? entry.data;
}

/**
 * An error's path relative to an incremental entry, or null when it lies outside it. A deferred
 * fragment's path is its parent's; a streamed entry's ends with the index of its first item.
 */
function relativePath(
  entry: Incremental,
  path: ReadonlyArray<string | number>,
): Array<string | number> | null {
  const base = entry.path ?? [];
  if (!entry.items) {
    return base.every((key, i) => path[i] === key) ? path.slice(base.length) : null;
  }
  const list = base.slice(0, -1);
  if (!list.every((key, i) => path[i] === key)) return null;
  const index = Number(path[list.length]) - Number(base.at(-1));
  return Number.isInteger(index) ? [index, ...path.slice(list.length + 1)] : null;
}

function valueAt(data: unknown, path: ReadonlyArray<string | number> | null): unknown {
  if (path === null || path.length === 0) return undefined;
  let value = data;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
