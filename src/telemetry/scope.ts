import { randomUUID } from 'node:crypto';
import type { SourceName } from '../config.js';
import type { Metrics } from './metrics.js';

/**
 * What the gateway knows about the request being served: the request id, what the access log and the
 * metrics report about it, and the gateway's own metrics (several gateways may share a process in
 * tests, each counting only its own requests). The front door opens it and puts it on the GraphQL
 * context; the sources carry it on the request's budget. It is passed along explicitly rather than
 * through AsyncLocalStorage, whose promise hooks cost about a fifth of a many-field query's throughput.
 */
export interface RequestScope {
  readonly id: string;
  /** performance.now() when the request arrived. */
  readonly started: number;
  readonly metrics: Metrics | null;
  operationName: string | null;
  operationType: string | null;
  /** Upstream calls sent for this request, retries included. */
  upstreamCalls: number;
  /** `extensions.code` of every error in the response, in order. */
  errorCodes: string[];
  /** success: no error; partial: data and errors; error: errors and no data. */
  outcome: 'success' | 'partial' | 'error';
}

/** A caller's id is taken as is only when it is short and plain; anything else gets a fresh one. */
const VALID_REQUEST_ID = /^[A-Za-z0-9._:@+=/-]{1,128}$/;

/** The scope of a request that just arrived, with the caller's `x-request-id` when it is plain. */
export function openScope(givenId: string | null, metrics: Metrics | null): RequestScope {
  return {
    id: givenId && VALID_REQUEST_ID.test(givenId) ? givenId : randomUUID(),
    started: performance.now(),
    metrics,
    operationName: null,
    operationType: null,
    upstreamCalls: 0,
    errorCodes: [],
    outcome: 'success',
  };
}

/** Records a result's error codes and outcome on the scope (the access log and the metrics read them). */
export function observeResult(
  scope: RequestScope,
  result: { data?: unknown; errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> },
): void {
  if (!result.errors?.length) return;
  for (const error of result.errors) {
    const code = error.extensions?.code;
    scope.errorCodes.push(typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR');
  }
  scope.outcome = result.data ? 'partial' : 'error';
}

/**
 * Called by HttpSource before each attempt of an upstream call, with the calling request's scope
 * (undici's diagnostics events fire later for calls queued behind a busy pool, without it): counts
 * the call and its retries, and sends the request id upstream so the upstream's logs can be joined
 * with the gateway's.
 */
export function onUpstreamAttempt(
  scope: RequestScope | null,
  source: SourceName,
  options: { method: string; headers?: Record<string, string> },
  attempt: number,
): void {
  if (!scope) return;
  scope.upstreamCalls++;
  if (attempt > 1) scope.metrics?.upstreamRetries.inc({ source, method: options.method });
  options.headers = { ...options.headers, 'x-request-id': scope.id };
}

/**
 * Called by a source's batch function: how many keys one batch carried, and how many single calls it
 * saved, either by reading a list once (`batch`) or because a list already read answered them
 * (`list_coverage`).
 */
export function observeBatch(
  scope: RequestScope | null,
  loader: string,
  keys: number,
  saved: { batch?: number; listCoverage?: number },
) {
  const metrics = scope?.metrics;
  if (!metrics) return;
  metrics.batchKeys.observe({ loader }, keys);
  if (saved.batch) metrics.callsSaved.inc({ loader, reason: 'batch' }, saved.batch);
  if (saved.listCoverage) metrics.callsSaved.inc({ loader, reason: 'list_coverage' }, saved.listCoverage);
}
