import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';

/**
 * Whether the field being resolved selects a child field called `name`, directly or through fragments.
 * Used to start a load the query will certainly need before the parent's own load has finished.
 */
export function selectsChild(info: GraphQLResolveInfo, name: string): boolean {
  const seen = new Set<string>();
  const visit = (set: SelectionSetNode | undefined): boolean =>
    (set?.selections ?? []).some((selection) => {
      switch (selection.kind) {
        case Kind.FIELD:
          return selection.name.value === name;
        case Kind.INLINE_FRAGMENT:
          return visit(selection.selectionSet);
        case Kind.FRAGMENT_SPREAD: {
          const fragmentName = selection.name.value;
          if (seen.has(fragmentName)) return false;
          seen.add(fragmentName);
          return visit(info.fragments[fragmentName]?.selectionSet);
        }
        default:
          return false;
      }
    });
  return info.fieldNodes.some((node) => visit(node.selectionSet));
}
