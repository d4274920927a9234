import {
  GraphQLBoolean,
  GraphQLDirective,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  type GraphQLNullableType,
  GraphQLString,
  DirectiveLocation as L,
} from 'graphql';

/**
 * What the schema declares about spending and access, as Apollo Federation and the IBM cost spec spell
 * it (@cost, @listSize, @authenticated, @requiresScopes): printed in every SDL so that other gateways
 * (Apollo Router's demand control, Hive) can read it. The gateway's own bound is src/cost/estimate.ts,
 * and its own enforcement of the auth directives is src/plugins/use-auth.ts.
 */

/** The scope a caller's token needs for the mutations (writes to a matatika profile). */
export const WRITE_SCOPE = 'profile:write';

/** `@requiresScopes(scopes: [["profile:write"]])` and one upstream write (`@cost(weight: 1)`). */
export const WRITE = { requiresScopes: [[WRITE_SCOPE]], cost: 1 };

/** A root field that reads an upstream with the caller's credential: `@authenticated`, and what it costs. */
export function reads(calls: number) {
  return { authenticated: true, cost: calls };
}

/**
 * A connection sliced by `first`: its `edges` hold at most `first` items, 20 when it is absent (the
 * gateway's default page size).
 */
export const PAGED = {
  listSize: {
    assumedSize: 20,
    slicingArguments: ['first'],
    sizedFields: ['edges'],
    requireOneSlicingArgument: false,
  },
};

/**
 * The four directives' definitions, as Apollo Federation v2.9 defines them (scopes as String, since a
 * plain schema has no federation__Scope): the served schema declares them, so that every printed SDL
 * that applies them also defines them.
 */
export const GOVERNANCE_DIRECTIVES = [
  new GraphQLDirective({
    name: 'authenticated',
    description: 'Only a caller with a valid gateway token (AUTH_JWKS_URL) may select this.',
    locations: [L.FIELD_DEFINITION, L.OBJECT, L.INTERFACE, L.SCALAR, L.ENUM],
  }),
  new GraphQLDirective({
    name: 'requiresScopes',
    description: 'Only a token with all the scopes of one of the inner lists may select this.',
    locations: [L.FIELD_DEFINITION, L.OBJECT, L.INTERFACE, L.SCALAR, L.ENUM],
    args: { scopes: { type: nonNull(new GraphQLList(nonNull(new GraphQLList(nonNull(GraphQLString))))) } },
  }),
  new GraphQLDirective({
    name: 'cost',
    description: 'Upstream calls this costs, at most (the IBM cost directive as Apollo reads it).',
    locations: [
      L.ARGUMENT_DEFINITION,
      L.ENUM,
      L.FIELD_DEFINITION,
      L.INPUT_FIELD_DEFINITION,
      L.OBJECT,
      L.SCALAR,
    ],
    args: { weight: { type: nonNull(GraphQLInt) } },
  }),
  new GraphQLDirective({
    name: 'listSize',
    description: 'How many items a list field returns: its slicing argument, else assumedSize.',
    locations: [L.FIELD_DEFINITION],
    args: {
      assumedSize: { type: GraphQLInt },
      slicingArguments: { type: new GraphQLList(nonNull(GraphQLString)) },
      sizedFields: { type: new GraphQLList(nonNull(GraphQLString)) },
      requireOneSlicingArgument: { type: GraphQLBoolean, defaultValue: true },
    },
  }),
];

function nonNull<T extends GraphQLNullableType>(type: T) {
  return new GraphQLNonNull(type);
}
