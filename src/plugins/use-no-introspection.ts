import { GraphQLError, NoSchemaIntrospectionCustomRule, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Query fields that print the whole schema: federation's `_service { sdl }` and stitching's `_sdl`. */
const SCHEMA_FIELDS = new Set(['_service', '_sdl']);

/**
 * Refuses the fields that print the schema as introspection does. A gateway that composes this subgraph
 * in production reads schema/subgraph.graphql (or schema/stitching.graphql) instead, or the deployment
 * sets INTROSPECTION=1.
 */
const NoSchemaFieldsRule: ValidationRule = (context) => ({
  Field(node) {
    if (
      context.getParentType() === context.getSchema().getQueryType() &&
      SCHEMA_FIELDS.has(node.name.value)
    ) {
      context.reportError(
        new GraphQLError(
          `GraphQL introspection has been disabled, but the requested query contained the field "${node.name.value}".`,
          { nodes: node },
        ),
      );
    }
  },
});

/** Refuses introspection queries: in production the schema is not a public document unless INTROSPECTION=1. */
export function useNoIntrospection(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
      addValidationRule(NoSchemaFieldsRule);
    },
  };
}
