import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Gateway } from './gateway.js';

export interface GatewayServer {
  server: Server;
  /** The port actually bound (PORT=0 picks a free one). */
  port: number;
  /** False while draining: readiness probes must fail so that load balancers stop sending traffic. */
  readonly accepting: boolean;
  /**
   * Drains and closes: stops accepting, closes idle keep-alive connections, answers requests in flight
   * with `Connection: close`, and gives them SHUTDOWN_TIMEOUT_MS to finish before their upstream calls
   * are aborted and their connections cut. Resolves when everything is closed; safe to call twice.
   */
  close(): Promise<void>;
}

/** Time left, after the grace period, for requests whose upstream calls were just aborted to answer. */
const ABORT_FLUSH_MS = 500;

/**
 * Listens on HOST:PORT with the gateway as the request handler. Kept apart from index.ts so that tests
 * can start a real listener, send it traffic and a shutdown, and watch what the sockets see.
 */
export async function startServer(gateway: Gateway, config: Config, logger: Logger): Promise<GatewayServer> {
  const inFlight = new Set<ServerResponse>();
  let draining = false;
  const server = createServer((request, response) => {
    inFlight.add(response);
    response.once('close', () => inFlight.delete(response));
    // A request that arrives on a kept-alive connection during the drain is served, and its
    // connection closed after it, so that a busy client cannot hold the process open.
    if (draining) response.setHeader('connection', 'close');
    void gateway(request, response);
  });
  // Longer than a load balancer's idle timeout (60 s on most), so the balancer closes idle connections
  // first and never sends a request onto a socket this side is closing.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;

  let closing: Promise<void> | null = null;
  const close = async () => {
    draining = true;
    // `/readyz` fails from now on, so load balancers stop routing here while the drain runs.
    gateway.markDraining();
    for (const response of inFlight) if (!response.headersSent) response.setHeader('connection', 'close');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), config.shutdownTimeoutMs);
    });
    if ((await Promise.race([closed, graceOver])) === 'timeout') {
      logger.warn(
        { inFlight: inFlight.size, shutdownTimeoutMs: config.shutdownTimeoutMs },
        'shutdown grace period over: aborting the requests still in flight',
      );
      // Failing their upstream calls lets the requests still answer (with errors) before the cut.
      await gateway.abort();
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, ABORT_FLUSH_MS))]);
      server.closeAllConnections();
      await closed;
    }
    clearTimeout(timer);
    await gateway.dispose();
  };

  return {
    server,
    port,
    get accepting() {
      return !draining;
    },
    close: () => {
      closing ??= close();
      return closing;
    },
  };
}
