import { createServer, type Server } from 'node:http';
import type { Config } from '../config.js';
import type { Metrics } from './metrics.js';

/**
 * `/metrics` on its own port (METRICS_PORT), so it can stay off the public listener; null when the
 * metrics are served on the GraphQL port instead.
 */
export async function startMetricsServer(config: Config, metrics: Metrics | null): Promise<Server | null> {
  if (config.metricsPort === null || !metrics) return null;
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?', 1)[0] !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    metrics.registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.metricsPort ?? 0, config.host, resolve);
  });
  return server;
}
