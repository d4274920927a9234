import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError } from 'graphql';
import { createYoga, maskError } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { type Context, createContextFactory, requestBudget } from './context.js';
import { GatewayError } from './errors.js';
import { exampleOperation, type GraphiQLTab } from './examples.js';
import { createFrontDoor } from './http/front-door.js';
import { createRateLimits } from './http/rate-limit.js';
import type { CorsPolicy } from './http/respond.js';
import { useArgumentLimits } from './plugins/use-argument-limits.js';
import { useAuth } from './plugins/use-auth.js';
import { useBatching } from './plugins/use-batching.js';
import { useCostLimit } from './plugins/use-cost-limit.js';
import { useDeferStream } from './plugins/use-defer-stream.js';
import { useDocumentCache } from './plugins/use-document-cache.js';
import { useDocumentLimit } from './plugins/use-document-limit.js';
import { useFieldErrors } from './plugins/use-field-errors.js';
import { renderGraphiQLPage, useGraphiQLAssets } from './plugins/use-graphiql-assets.js';
import { useJit } from './plugins/use-jit.js';
import { useLazyValidation } from './plugins/use-lazy-validation.js';
import { useMetricsEndpoint } from './plugins/use-metrics.js';
import { useNoIntrospection } from './plugins/use-no-introspection.js';
import { useNoSuggestions } from './plugins/use-no-suggestions.js';
import { persistedOperations } from './plugins/use-persisted-operations.js';
import { useQueryLimits } from './plugins/use-query-limits.js';
import { type Lifecycle, useReadiness } from './plugins/use-readiness.js';
import { useRequestScope } from './plugins/use-request-scope.js';
import { useCallerResponseCache } from './plugins/use-response-cache.js';
import { useTracing } from './plugins/use-tracing.js';
import { schema } from './schema/index.js';
import { createUpstreams } from './sources/index.js';
import { SOURCES } from './sources/registry.js';
import { createStores } from './stores/index.js';
import { createMetrics } from './telemetry/metrics.js';
import { startTracing } from './telemetry/tracing.js';
import { watchUpstreams } from './telemetry/upstream-events.js';

export interface GatewayOptions {
  config: Config;
  logger: Logger;
  /** What GraphiQL opens with: tabs of example operations with the headers and variables that make them work. */
  graphiqlTabs?: GraphiQLTab[];
}

const GRAPHQL_ENDPOINT = '/graphql';

/**
 * The gateway: a node:http request handler with a `fetch` twin (tests call `gateway.fetch`, with no
 * socket), both through the front door (src/http/front-door.ts), which serves plain GraphQL requests
 * itself and hands the rest to Yoga. It reports `starting` on `/readyz` until `markReady()`, and
 * `draining` after `markDraining()`. `dispose()` closes the upstream pools and flushes the traces.
 */
