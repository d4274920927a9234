import type { Logger } from 'pino';
import { afterAll, beforeEach } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { createLogger } from '../../src/logger.js';
import { demo, type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { SOURCES } from '../../src/sources/registry.js';
import { pathEnv } from './path.js';

export { demo };

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

export interface Harness {
  sandbox: Sandbox;
  gateway: Gateway;
  /** Sends a GraphQL document as the demo user unless `headers` says otherwise. */
  gql<T = Record<string, unknown>>(
    query: string,
    options?: { variables?: Record<string, unknown>; headers?: Record<string, string> },
  ): Promise<GraphQLResponse<T>>;
  /** The sandbox's request log as `METHOD path` lines of one source, in arrival order. */
  calls(source?: string): string[];
  /** Another gateway over the same sandbox with `env` changed; closed with the harness. */
  gatewayWith(env: Record<string, string>, logger?: Logger): Gateway;
}

export const asDemo = { authorization: `Bearer ${demo.matatika.tokens.demo}` };

/**
 * A sandbox on port 0 and a gateway pointed at it, shared by one test file; the sandbox's data, log and
 * faults are reset before every test. `env` adds or overrides configuration variables.
 */
export function useHarness(env: Record<string, string> = {}): Harness {
  let sandbox: Sandbox | undefined;
  let gateway: Gateway | undefined;
  const extra: Gateway[] = [];
  const build = (overrides: Record<string, string>, logger = createLogger('silent')) => {
    const s = sandbox as Sandbox;
    const urls = Object.fromEntries(SOURCES.map((name) => [`${name.toUpperCase()}_API_URL`, s.urlOf(name)]));
    const config = loadConfig({
      ...pathEnv,
      SANDBOX: '0',
      LOG_LEVEL: 'silent',
      // Development answers carry extensions.cost; tests that compare whole answers ask for it (cost.test.ts).
      COST_EXTENSION: 'on-request',
      UPSUN_AUTH_URL: s.urlOf('upsun-auth'),
      ...urls,
      ...overrides,
    });
    return createGateway({ config, logger });
  };
  const ready = (async () => {
    sandbox = await startSandbox({ port: 0 });
    gateway = build(env);
  })();

  beforeEach(async () => {
    await ready;
    sandbox?.reset();
  });
  afterAll(async () => {
    await ready;
    await Promise.all([gateway, ...extra].map((g) => g?.dispose()));
    await sandbox?.close();
  });

  return {
    get sandbox() {
      if (!sandbox) throw new Error('harness not ready');
      return sandbox;
    },
    get gateway() {
      if (!gateway) throw new Error('harness not ready');
      return gateway;
    },
    async gql(query, options = {}) {
      await ready;
      return post(gateway as Gateway, query, options);
    },
    gatewayWith(overrides, logger) {
      const g = build({ ...env, ...overrides }, logger);
      extra.push(g);
      return g;
    },
    calls(source = 'matatika') {
      return (sandbox as Sandbox).requests
        .filter((r) => r.source === source)
        .map((r) => `${r.method} ${r.path}${r.query ? `?${r.query}` : ''}`);
    },
  };
}

/** The error codes of a response, in order. */
export function codes(response: GraphQLResponse): unknown[] {
  return (response.errors ?? []).map((e) => e.extensions?.code);
}

/** POSTs a GraphQL document to `gateway`, as the demo user unless `headers` says otherwise. */
export async function post<T = Record<string, unknown>>(
  gateway: Gateway,
  query: string,
  options: { variables?: Record<string, unknown>; headers?: Record<string, string> } = {},
): Promise<GraphQLResponse<T>> {
  const response = await gateway.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(options.headers ?? asDemo) },
    body: JSON.stringify({ query, variables: options.variables }),
  });
  return (await response.json()) as GraphQLResponse<T>;
}
