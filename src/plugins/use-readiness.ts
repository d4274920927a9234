import { type Plugin, useReadinessCheck } from 'graphql-yoga';
import type { SourceName } from '../config.js';
import type { SourceHealth } from '../sources/index.js';

export type Lifecycle = 'starting' | 'ready' | 'draining';

export interface Readiness {
  state(): Lifecycle;
  /** Each source's state as the gateway already knows it: the probe never calls an upstream. */
  sources(): Record<SourceName, SourceHealth>;
}

/**
 * `/readyz`: 200 once the gateway is listening, 503 while it starts or drains for shutdown, so a load
 * balancer sends it traffic only in between. The body reports each source's circuit; an open circuit
 * does not make the instance unready, because every replica shares the upstream and taking them all
 * out would turn one failing source into a full outage. Liveness stays Yoga's `/health`.
 */
export function useReadiness(readiness: Readiness): Plugin {
  return useReadinessCheck({
    endpoint: '/readyz',
    check: () => {
      const status = readiness.state();
      return Response.json(
        { status, sources: readiness.sources() },
        { status: status === 'ready' ? 200 : 503, headers: { 'cache-control': 'no-store' } },
      );
    },
  });
}
