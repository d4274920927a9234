import {
  type FieldNode,
  GraphQLIncludeDirective,
  type GraphQLResolveInfo,
  GraphQLSkipDirective,
  getDirectiveValues,
  Kind,
  type SelectionSetNode,
} from 'graphql';

/**
 * Whether a selection is part of the operation for these variables: `@skip(if: true)` and
 * `@include(if: false)` take it out, and a field taken out must cost no upstream call.
 */
function included(
  node: Parameters<typeof getDirectiveValues>[1],
  variables: GraphQLResolveInfo['variableValues'],
): boolean {
  if (!node.directives?.length) return true;
  if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
}

/**
 * The child fields that `nodes` select, directly or through fragments, by name, leaving out what
 * @skip/@include take out.
 */
function subFields(info: GraphQLResolveInfo, nodes: readonly FieldNode[]): Map<string, FieldNode[]> {
  const fields = new Map<string, FieldNode[]>();
  const seen = new Set<string>();
  const visit = (set: SelectionSetNode | undefined) => {
    for (const selection of set?.selections ?? []) {
      if (!included(selection, info.variableValues)) continue;
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        fields.set(name, [...(fields.get(name) ?? []), selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        visit(info.fragments[selection.name.value]?.selectionSet);
      }
    }
  };
  for (const node of nodes) visit(node.selectionSet);
  return fields;
}

/**
 * The child fields the field being resolved selects, by name. Used to plan loads from the query's
 * shape: start one the query will certainly need before the parent's own load has finished, or skip a
 * load whose fields nobody asked for.
 */
export function childFieldNodes(info: GraphQLResolveInfo): Map<string, FieldNode[]> {
  return subFields(info, info.fieldNodes);
}

/** Whether `nodes` select the chain of fields `path` (e.g. edges → node → profile), at any depth of fragments. */
export function selectsPath(
  info: GraphQLResolveInfo,
  nodes: readonly FieldNode[],
  path: readonly string[],
): boolean {
  let current = nodes;
  for (const name of path) {
    current = subFields(info, current).get(name) ?? [];
    if (current.length === 0) return false;
  }
  return true;
}
