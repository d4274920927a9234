import {
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLIncludeDirective,
  type GraphQLSchema,
  GraphQLSkipDirective,
  getDirectiveValues,
  isAbstractType,
  isObjectType,
  Kind,
  type SelectionSetNode,
} from 'graphql';
import { decodeId } from '../schema/global-ids.js';

/** Coerced variables, as graphql-js's getVariableValues returns them. */
export type Variables = Record<string, unknown>;

/** What the walk needs of the document: the schema, its fragments and the operation's coerced variables. */
export interface Walk {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Variables;
}

/**
 * The fields a selection set selects on an object of type `typeName`, by field name, through fragments
 * whose type condition applies to it, leaving out what @skip/@include take out (they cost nothing).
 * Aliases and repeats of one field are kept apart: each node may have arguments of its own.
 */
export function fieldsOf(
  walk: Walk,
  typeName: string,
  sets: ReadonlyArray<SelectionSetNode | undefined>,
): Map<string, FieldNode[]> {
  const fields = new Map<string, FieldNode[]>();
  const seen = new Set<string>();
  const visit = (set: SelectionSetNode | undefined) => {
    for (const selection of set?.selections ?? []) {
      if (!included(walk, selection)) continue;
      if (selection.kind === Kind.FIELD) {
        const list = fields.get(selection.name.value);
        if (list) list.push(selection);
        else fields.set(selection.name.value, [selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (applies(walk, selection.typeCondition?.name.value, typeName)) visit(selection.selectionSet);
      } else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = walk.fragments[selection.name.value];
        if (fragment && applies(walk, fragment.typeCondition.name.value, typeName))
          visit(fragment.selectionSet);
      }
    }
  };
  for (const set of sets) visit(set);
  return fields;
}

function included(walk: Walk, node: Parameters<typeof getDirectiveValues>[1]): boolean {
  if (!node.directives?.length) return true;
  if (getDirectiveValues(GraphQLSkipDirective, node, walk.variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, walk.variables)?.if !== false;
}

/** Whether a fragment on `condition` applies to an object of type `typeName`. */
function applies(walk: Walk, condition: string | undefined, typeName: string): boolean {
  if (condition === undefined || condition === typeName) return true;
  const abstract = walk.schema.getType(condition);
  const object = walk.schema.getType(typeName);
  return (
    !!abstract && isAbstractType(abstract) && isObjectType(object) && walk.schema.isSubType(abstract, object)
  );
}

/** The child selection sets of several nodes of one field. */
export function setsOf(nodes: readonly FieldNode[]): Array<SelectionSetNode | undefined> {
  return nodes.map((n) => n.selectionSet);
}

/** A Relay global id decoded as the schema decodes it, or null for one it refuses: that costs no call. */
export function decodeGlobal(id: string): { type: string; id: string } | null {
  try {
    const decoded = decodeId(id);
    return { type: decoded.typename, id: decoded.id };
  } catch {
    return null;
  }
}