export function createGateway({ config, logger, graphiqlTabs }: GatewayOptions) {
  // The metrics read the upstreams' health only when scraped, so the upstreams can come after the stores.
  const metrics = config.metrics ? createMetrics(() => upstreams.health()) : null;
  const stores = createStores(config, logger, metrics);
  const upstreams = createUpstreams(config, logger, stores.upstream);
  // A GatewayError already carries its extensions (see errors.ts): it goes out as it is, with
  // its locations, and is not logged as a bug. Anything else is masked (and Yoga logs it).
  const clientError = (error: unknown, message: string, isDev?: boolean) =>
    error instanceof GraphQLError && error.originalError instanceof GatewayError
      ? error
      : maskError(error, message, isDev && !config.production);
  const unwatch = metrics ? watchUpstreams(metrics, upstreams.targets) : () => {};
  const stopTracing = startTracing(config);
  let lifecycle: Lifecycle = 'starting';
  const dispose = async () => {
    unwatch();
    await upstreams.close();
    await stores.close();
    await stopTracing();
  };
  const persisted = persistedOperations(config.persistedOperations, stores.operations);
  const credentialHeaders = [
    ...SOURCES.map((s) => config.sources[s].tokenHeader),
    ...(config.governance.auth ? [config.governance.auth.tokenHeader] : []),
  ];
  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    context: createContextFactory(config, upstreams) as never,
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    landingPage: false,
    // The front door reads and bounds every body before Yoga sees it.
    maxRequestBodySize: false,
    // useDocumentCache does this, bounded by bytes and without a key built from the rules each time.
    parserAndValidationCache: false,
    batching: config.maxBatchOperations > 0 ? { limit: config.maxBatchOperations } : false,
    logging: logger,
    // GraphiQL bundled with its assets (@graphql-yoga/render-graphiql) rather than Yoga's CDN copy, so it
    // works offline and behind strict egress rules; the page links to them (useGraphiQLAssets serves them).
    renderGraphiQL: renderGraphiQLPage,
    graphiql: config.graphiql
      ? {
          title: 'Profile gateway',
          // GraphiQL fills the editors it opens with from its top-level headers and variables, not from
          // the first tab, so those repeat the first tab's (variables is a GraphiQL prop Yoga passes on).
          ...(graphiqlTabs
            ? {
                defaultTabs: graphiqlTabs,
                defaultQuery: graphiqlTabs[0]?.query,
                headers: graphiqlTabs[0]?.headers,
                variables: graphiqlTabs[0]?.variables,
              }
            : {
                defaultQuery: exampleOperation('overview'),
                headers: JSON.stringify(placeholderHeaders(config), null, 2),
              }),
        }
      : false,
    maskedErrors: { maskError: clientError },
    // The front door answers CORS, for Yoga's answers too.
    cors: false,
    plugins: [
      useRequestScope(),
      useReadiness({
        state: () => lifecycle,
        sources: () => upstreams.health(),
        stores: () => stores.health(),
      }),
      ...(config.graphiql ? [useGraphiQLAssets({ graphqlEndpoint: GRAPHQL_ENDPOINT })] : []),
      ...(metrics && config.metricsPort === null ? [useMetricsEndpoint(metrics)] : []),
      ...(config.tracing.enabled ? [useTracing()] : []),
      // The server adapter's own dispose() shadows any `dispose` set on the returned object; its
      // plugins' onDispose is how cleanup runs when it is called.
      { onDispose: () => dispose() },
      useDeferStream((error) => clientError(error, 'Unexpected error.', false) as GraphQLError),
      useBatching({
        maxOperations: config.maxBatchOperations,
        budget: (signal, scope) => requestBudget(config, signal, scope),
      }),
      useDocumentLimit({ maxBytes: config.maxDocumentBytes }),
      useLazyValidation({ hideSuggestions: config.production }),
      useArgumentLimits(),
      ...useQueryLimits(),
      ...(config.production ? [useNoSuggestions()] : []),
      ...(config.introspection ? [] : [useNoIntrospection()]),
      useJit(),
      useFieldErrors(),
      // A cached verdict stands for every plugin's rules: they add the same ones to every request.
      useDocumentCache(),
      // The gateway's own token, checked before anything costs a call (AUTH_JWKS_URL).
      ...(config.governance.auth ? [useAuth({ auth: config.governance.auth })] : []),
      // Before the response cache: a hit still gets its cost, and an operation over budget never runs.
      useCostLimit({
        maxCalls: config.maxUpstreamCalls,
        always: config.governance.costExtension === 'always',
        upsunRenews: (request) =>
          config.sources.upsun.apiToken !== null && !request.headers.get(config.sources.upsun.tokenHeader),
      }),
      // Before the response cache, whose key is built from the operation text these resolve.
      ...persisted.plugins,
      // After useFieldErrors, so that the errors it adds keep an answer out of the cache.
      ...(config.responseCache && stores.responses
        ? useCallerResponseCache(config, config.responseCache, stores.responses)
        : []),
    ],
  });
  const frontDoor = createFrontDoor({
    config,
    yoga: yoga as never,
    endpoint: GRAPHQL_ENDPOINT,
    logger,
    metrics,
    persisted,
    csrfHeaders: [...PREFLIGHT_HEADERS, ...credentialHeaders],
    cors: corsPolicy(config.corsOrigins),
    maskError: (error) => clientError(error, 'Unexpected error.', false) as GraphQLError,
    rateLimits: createRateLimits(config, stores.redis, logger, metrics),
  });
  const handler = (req: IncomingMessage, res: ServerResponse) => frontDoor.handleNode(req, res);
  return Object.assign(handler, {
    fetch: frontDoor.fetch,
    /** How many GraphQL requests the fast path served, and how many went to Yoga. */
    served: frontDoor.served,
    /** Closes the upstream pools and the stores, and flushes the traces (through Yoga's onDispose). */
    dispose: () => yoga.dispose(),
    metrics,
    /** Each source's circuit state, as `/readyz` reports it. */
    circuits: () =>
      Object.fromEntries(Object.entries(upstreams.health()).map(([source, h]) => [source, h.circuit])),
    /** Ends every upstream connection now, failing what is in flight (end of a shutdown's grace). */
    abort: () => upstreams.destroy(),
    markReady: () => {
      lifecycle = 'ready';
    },
    /** Called first on shutdown: `/readyz` fails, so load balancers stop sending new requests. */
    markDraining: () => {
      lifecycle = 'draining';
    },
  });
}

export type Gateway = ReturnType<typeof createGateway>;

/** Headers that clients send to mark a request as not a simple cross-site one (Yoga's and Apollo's). */
const PREFLIGHT_HEADERS = ['x-graphql-yoga-csrf', 'apollo-require-preflight', 'x-apollo-operation-name'];

/**
 * CORS as an allow-list: an origin on it gets its own name back, with credentials; any other gets no
 * CORS headers at all, so the browser refuses to hand it the answer. '*' (the development default)
 * allows every origin. Null: CORS off.
 */
function corsPolicy(origins: string[]): CorsPolicy | null {
  if (origins.length === 0) return null;
  if (origins.includes('*')) return () => ({ credentials: true });
  const allowed = new Set(origins);
  return (headers) => {
    const origin = headers.get('origin');
    return origin !== null && allowed.has(origin) ? { origin: [origin], credentials: true } : false;
  };
}

/** Each source's credential header with a placeholder, so GraphiQL shows where credentials go. */
function placeholderHeaders(config: Config): Record<string, string> {
  return Object.fromEntries(SOURCES.map((s) => [config.sources[s].tokenHeader, `Bearer <your ${s} token>`]));
}
