import { randomUUID } from 'node:crypto';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Metrics } from '../telemetry/metrics.js';
import { bindScope, type RequestScope, scopeOf } from '../telemetry/scope.js';

/** A caller's id is taken as is only when it is short and plain; anything else gets a fresh one. */
const VALID_REQUEST_ID = /^[A-Za-z0-9._:@+=/-]{1,128}$/;

export interface RequestScopeOptions {
  metrics: Metrics;
  /** Path of the GraphQL endpoint (see RequestScope.graphql). */
  graphqlEndpoint: string;
}

/**
 * Gives every request an id and a RequestScope that the rest of its work can read (access log,
 * metrics, tracing, the upstream calls). The id is the caller's `x-request-id` when it is valid (at
 * most 128 characters of letters, digits and `._:@+=/-`), else a new UUID; the response echoes it and
 * every upstream call carries it. Must come first in the plugin list: the others read its scope.
 */
export function useRequestScope({ metrics, graphqlEndpoint }: RequestScopeOptions): Plugin {
  return {
    instrumentation: {
      request({ request }, wrapped) {
        const given = request.headers.get('x-request-id');
        const scope: RequestScope = {
          id: given && VALID_REQUEST_ID.test(given) ? given : randomUUID(),
          started: performance.now(),
          metrics,
          graphql: pathname(request.url) === graphqlEndpoint,
          operationName: null,
          operationType: null,
          upstreamCalls: 0,
          errorCodes: [],
          outcome: 'success',
        };
        bindScope(request, scope);
        return wrapped();
      },
    },
    onParams({ params, request }) {
      const scope = scopeOf(request);
      if (scope) scope.operationName = params.operationName ?? null;
    },
    // At validation the document is parsed, so a request that fails validation still has its name.
    onValidate({ params, context }) {
      const scope = scopeOf((context as { request: Request }).request);
      const operation = getOperationAST(params.documentAST, scope?.operationName);
      if (scope && operation) {
        scope.operationName = operation.name?.value ?? null;
        scope.operationType = operation.operation;
      }
    },
    onResultProcess({ result, request }) {
      const scope = scopeOf(request);
      if (!scope || Symbol.asyncIterator in result) return;
      for (const one of Array.isArray(result) ? result : [result]) {
        for (const error of one.errors ?? []) {
          const code = error.extensions?.code;
          scope.errorCodes.push(typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR');
        }
        if (one.errors?.length) scope.outcome = one.data ? 'partial' : 'error';
      }
    },
    onResponse({ response, request }) {
      const scope = scopeOf(request);
      if (scope) response.headers.set('x-request-id', scope.id);
    },
  };
}

/** The path of an absolute URL, without building a URL object on every request. */
function pathname(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start === -1) return '/';
  const query = url.indexOf('?', start);
  return query === -1 ? url.slice(start) : url.slice(start, query);
}
