import { createRequire } from 'node:module';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { GraphQLError } from 'graphql';
import { createYoga, type GraphiQLOptions, maskError } from 'graphql-yoga';
import type { Logger } from 'pino';
import { type Config, SOURCES } from './config.js';
import { type Context, createContextFactory } from './context.js';
import { exampleOperation, type GraphiQLTab } from './examples.js';
import { useBodyLimit } from './plugins/use-body-limit.js';
import { useDeferStream, usesIncrementalDelivery } from './plugins/use-defer-stream.js';
import { useFieldErrors } from './plugins/use-field-errors.js';
import { useNoIntrospection } from './plugins/use-no-introspection.js';
import { useQueryLimits } from './plugins/use-query-limits.js';
import { toClientError } from './schema/errors.js';
import { schema } from './schema/index.js';
import { createUpstreams } from './sources/index.js';

export interface GatewayOptions {
  config: Config;
  logger: Logger;
  /** What GraphiQL opens with: tabs of example operations with the headers and variables that make them work. */
  graphiqlTabs?: GraphiQLTab[];
}

const require = createRequire(import.meta.url);

/**
 * GraphiQL bundled with its assets (@graphql-yoga/render-graphiql) rather than Yoga's CDN copy, so it
 * works offline and behind strict egress rules. The bundle is 9 MB of script, so it is loaded when a
 * page is first asked for: a production gateway, where GraphiQL is off, never holds it in memory.
 */
function renderBundledGraphiQL(options: GraphiQLOptions): string {
  const bundled = require('@graphql-yoga/render-graphiql') as typeof import('@graphql-yoga/render-graphiql');
  return bundled.renderGraphiQL(options);
}

/**
 * The gateway as a fetch handler, with no socket: `index.ts` listens on it, tests call `gateway.fetch`.
 * `dispose()` closes the upstream connection pools.
 */
export function createGateway({ config, logger, graphiqlTabs }: GatewayOptions) {
  const upstreams = createUpstreams(config, logger);
  const clientError = (error: unknown, message: string, isDev?: boolean) => {
    const client = error instanceof GraphQLError ? toClientError(error) : null;
    return client ?? maskError(error, message, isDev && !config.production);
  };
  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    context: createContextFactory(config, upstreams),
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // Replaced by useBodyLimit, which does the same without streaming every body through a transform.
    maxRequestBodySize: false,
    logging: logger,
    renderGraphiQL: renderBundledGraphiQL,
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
    plugins: [
      useGraphQlJit({}, { enableIf: ({ document }) => !usesIncrementalDelivery(document) }),
      useDeferStream((error) => clientError(error, 'Unexpected error.', false) as GraphQLError),
      useBodyLimit(),
      ...useQueryLimits(),
      useFieldErrors(),
      ...(config.introspection ? [] : [useNoIntrospection()]),
    ],
  });
  return Object.assign(yoga, {
    dispose: () => upstreams.close(),
  });
}

export type Gateway = ReturnType<typeof createGateway>;

/** Each source's credential header with a placeholder, so GraphiQL shows where credentials go. */
function placeholderHeaders(config: Config): Record<string, string> {
  return Object.fromEntries(SOURCES.map((s) => [config.sources[s].tokenHeader, `Bearer <your ${s} token>`]));
}
