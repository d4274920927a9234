import { type ExecutionResult, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { InitialContext } from '../context.js';
import { operationDemands } from '../cost/estimate.js';
import { perOperation } from '../cost/per-operation.js';
import { refusal } from '../errors.js';

export interface CostLimitOptions {
  /** MAX_UPSTREAM_CALLS: an operation whose bound is above it is refused before anything runs. */
  maxCalls: number;
  /** Every answer carries `extensions.cost` (development); otherwise only answers to requests that ask. */
  always: boolean;
  /**
   * The request header that asks for `extensions.cost` (any value).
   * @default 'x-gateway-cost'
   */
  header?: string;
  /** Whether this request's upsun calls may each be sent twice: a server-side token renewed after a 401. */
  upsunRenews(request: InitialContext['request']): boolean;
}

/** The request header that asks for `extensions.cost`. */
export const COST_HEADER = 'x-gateway-cost';

/**
 * Bounds each operation's upstream calls before its resolvers run (src/cost/estimate.ts, by the
 * sources' loading rules), and refuses one whose bound is over MAX_UPSTREAM_CALLS with LIMIT_EXCEEDED
 * (HTTP 400) and no call; the request's budget stays the backstop (a batch's operations share it).
 * `extensions.cost: { estimatedCalls, actualCalls }` tells a caller how close the bound was.
 */
export function useCostLimit({
  maxCalls,
  always,
  header = COST_HEADER,
  upsunRenews,
}: CostLimitOptions): Plugin {
  // A document without variables always has the same bound: computed once per parsed document.
  const demandsOf = perOperation(
    (document, operationName) => !!getOperationAST(document, operationName)?.variableDefinitions?.length,
    operationDemands,
  );
  return {
    onExecute({ args }) {
      const context = args.contextValue as InitialContext;
      const demands = demandsOf(
        args.schema,
        args.document,
        args.operationName,
        args.variableValues as Record<string, unknown> | undefined,
      );
      if (!demands) return;
      const renews = upsunRenews(context.request);
      let estimatedCalls = 0;
      for (const demand of demands) estimatedCalls += demand.calls(renews);
      if (estimatedCalls > maxCalls) {
        throw refusal(
          'LIMIT_EXCEEDED',
          `This operation may make up to ${estimatedCalls} upstream calls; one request may make ${maxCalls} (MAX_UPSTREAM_CALLS). Ask for fewer objects, or smaller pages, per request.`,
          400,
          { estimatedCalls },
        );
      }
      if (!always && context.request.headers.get(header) === null) return;
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          const one = result as ExecutionResult;
          const actualCalls = context.scope?.upstreamCalls ?? null;
          setResult({ ...one, extensions: { ...one.extensions, cost: { estimatedCalls, actualCalls } } });
        },
      };
    },
  };
}

/** An answer without its `extensions.cost`, which belongs to the request that made it (the response cache stores this). */
export function withoutCost<T extends { extensions?: Record<string, unknown> }>(result: T): T {
  if (!result.extensions || !('cost' in result.extensions)) return result;
  const { cost: _cost, ...extensions } = result.extensions;
  return { ...result, extensions: Object.keys(extensions).length > 0 ? extensions : undefined } as T;
}
