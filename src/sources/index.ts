import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { RequestBudget } from './budget.js';
import type { CircuitStateName } from './circuit.js';
import { type Credential, staticCredential } from './credentials.js';
import { CursorCodec } from './cursor.js';
import type { TokenExchange } from './descriptor.js';
import { HttpSource } from './http.js';
import { REGISTRY, SOURCES, type SourceName } from './registry.js';
import { SourceSession } from './session.js';
import type { UpstreamCacheStore } from './upstream-cache.js';

/** An upstream as the metrics see it: where it is, and the route templates its paths follow. */
export interface UpstreamTarget {
  source: SourceName;
  /** Base URL: origin plus optional path prefix. */
  url: URL;
  /** Path templates below the prefix, `{id}` standing for one segment, e.g. `/api/profiles/{id}`. */
  routes: readonly string[];
}

/** The long-lived part of the sources, shared by all requests: connection pools and upsun's token cache. */
export interface Upstreams {
  http: Record<SourceName, HttpSource | null>;
  /** The server-side credential of each source whose API token is exchanged (upsun), when it has one. */
  exchanges: Partial<Record<SourceName, TokenExchange>>;
  cursors: CursorCodec;
  logger: Logger;
  /** Each source's state for the readiness probe and the metrics, read without calling any upstream. */
  health(): Record<SourceName, SourceHealth>;
  /** Every upstream this gateway calls, with its route templates, for the metrics. */
  targets: UpstreamTarget[];
  /** Closes the pools once their calls have ended. */
  close(): Promise<void>;
  /** Ends every connection at once, failing the calls in flight. */
  destroy(): Promise<void>;
}

export interface SourceHealth {
  configured: boolean;
  circuit: CircuitStateName;
}

export function createUpstreams(
  config: Config,
  logger: Logger,
  /** The upstream HTTP cache's store (UPSTREAM_CACHE); null: no cache. */
  cacheStore: UpstreamCacheStore | null = null,
): Upstreams {
  const pool = (source: SourceName, baseUrl: URL | null, routes: readonly string[]) =>
    baseUrl
      ? new HttpSource({
          source,
          baseUrl,
          timeoutMs: config.sources[source].timeoutMs,
          maxResponseBytes: config.sources[source].maxResponseBytes,
          circuit: config.circuit,
          logger,
          messageOf: REGISTRY[source].messageOf,
          sharing: config.upstreamSharing,
          cacheStore,
          routes,
        })
      : null;
  const http = {} as Record<SourceName, HttpSource | null>;
  const exchanges: Upstreams['exchanges'] = {};
  const authPools: HttpSource[] = [];
  const targets: UpstreamTarget[] = [];
  for (const source of SOURCES) {
    const { url, apiToken, authUrl } = config.sources[source];
    const { routes, exchange } = REGISTRY[source];
    http[source] = pool(source, url, routes);
    if (url) targets.push({ source, url, routes });
    const auth = exchange && apiToken ? pool(source, authUrl, exchange.routes) : null;
    if (auth && authUrl && apiToken && exchange) {
      exchanges[source] = exchange.create(auth, apiToken, logger);
      authPools.push(auth);
      targets.push({ source, url: authUrl, routes: exchange.routes });
    }
  }
  const pools = () => [...Object.values(http), ...authPools];
  return {
    http,
    exchanges,
    cursors: new CursorCodec(config.cursorSecret),
    logger,
    // The breakers' own state: a probe never calls an upstream. A source with no URL has no circuit.
    health: () =>
      Object.fromEntries(
        SOURCES.map((source) => {
          const h = http[source];
          return [source, { configured: h !== null, circuit: h ? h.circuit.state : 'closed' }];
        }),
      ) as Record<SourceName, SourceHealth>,
    targets,
    close: async () => {
      await Promise.all(pools().map((h) => h?.close()));
    },
    destroy: async () => {
      await Promise.all(pools().map((h) => h?.destroy()));
    },
  };
}

/** What one request may reach: each source's client, bound to the caller's own credential for it. */
export type SourceClients = {
  readonly [S in SourceName]: ReturnType<(typeof REGISTRY)[S]['client']>;
};

/**
 * Each source's client for one request, built on first use: a request that reads one source pays for
 * one client and one credential lookup. Its getters (one per source) are defined from the registry below.
 */
class RequestClientsBase {
  readonly clients: Partial<Record<SourceName, unknown>> = {};

  constructor(
    private readonly config: Config,
    private readonly upstreams: Upstreams,
    private readonly headers: { get(name: string): string | null },
    /** What this request may spend on the upstreams, all sources together. */
    readonly budget: RequestBudget,
  ) {}

  client(source: SourceName): unknown {
    this.clients[source] ??= REGISTRY[source].client(this.session(source), this.upstreams.cursors);
    return this.clients[source];
  }

  private session(source: SourceName): SourceSession {
    return new SourceSession(
      source,
      this.upstreams.http[source],
      this.credential(source),
      this.budget,
      this.config.upstreamConcurrency,
      this.upstreams.logger,
    );
  }

  private credential(source: SourceName): Credential {
    const { tokenHeader, apiToken } = this.config.sources[source];
    const header = { name: tokenHeader, value: this.headers.get(tokenHeader) };
    const exchange = this.upstreams.exchanges[source];
    // An exchanged API token is only ever sent to the auth server; the API gets the bearer it buys.
    if (!header.value && exchange) {
      return { get: () => exchange.get(), renew: (stale) => exchange.renew(stale) };
    }
    return staticCredential(source, header, REGISTRY[source].exchange ? null : apiToken);
  }
}

for (const source of SOURCES) {
  Object.defineProperty(RequestClientsBase.prototype, source, {
    get(this: RequestClientsBase) {
      return this.client(source);
    },
  });
}

export const RequestClients = RequestClientsBase as new (
  ...args: ConstructorParameters<typeof RequestClientsBase>
) => RequestClientsBase & SourceClients;
