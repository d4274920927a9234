import {
  type DocumentNode,
  type FieldNode,
  GraphQLError,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';

/**
 * Adds the errors of fields that answered anyway (a failed list answers an empty connection, see
 * orEmpty in schema/paging.ts) to the result, after the ones graphql-js collected. With @defer/@stream,
 * each error goes into the part that carries the value at its path: the initial payload, or the
 * deferred fragment or streamed items that hold that field. It also gives back their `locations` to
 * errors that would lose them: graphql-jit's errors carry locations but no AST nodes, and Yoga rebuilds
 * every error from its nodes when it serializes it, so the nodes are found again from the error's path.
 */
export function useFieldErrors(): Plugin<Context> {
  return {
    onExecute({ args }) {
      const fieldErrors = (args.contextValue as Context).fieldErrors;
      return {
        onExecuteDone({ result, setResult }) {
          if (!isAsyncIterable(result)) {
            if (!('data' in result)) return;
            const errors = result.errors ?? [];
            const unlocated = errors.some((e) => !e.nodes && e.path);
            if (fieldErrors.length === 0 && !unlocated) return;
            const operation = operationOf(args.document, args.operationName);
            const located = unlocated
              ? errors.map((error) =>
                  !error.nodes && error.path ? relocate(error, operation, args.document) : error,
                )
              : errors;
            setResult({ ...result, errors: [...located, ...fieldErrors] });
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

function operationOf(
  document: DocumentNode,
  name: string | null | undefined,
): OperationDefinitionNode | undefined {
  return document.definitions.find(
    (d): d is OperationDefinitionNode =>
      d.kind === Kind.OPERATION_DEFINITION && (!name || d.name?.value === name),
  );
}

function relocate(
  error: GraphQLError,
  operation: OperationDefinitionNode | undefined,
  document: DocumentNode,
) {
  const nodes = operation ? fieldNodesAt(operation.selectionSet, error.path ?? [], document) : [];
  if (nodes.length === 0) return error;
  return new GraphQLError(error.message, {
    nodes,
    path: error.path,
    originalError: error.originalError ?? undefined,
    extensions: error.extensions,
  });
}

/** The field nodes a response path leads to: each string key is a response name, numbers are list items. */
function fieldNodesAt(
  root: SelectionSetNode,
  path: ReadonlyArray<string | number>,
  document: DocumentNode,
): FieldNode[] {
  let sets: SelectionSetNode[] = [root];
  let found: FieldNode[] = [];
  for (const key of path) {
    if (typeof key === 'number') continue;
    found = [];
    for (const set of sets) collect(set, key, document, found, new Set());
    sets = found.flatMap((f) => (f.selectionSet ? [f.selectionSet] : []));
  }
  return found;
}

function collect(
  set: SelectionSetNode,
  key: string,
  document: DocumentNode,
  into: FieldNode[],
  seen: Set<string>,
) {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if ((selection.alias ?? selection.name).value === key) into.push(selection);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      collect(selection.selectionSet, key, document, into, seen);
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = document.definitions.find(
        (d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value,
      );
      if (fragment?.kind === Kind.FRAGMENT_DEFINITION)
        collect(fragment.selectionSet, key, document, into, seen);
    }
  }
}
