import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { GraphQLError, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { ErrorCode } from '../errors.js';

export interface QueryLimits {
  /**
   * Most aliases in one operation. Each alias of a single-get field (userProfile, say) can be one more
   * upstream call, so aliases are what would turn one request into hundreds against an upstream.
   * @default 30
   */
  maxAliases?: number;
  /**
   * Deepest selection. The deepest example (workspaces → members → profile) is 7.
   * @default 12
   */
  maxDepth?: number;
  /**
   * Most lexical tokens, checked while parsing, before any other work.
   * @default 2000
   */
  maxTokens?: number;
}

/**
 * GraphQL Armor's rules throw a bare error by default; reported through the validation context instead,
 * a breach reads like any other validation error, with its code.
 */
const reportAsValidationError = {
  propagateOnRejection: false,
  onReject: [
    (context: ValidationContext | null, error: GraphQLError) =>
      context?.reportError(
        new GraphQLError(error.message, {
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' satisfies ErrorCode },
        }),
      ),
  ],
};

/** Bounds what one operation may ask for (GraphQL Armor), so one request cannot flood an upstream. */
export function useQueryLimits({
  maxAliases = 30,
  maxDepth = 12,
  maxTokens = 2000,
}: QueryLimits = {}): Plugin[] {
  return [
    maxTokensPlugin({ n: maxTokens }),
    maxDepthPlugin({
      n: maxDepth,
      flattenFragments: true,
      ignoreIntrospection: true,
      ...reportAsValidationError,
    }),
    maxAliasesPlugin({ n: maxAliases, ...reportAsValidationError }),
  ] as Plugin[];
}
