import type { Plugin } from 'graphql-yoga';
import type { SourceHealth } from '../sources/index.js';
import type { SourceName } from '../sources/registry.js';
import type { StoreState } from '../stores/redis.js';

export type Lifecycle = 'starting' | 'ready' | 'draining';

export interface Readiness {
  state(): Lifecycle;
  /** Each source's state as the gateway already knows it: the probe never calls an upstream. */
  sources(): Record<SourceName, SourceHealth>;
  /** The shared stores (Redis) as the connection already knows them; empty without any. */
  stores(): { redis?: StoreState };
}

const ENDPOINT = '/readyz';

/**
 * `/readyz`: 200 once the gateway is listening, 503 while it starts or drains for shutdown, so a load
 * balancer sends it traffic only in between. The body reports each source's circuit; an open circuit
 * does not make the instance unready, because every replica shares the upstream and taking them all
 * out would turn one failing source into a full outage. Likewise Redis: while it is down the instance
 * serves uncached and reports `degraded` (still 200) with `stores.redis: "down"`. Liveness stays
 * Yoga's `/health`.
 *
 * Matched by exact path rather than with Yoga's useReadinessCheck, which tests every request that is
 * not the probe (every GraphQL request) against a URLPattern: on Node 20 that is a polyfill, and it
 * showed up as 2–3% of a request's CPU in the profile.
 */
export function useReadiness(readiness: Readiness): Plugin {
  return {
    onRequest({ url, endResponse }) {
      if (url.pathname !== ENDPOINT) return;
      const lifecycle = readiness.state();
      const stores = readiness.stores();
      const degraded = lifecycle === 'ready' && Object.values(stores).includes('down');
      endResponse(
        Response.json(
          {
            status: degraded ? 'degraded' : lifecycle,
            sources: readiness.sources(),
            ...(Object.keys(stores).length > 0 ? { stores } : {}),
          },
          { status: lifecycle === 'ready' ? 200 : 503, headers: { 'cache-control': 'no-store' } },
        ),
      );
    },
  };
}
