import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { SourceHealth } from '../sources/index.js';
import { SOURCES, type SourceName } from '../sources/registry.js';

const CIRCUIT_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

/** Seconds, from a cached single read (a few ms) to a page walk near the default 10 s budget. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The gateway's Prometheus metrics, one registry per gateway. Every label takes values from a bounded
 * set: operation names are collapsed past a cap (see operationLabel), upstream paths are reported as
 * their route template, never as the path with its ids.
 */
export function createMetrics(health: () => Record<SourceName, SourceHealth>) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    operationDuration: new Histogram({
      name: 'graphql_operation_duration_seconds',
      help: 'GraphQL operations by name, type and outcome (success, partial, error), from request to response.',
      labelNames: ['operation', 'type', 'outcome'] as const,
      buckets: DURATION_BUCKETS,
      registers,
    }),
    errors: new Counter({
      name: 'graphql_errors_total',
      help: 'Errors in GraphQL responses, by extensions.code.',
      labelNames: ['code'] as const,
      registers,
    }),
    inFlight: new Gauge({
      name: 'graphql_requests_in_flight',
      help: 'GraphQL requests being served.',
      registers,
    }),
    upstreamDuration: new Histogram({
      name: 'upstream_request_duration_seconds',
      help: 'Upstream calls (each attempt) by source, method, route template and status (error: no answer), until the response headers.',
      labelNames: ['source', 'method', 'route', 'status'] as const,
      buckets: DURATION_BUCKETS,
      registers,
    }),
    upstreamRetries: new Counter({
      name: 'upstream_retries_total',
      help: 'Upstream calls sent again after a connection reset or a 503.',
      labelNames: ['source', 'method'] as const,
      registers,
    }),
    batchKeys: new Histogram({
      name: 'dataloader_batch_keys',
      help: 'Keys per dataloader batch.',
      labelNames: ['loader'] as const,
      buckets: [1, 2, 3, 5, 10, 25, 50, 100, 250],
      registers,
    }),
    callsSaved: new Counter({
      name: 'upstream_calls_saved_total',
      help: 'Single upstream reads not sent: one list read for many keys (batch), keys answered by a list already read (list_coverage), or a GET that joined the same call of another request in flight (in_flight, loader = the source).',
      labelNames: ['loader', 'reason'] as const,
      registers,
    }),
    upstreamCacheLookups: new Counter({
      name: 'upstream_cache_lookups_total',
      help: 'Upstream HTTP cache lookups by source: hit (fresh, no call), revalidated (a 304: a call without a body), miss, error (the store failed: served as a miss).',
      labelNames: ['source', 'outcome'] as const,
      registers,
    }),
    upstreamCacheStores: new Counter({
      name: 'upstream_cache_stores_total',
      help: 'Upstream answers the upstream HTTP cache kept or refreshed, by source.',
      labelNames: ['source'] as const,
      registers,
    }),
    circuit: new Gauge({
      name: 'upstream_circuit_state',
      help: "Each configured source's circuit breaker: 0 closed, 1 half-open, 2 open.",
      labelNames: ['source'] as const,
      registers,
      collect() {
        const states = health();
        for (const source of SOURCES) {
          const state = states[source];
          if (state.configured) this.set({ source }, CIRCUIT_VALUE[state.circuit]);
        }
      },
    }),
    responseCacheLookups: new Counter({
      name: 'response_cache_lookups_total',
      help: "Response cache lookups: hit, miss, error (the store failed or is down: answered as a miss), bypass (the caller's scope is skipped after a failed invalidation).",
      labelNames: ['outcome'] as const,
      registers,
    }),
    responseCacheStoreErrors: new Counter({
      name: 'response_cache_store_errors_total',
      help: 'Response cache store commands that failed, by operation and reason: unavailable (refused unsent while the store is down), timeout, error.',
      labelNames: ['operation', 'reason'] as const,
      registers,
    }),
    responseCacheBypassedCallers: new Gauge({
      name: 'response_cache_bypassed_callers',
      help: 'Callers not served from the response cache until a failed invalidation of theirs is retried successfully.',
      registers,
    }),
    served: new Counter({
      name: 'graphql_requests_served_total',
      help: 'GraphQL requests by the path that executed them: fast (the front door itself) or yoga (handed over: GraphiQL, @defer/@stream, other content types, malformed requests).',
      labelNames: ['path'] as const,
      registers,
    }),
    rateLimited: new Counter({
      name: 'rate_limit_decisions_total',
      help: "GraphQL requests checked against their caller's rate limit: allowed, limited (HTTP 429), unavailable (the store failed: served uncounted).",
      labelNames: ['outcome'] as const,
      registers,
    }),
    /** Bounded operation-name labels: see operationLabel. */
    operationNames: new Set<string>(),
    /**
     * operationDuration's children by label set, bound once (operation names are capped, so these are
     * too): observing through a child skips prom-client's label hashing on every request.
     */
    operationDurations: new Map<string, LabelledHistogram>(),
    /** batchKeys' children by loader, and callsSaved's by loader and reason (both bounded sets). */
    batchKeysBy: new Map<string, LabelledHistogram>(),
    callsSavedBy: new Map<string, LabelledCounter>(),
  };
}

/**
 * A labelled metric's child for one label set, bound on first use and kept: updating through it skips
 * prom-client's hashing of a label object on every request. Only for labels whose values are bounded.
 */
export function bound<C>(children: Map<string, C>, key: string, make: () => C): C {
  let child = children.get(key);
  if (child === undefined) {
    child = make();
    children.set(key, child);
  }
  return child;
}

export type Metrics = ReturnType<typeof createMetrics>;

type LabelledHistogram = ReturnType<Histogram<string>['labels']>;
type LabelledCounter = ReturnType<Counter<string>['labels']>;

/** Distinct operation names kept as label values; later new names are reported as `other`. */
const MAX_OPERATION_NAMES = 100;
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * Operation names come from clients, so they are bounded: the first 100 distinct names are kept,
 * every later one is `other`, and a request without a name is `anonymous`. A deployment whose clients
 * send fewer distinct names than that (the usual case) sees every one of them.
 */
export function operationLabel(metrics: Metrics, name: string | null): string {
  if (!name) return 'anonymous';
  if (!OPERATION_NAME.test(name)) return 'other';
  if (metrics.operationNames.has(name)) return name;
  if (metrics.operationNames.size >= MAX_OPERATION_NAMES) return 'other';
  metrics.operationNames.add(name);
  return name;
}

/** Error codes are the gateway's and Yoga's own constants; anything else is folded into `OTHER`. */
export function codeLabel(code: unknown): string {
  return typeof code === 'string' && /^[A-Z][A-Z_]{0,39}$/.test(code) ? code : 'OTHER';
}
