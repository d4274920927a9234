import type { Logger } from 'pino';
import { bound, codeLabel, operationLabel } from './metrics.js';
import type { RequestScope } from './scope.js';

/**
 * What is recorded when a GraphQL request has been answered: one `info` line (its id, operation,
 * status, duration, upstream calls and error codes; never a header, a variable or the document, which
 * may carry credentials or personal data) and the operation metrics.
 */
export function recordRequest(scope: RequestScope, status: number, logger: Logger): void {
  const ms = performance.now() - scope.started;
  const metrics = scope.metrics;
  if (metrics) {
    metrics.inFlight.dec();
    const operation = operationLabel(metrics, scope.operationName);
    const type = scope.operationType ?? 'unknown';
    const { outcome } = scope;
    bound(metrics.operationDurations, `${operation} ${type} ${outcome}`, () =>
      metrics.operationDuration.labels({ operation, type, outcome }),
    ).observe(ms / 1000);
    for (const code of scope.errorCodes) metrics.errors.inc({ code: codeLabel(code) });
  }
  if (!logger.isLevelEnabled('info')) return;
  logger.info(
    {
      requestId: scope.id,
      operation: scope.operationName,
      type: scope.operationType,
      status,
      ms: Math.round(ms * 10) / 10,
      upstreamCalls: scope.upstreamCalls,
      errors: scope.errorCodes,
    },
    'request',
  );
}
