import { stitchingDirectives } from '@graphql-tools/stitching-directives';
import { MapperKind, mapSchema, printSchemaWithDirectives } from '@graphql-tools/utils';
import { GraphQLSchema, isObjectType } from 'graphql';
import { builder } from './builder.js';

/**
 * The schema as a schema-stitching gateway reads it: the served schema without federation's own fields
 * and types, annotated with @graphql-tools/stitching-directives, so that a gateway running
 * `stitchingDirectivesTransformer` configures the merged types by itself. Each merged type is keyed by
 * `upstreamId` and merged through a list field (`profilesByIds(ids:)`…), so batched delegation of any
 * number of keys is one field in one request.
 */

/** Merged type -> the list field that resolves it by upstream id. */
const MERGED: Record<string, string> = {
  Profile: 'profilesByIds',
  Workspace: 'workspacesByIds',
  AccountProfile: 'accountProfilesByIds',
  UserProfile: 'userProfilesByIds',
};
const MERGE_FIELDS = new Set(Object.values(MERGED));
const FEDERATION_TYPES = new Set(['_Any', '_Entity', '_Service']);
const FEDERATION_FIELDS = new Set(['_entities', '_service']);

export function printStitchingSdl(schema: GraphQLSchema): string {
  const mapped = mapSchema(schema, {
    [MapperKind.TYPE]: (type) => {
      if (FEDERATION_TYPES.has(type.name)) return null;
      if (!isObjectType(type)) return type;
      const config = type.toConfig();
      // Drop federation's directives (@key(fields:), @shareable): stitching has its own @key.
      const directives = {
        ...(type.name in MERGED ? { key: { selectionSet: '{ upstreamId }' }, canonical: {} } : {}),
        ...governance(config.extensions?.directives),
      };
      return new (type.constructor as typeof import('graphql').GraphQLObjectType)({
        ...config,
        // plugin-directives prints from the AST node too.
        astNode: undefined,
        extensions: { ...config.extensions, directives },
      });
    },
    [MapperKind.OBJECT_FIELD]: (field, name, typeName) => {
      if (typeName === 'Query' && FEDERATION_FIELDS.has(name)) return null;
      const directives = {
        ...(typeName === 'Query' && MERGE_FIELDS.has(name) ? { merge: { keyField: 'upstreamId' } } : {}),
        ...governance(field.extensions?.directives),
      };
      return { ...field, astNode: undefined, extensions: { ...field.extensions, directives } };
    },
  });
  const { stitchingDirectivesTypeDefs } = stitchingDirectives();
  const withoutLink = new GraphQLSchema({
    ...mapped.toConfig(),
    astNode: undefined,
    extensionASTNodes: [],
    extensions: {},
  });
  return `${stitchingDirectivesTypeDefs.trim()}\n\n${printSchemaWithDirectives(withoutLink)}\n`;
}

/** The cost and auth directives Pothos keeps as a list of `{ name, args }`, as the printer's record of name to args. */
function governance(directives: unknown): Record<string, unknown> {
  if (!Array.isArray(directives)) return {};
  const kept: Record<string, unknown> = {};
  for (const d of directives as Array<{ name: string; args?: unknown }>) {
    if (GOVERNANCE.has(d.name)) kept[d.name] = d.args ?? {};
  }
  return kept;
}
const GOVERNANCE = new Set(['authenticated', 'requiresScopes', 'cost', 'listSize']);

const printed = new WeakMap<GraphQLSchema, string>();

// Stitching gateways conventionally read a service's SDL from `_sdl`; it is the same text as schema/stitching.graphql.
builder.queryField('_sdl', (t) =>
  t.string({
    nullable: false,
    description:
      'This schema with schema-stitching directives (@key, @merge, @canonical), for stitchingDirectivesTransformer.',
    resolve: (_root, _args, _ctx, info) => {
      let sdl = printed.get(info.schema);
      if (sdl === undefined) {
        sdl = printStitchingSdl(info.schema);
        printed.set(info.schema, sdl);
      }
      return sdl;
    },
  }),
);
