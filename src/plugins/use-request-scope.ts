import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { observeResult, type RequestScope } from '../telemetry/scope.js';

/** The context of a GraphQL request as the front door opens it: the scope travels on it. */
export interface ScopedContext {
  scope?: RequestScope;
}

/**
 * Fills in the request's scope (opened by the front door) from what only the GraphQL layer knows: the
 * operation's name and type once the document is parsed, so that a request failing validation still has
 * its name, and, for requests the front door hands to Yoga, the result's error codes. The fast path
 * records those itself, from the result it serializes.
 */
export function useRequestScope(): Plugin<ScopedContext> {
  return {
    onParams({ params, context }) {
      const scope = (context as ScopedContext).scope;
      if (scope) scope.operationName = params.operationName ?? null;
    },
    onValidate({ params, context }) {
      const scope = context.scope;
      if (!scope) return;
      const operation = getOperationAST(params.documentAST, scope.operationName);
      if (operation) {
        scope.operationName = operation.name?.value ?? null;
        scope.operationType = operation.operation;
      }
    },
    onResultProcess({ result, serverContext }) {
      const scope = (serverContext as ScopedContext).scope;
      if (!scope || Symbol.asyncIterator in result) return;
      for (const one of Array.isArray(result) ? result : [result]) observeResult(scope, one);
    },
  };
}
