import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { NoSchemaIntrospectionCustomRule } from 'graphql';
import { createYoga, maskError, type Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { type Config, SOURCES } from './config.js';
import { type Context, createContextFactory } from './context.js';
import { exampleOperation, type GraphiQLTab } from './examples.js';
import { toClientError } from './schema/errors.js';
import { schema } from './schema/index.js';
import { createUpstreams } from './sources/index.js';

export interface GatewayOptions {
  config: Config;
  logger: Logger;
  /** What GraphiQL opens with: tabs of example operations with the headers and variables that make them work. */
  graphiqlTabs?: GraphiQLTab[];
}

/**
 * Adds the errors of fields that answered anyway (a failed list answers an empty connection, see
 * orEmpty) to the result, after the ones graphql-js collected.
 */
function useFieldErrors(): Plugin<Context> {
  return {
    onExecute({ args }) {
      return {
        onExecuteDone({ result, setResult }) {
          const fieldErrors = (args.contextValue as Context).fieldErrors;
          if (fieldErrors.length === 0 || !('data' in result)) return;
          setResult({ ...result, errors: [...(result.errors ?? []), ...fieldErrors] });
        },
      };
    },
  };
}

/** Refuses introspection queries in production unless INTROSPECTION=1: the schema is not a public document there. */
function useNoIntrospection(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}

/**
 * The gateway as a fetch handler, with no socket: `index.ts` listens on it, tests call `gateway.fetch`.
 * `dispose()` closes the upstream connection pools.
 */
export function createGateway({ config, logger, graphiqlTabs }: GatewayOptions) {
  const upstreams = createUpstreams(config, logger);
  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    context: createContextFactory(config, upstreams),
    graphqlEndpoint: '/graphql',
    landingPage: false,
    logging: logger,
    // Bundled GraphiQL rather than Yoga's default CDN copy: it works offline and behind strict egress rules.
    renderGraphiQL,
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
    maskedErrors: {
      maskError: (error, message, isDev) => {
        const client =
          error instanceof Error && 'originalError' in error ? toClientError(error as never) : null;
        return client ?? maskError(error, message, isDev && !config.production);
      },
    },
    plugins: [useFieldErrors(), ...(config.introspection ? [] : [useNoIntrospection()])],
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
