import { type Config, ConfigError, loadConfig } from './config.js';
import { exampleTabs } from './examples.js';
import { createGateway } from './gateway.js';
import { createLogger } from './logger.js';
import { demo, type Sandbox, startSandbox } from './sandbox/index.js';
import { type GatewayServer, startServer } from './server.js';
import { SOURCES, type SourceName } from './sources/registry.js';
import { startMetricsServer } from './telemetry/metrics-server.js';

/**
 * Entry point: parse the configuration once, start the embedded sandbox when no upstream is configured
 * (so `npm start` on a fresh clone serves something real), listen, and shut down cleanly on SIGTERM.
 */
async function main() {
  let config = configOrExit(process.env);
  const logger = createLogger(config.logLevel);

  let sandbox: Sandbox | null = null;
  if (config.sandbox) {
    sandbox = await startSandbox({ port: 0 });
    // The environment again, with every source pointed at the sandbox: a Config is never changed.
    config = configOrExit({ ...process.env, ...sandboxEnv(sandbox), SANDBOX: '1' });
  }

  const gateway = createGateway({
    config,
    logger,
    graphiqlTabs: sandbox ? exampleTabs(DEMO_VARIABLES, demoHeaders(config)) : undefined,
  });
  let server: GatewayServer;
  try {
    server = await startServer(gateway, config, logger);
  } catch (error) {
    // A busy or forbidden port is a configuration problem: say which variable fixes it.
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'EADDRINUSE' ? 'is already in use' : `cannot be used (${code ?? String(error)})`;
    console.error(`${config.host}:${config.port} ${reason}; set PORT (and HOST) to another address.`);
    process.exit(1);
  }
  const { port } = server;
  const endpoint = `http://${config.host}:${port}/graphql`;
  const metricsServer = await startMetricsServer(config, gateway.metrics);
  gateway.markReady();
  logger.info({ endpoint, sandbox: sandbox?.url ?? null }, 'gateway listening');
  if (sandbox) printSandboxBanner(endpoint, sandbox, config);

  // Docker and Kubernetes send SIGTERM and wait (Kubernetes 30 s by default) before SIGKILL; the drain
  // takes at most SHUTDOWN_TIMEOUT_MS plus a moment, and ends with exit code 0.
  const shutdown = async (signal: string) => {
    logger.info({ signal, shutdownTimeoutMs: config.shutdownTimeoutMs }, 'shutting down');
    metricsServer?.close();
    await server.close();
    await sandbox?.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

function configOrExit(env: Record<string, string | undefined>): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

/** The variables that point every source (and upsun's token exchange) at the sandbox. */
function sandboxEnv(sandbox: Sandbox): Record<string, string> {
  return {
    ...Object.fromEntries(SOURCES.map((s) => [`${s.toUpperCase()}_API_URL`, sandbox.urlOf(s)])),
    UPSUN_AUTH_URL: sandbox.urlOf('upsun-auth'),
  };
}

const DEMO_VARIABLES = {
  overview: { profileId: demo.matatika.profileIds.demo },
  'workspace-members': { workspaceId: demo.matatika.workspaceIds.large },
  'set-default-workspace': {
    profileId: demo.matatika.profileIds.demo,
    workspaceId: demo.matatika.workspaceIds.failed,
  },
  'upsert-profile': {
    input: { profileId: demo.matatika.profileIds.demo, name: 'Ada Lovelace', phone: '+44 20 7946 0000' },
  },
};

/** The sandbox's demo credential of every source, each in the header that source reads. */
function demoHeaders(config: Config): Record<string, string> {
  const token: Record<SourceName, string> = {
    matatika: demo.matatika.tokens.demo,
    cadenya: demo.cadenya.tokens.admin,
    moltaro: demo.moltaro.tokens.demo,
    upsun: demo.upsun.accessToken,
  };
  return Object.fromEntries(SOURCES.map((s) => [config.sources[s].tokenHeader, `Bearer ${token[s]}`]));
}

function printSandboxBanner(endpoint: string, sandbox: Sandbox, config: Config) {
  const headers = demoHeaders(config);
  const curlHeaders = Object.entries(headers)
    .map(([name, value]) => `-H '${name}: ${value}'`)
    .join(' ');
  // With GraphiQL off (production, unless GRAPHIQL=1) a browser gets a 406 there: say how to turn it on.
  const graphiql = config.graphiql
    ? 'GraphiQL: open it in a browser'
    : 'GraphiQL is off: set GRAPHIQL=1 to turn it on';
  console.log(`
Profile gateway on ${endpoint} (${graphiql})
Upstreams: the embedded sandbox at ${sandbox.url} (demo data; set *_API_URL to use real APIs)

Demo credentials (request headers):
${Object.entries(headers)
  .map(([name, value]) => `  ${name}: ${value}`)
  .join('\n')}

Try:
  curl -s ${endpoint} -H 'content-type: application/json' ${curlHeaders} \\
    -d '{"query":"{ profile(id: \\"${demo.matatika.profileIds.demo}\\") { name email defaultWorkspace { name status } } workspaceAccountProfile { userName } }"}'

The upsun source can also exchange an API token itself: UPSUN_API_TOKEN=${demo.upsun.apiToken} npm start
`);
}

await main();
