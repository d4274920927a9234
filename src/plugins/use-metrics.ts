import type { Plugin } from 'graphql-yoga';
import type { Metrics } from '../telemetry/metrics.js';

/**
 * `/metrics` in Prometheus's text format, on the GraphQL listener (without METRICS_PORT). The requests
 * themselves are counted by the front door (telemetry/requests.ts), the upstream calls by the undici
 * diagnostics subscriber (telemetry/upstream-events.ts) and the batch functions.
 */
export function useMetricsEndpoint(metrics: Metrics): Plugin {
  return {
    async onRequest({ request, url, endResponse }) {
      if (url.pathname !== '/metrics' || request.method !== 'GET') return;
      endResponse(
        new Response(await metrics.registry.metrics(), {
          headers: { 'content-type': metrics.registry.contentType },
        }),
      );
    },
  };
}
