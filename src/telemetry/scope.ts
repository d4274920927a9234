import { randomUUID } from 'node:crypto';
import type { ErrorCode } from '../errors.js';
import type { RequestObserver, Savings, UpstreamCacheOutcome } from '../sources/observer.js';
import type { SourceName } from '../sources/registry.js';
import { bound, type Metrics } from './metrics.js';

/**
 * What the gateway knows about the request being served: the request id, what the access log and the
 * metrics report about it, and the gateway's own metrics (several gateways may share a process in
 * tests, each counting only its own requests). The front door opens it and puts it on the GraphQL
 * context; the sources hear of it only as their RequestObserver, on the request's budget. It is passed
 * along explicitly rather than through AsyncLocalStorage, whose promise hooks cost about a fifth of a
 * many-field query's throughput.
 */
export class RequestScope implements RequestObserver {
  /** performance.now() when the request arrived. */
  readonly started = performance.now();
  operationName: string | null = null;
  operationType: string | null = null;
  /** Upstream calls sent for this request, retries included. */
  upstreamCalls = 0;
  /** `extensions.code` of every error in the response, in order. */
  errorCodes: string[] = [];
  /** success: no error; partial: data and errors; error: errors and no data. */
  outcome: 'success' | 'partial' | 'error' = 'success';
  /** The request id goes upstream with every call, so the upstream's logs can be joined with the gateway's. */
  readonly upstreamHeaders: Readonly<Record<string, string>>;

  constructor(
    readonly id: string,
    readonly metrics: Metrics | null,
  ) {
    this.upstreamHeaders = { 'x-request-id': id };
  }

  /**
   * Counted before each attempt, with the calling request at hand (undici's diagnostics events fire
   * later for calls queued behind a busy pool, without it).
   */
  onAttempt(source: SourceName, method: string, attempt: number): void {
    this.upstreamCalls++;
    if (attempt > 1) this.metrics?.upstreamRetries.inc({ source, method });
  }

  /** A call shared with another request in flight: this request's call all the same (its budget, its count). */
  onShared(source: SourceName): void {
    this.upstreamCalls++;
    if (this.metrics) savedCalls(this.metrics, source, 'in_flight').inc();
  }

  /** A hit answers without a call, and counts as one of the request's calls, as it would uncached. */
  onUpstreamCache(source: SourceName, outcome: UpstreamCacheOutcome): void {
    if (outcome === 'hit') this.upstreamCalls++;
    this.metrics?.upstreamCacheLookups.inc({ source, outcome });
  }

  onUpstreamCacheStore(source: SourceName): void {
    this.metrics?.upstreamCacheStores.inc({ source });
  }

  /** How many keys one batch carried, and how many single calls it saved (see Savings). */
  onBatch(loader: string, keys: number, saved: Savings): void {
    const metrics = this.metrics;
    if (!metrics) return;
    bound(metrics.batchKeysBy, loader, () => metrics.batchKeys.labels({ loader })).observe(keys);
    if (saved.batch) savedCalls(metrics, loader, 'batch').inc(saved.batch);
    if (saved.listCoverage) savedCalls(metrics, loader, 'list_coverage').inc(saved.listCoverage);
  }
}

/** upstream_calls_saved_total's child for one loader and reason. */
function savedCalls(metrics: Metrics, loader: string, reason: 'batch' | 'list_coverage' | 'in_flight') {
  return bound(metrics.callsSavedBy, `${loader} ${reason}`, () =>
    metrics.callsSaved.labels({ loader, reason }),
  );
}

/** A caller's id is taken as is only when it is short and plain; anything else gets a fresh one. */
const VALID_REQUEST_ID = /^[A-Za-z0-9._:@+=/-]{1,128}$/;

/** The scope of a request that just arrived, with the caller's `x-request-id` when it is plain. */
export function openScope(givenId: string | null, metrics: Metrics | null): RequestScope {
  return new RequestScope(givenId && VALID_REQUEST_ID.test(givenId) ? givenId : randomUUID(), metrics);
}

/** Records a result's error codes and outcome on the scope (the access log and the metrics read them). */
export function observeResult(
  scope: RequestScope,
  result: { data?: unknown; errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> },
): void {
  if (!result.errors?.length) return;
  for (const error of result.errors) {
    const code = error.extensions?.code;
    scope.errorCodes.push(typeof code === 'string' ? code : ('INTERNAL_SERVER_ERROR' satisfies ErrorCode));
  }
  scope.outcome = result.data ? 'partial' : 'error';
}
