import { NoSchemaIntrospectionCustomRule } from 'graphql';
import { createYoga, maskError, type Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { type Context, createContextFactory } from './context.js';
import { toClientError } from './schema/errors.js';
import { schema } from './schema/index.js';
import { createUpstreams } from './sources/index.js';

export interface GatewayOptions {
  config: Config;
  logger: Logger;
  /** What GraphiQL opens with: an example query and the headers that make it work. */
  graphiql?: { defaultQuery?: string; headers?: Record<string, string> };
}

const EXAMPLE_QUERY = `# Send each source's credential in the headers below.
query Overview {
  workspaces(first: 5) {
    totalCount
    edges {
      node {
        name
        status
        isDefault
        members(first: 3) {
          totalCount
          edges { node { name profile { email } } }
        }
      }
    }
  }
  profiles(first: 3) {
    edges { node { upstreamId name handle defaultWorkspace { name } } }
  }
}
`;

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
export function createGateway({ config, logger, graphiql }: GatewayOptions) {
  const upstreams = createUpstreams(config, logger);
  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    context: createContextFactory(config, upstreams),
    graphqlEndpoint: '/graphql',
    landingPage: false,
    logging: logger,
    graphiql: config.graphiql
      ? {
          title: 'Profile gateway',
          defaultQuery: graphiql?.defaultQuery ?? EXAMPLE_QUERY,
          headers: JSON.stringify(
            graphiql?.headers ?? { authorization: 'Bearer <your matatika token>' },
            null,
            2,
          ),
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
