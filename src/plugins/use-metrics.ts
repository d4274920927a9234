import type { Plugin } from 'graphql-yoga';
import { codeLabel, type Metrics, operationLabel } from '../telemetry/metrics.js';
import { scopeOf } from '../telemetry/scope.js';

export interface MetricsOptions {
  metrics: Metrics;
  /**
   * Serve `/metrics` on this listener. False when METRICS_PORT gives the metrics their own listener.
   * @default true
   */
  endpoint?: boolean;
}

/**
 * Prometheus metrics of the GraphQL requests (operations by name, type and outcome, their duration,
 * errors by code, requests in flight) and the `/metrics` endpoint. Upstream calls are counted by the
 * undici diagnostics subscriber (telemetry/upstream-events.ts) and the batch functions.
 * Yoga's own Prometheus plugin labels operations with their raw names, which any client can vary
 * without bound; this one collapses them (operationLabel).
 */
export function useMetrics({ metrics, endpoint = true }: MetricsOptions): Plugin {
  return {
    instrumentation: {
      async request({ request }, wrapped) {
        if (!scopeOf(request)?.graphql) return wrapped();
        metrics.inFlight.inc();
        try {
          await wrapped();
        } finally {
          metrics.inFlight.dec();
        }
      },
    },
    async onRequest({ request, url, endResponse }) {
      if (!endpoint || url.pathname !== '/metrics' || request.method !== 'GET') return;
      endResponse(
        new Response(await metrics.registry.metrics(), {
          headers: { 'content-type': metrics.registry.contentType },
        }),
      );
    },
    onResponse({ request }) {
      const scope = scopeOf(request);
      if (!scope?.graphql) return;
      metrics.operationDuration.observe(
        {
          operation: operationLabel(metrics, scope.operationName),
          type: scope.operationType ?? 'unknown',
          outcome: scope.outcome,
        },
        (performance.now() - scope.started) / 1000,
      );
      for (const code of scope.errorCodes) metrics.errors.inc({ code: codeLabel(code) });
    },
  };
}
