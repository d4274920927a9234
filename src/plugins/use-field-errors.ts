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
 * orEmpty in schema/paging.ts) to the result, after the ones the executor collected; and gives back
 * their `locations` to errors that would lose them. graphql-jit's errors carry locations but no AST
 * nodes, and Yoga rebuilds every error from its nodes when it serializes it, so the nodes are found
 * again from the error's path in the document.
 */
export function useFieldErrors(): Plugin<Context> {
  return {
    onExecute({ args }) {
      return {
        onExecuteDone({ result, setResult }) {
          if (!('data' in result)) return;
          const fieldErrors = (args.contextValue as Context).fieldErrors;
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
        },
      };
    },
  };
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
