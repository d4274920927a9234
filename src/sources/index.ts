import type { Logger } from 'pino';
import { type Config, SOURCES, type SourceName } from '../config.js';
import type { RequestBudget } from './budget.js';
import { ROUTES as CADENYA_ROUTES, CadenyaClient } from './cadenya/client.js';
import { cadenyaMessage } from './cadenya/payloads.js';
import type { CircuitStateName } from './circuit.js';
import { type Credential, staticCredential } from './credentials.js';
import { CursorCodec } from './cursor.js';
import { HttpSource } from './http.js';
import { ROUTES as MATATIKA_ROUTES, MatatikaClient } from './matatika/client.js';
import { matatikaMessage } from './matatika/payloads.js';
import { ROUTES as MOLTARO_ROUTES, MoltaroClient } from './moltaro/client.js';
import { moltaroMessage } from './moltaro/payloads.js';
import { SourceSession } from './session.js';
import type { UpstreamCacheStore } from './upstream-cache.js';
import { ROUTES as UPSUN_ROUTES, UpsunClient } from './upsun/client.js';
import { upsunMessage } from './upsun/payloads.js';
import { AUTH_ROUTES as UPSUN_AUTH_ROUTES, UpsunTokenExchange } from './upsun/token-exchange.js';

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
  upsunExchange: UpsunTokenExchange | null;
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

const ROUTES: Record<SourceName, readonly string[]> = {
  matatika: MATATIKA_ROUTES,
  cadenya: CADENYA_ROUTES,
  moltaro: MOLTARO_ROUTES,
  upsun: UPSUN_ROUTES,
};

const MESSAGE_OF: Record<SourceName, (body: unknown) => string | undefined> = {
  matatika: matatikaMessage,
  cadenya: cadenyaMessage,
  moltaro: moltaroMessage,
  upsun: upsunMessage,
};

export function createUpstreams(
  config: Config,
  logger: Logger,
  /** The upstream HTTP cache's store (UPSTREAM_CACHE); null: no cache. */
  cacheStore: UpstreamCacheStore | null = null,
): Upstreams {
  const pool = (source: SourceName, baseUrl: URL | null) =>
    baseUrl
      ? new HttpSource({
          source,
          baseUrl,
          timeoutMs: config.sources[source].timeoutMs,
          maxResponseBytes: config.sources[source].maxResponseBytes,
          circuit: config.circuit,
          logger,
          messageOf: MESSAGE_OF[source],
          sharing: config.upstreamSharing,
          cacheStore,
          routes: ROUTES[source],
        })
      : null;
  const http = {} as Record<SourceName, HttpSource | null>;
  for (const source of Object.keys(config.sources) as SourceName[])
    http[source] = pool(source, config.sources[source].url);
  const auth = config.sources.upsun.apiToken ? pool('upsun', config.upsunAuthUrl) : null;
  const apiToken = config.sources.upsun.apiToken;
  const targets: UpstreamTarget[] = SOURCES.flatMap((source) => {
    const url = config.sources[source].url;
    return url ? [{ source, url, routes: ROUTES[source] }] : [];
  });
  if (auth && config.upsunAuthUrl)
    targets.push({ source: 'upsun', url: config.upsunAuthUrl, routes: UPSUN_AUTH_ROUTES });
  return {
    http,
    upsunExchange: auth && apiToken ? new UpsunTokenExchange(auth, apiToken, logger) : null,
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
      await Promise.all([...Object.values(http), auth].map((h) => h?.close()));
    },
    destroy: async () => {
      await Promise.all([...Object.values(http), auth].map((h) => h?.destroy()));
    },
  };
}

/** What one request may reach: each source's client, bound to the caller's own credential for it. */
export interface SourceClients {
  matatika: MatatikaClient;
  cadenya: CadenyaClient;
  moltaro: MoltaroClient;
  upsun: UpsunClient;
}

/**
 * Each source's client for one request, built on first use: a request that reads one source pays for
 * one client and one credential lookup.
 */
export class RequestClients implements SourceClients {
  private clients: Partial<SourceClients> = {};

  constructor(
    private readonly config: Config,
    private readonly upstreams: Upstreams,
    private readonly headers: { get(name: string): string | null },
    /** What this request may spend on the upstreams, all sources together. */
    readonly budget: RequestBudget,
  ) {}

  get matatika(): MatatikaClient {
    this.clients.matatika ??= new MatatikaClient(this.session('matatika'));
    return this.clients.matatika;
  }

  get cadenya(): CadenyaClient {
    this.clients.cadenya ??= new CadenyaClient(this.session('cadenya'), this.upstreams.cursors);
    return this.clients.cadenya;
  }

  get moltaro(): MoltaroClient {
    this.clients.moltaro ??= new MoltaroClient(this.session('moltaro'));
    return this.clients.moltaro;
  }

  get upsun(): UpsunClient {
    this.clients.upsun ??= new UpsunClient(this.session('upsun'), this.upstreams.cursors);
    return this.clients.upsun;
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
    const exchange = this.upstreams.upsunExchange;
    // upsun's server-side token is an API token, only ever sent to the auth server; the API gets the
    // bearer it is exchanged for.
    if (source === 'upsun' && !header.value && exchange) {
      return { get: () => exchange.get(), renew: (stale) => exchange.renew(stale) };
    }
    return staticCredential(source, header, source === 'upsun' ? null : apiToken);
  }
}
