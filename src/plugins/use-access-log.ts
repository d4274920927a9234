import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { scopeOf } from '../telemetry/scope.js';

export interface AccessLogOptions {
  logger: Logger;
}

/**
 * One `info` line per GraphQL request, written when the response is ready: its id (`requestId`, which
 * the upstream warnings of the request carry too), operation, status, duration, how many upstream
 * calls it cost and the codes of its errors. Never a header, a variable
 * or the document: those may carry credentials or personal data.
 */
export function useAccessLog({ logger }: AccessLogOptions): Plugin {
  return {
    onResponse({ response, request }) {
      const scope = scopeOf(request);
      // Probes and scrapes are not logged.
      if (!scope?.graphql || !logger.isLevelEnabled('info')) return;
      logger.info(
        {
          requestId: scope.id,
          operation: scope.operationName,
          type: scope.operationType,
          status: response.status,
          ms: Math.round((performance.now() - scope.started) * 10) / 10,
          upstreamCalls: scope.upstreamCalls,
          errors: scope.errorCodes,
        },
        'request',
      );
    },
  };
}
