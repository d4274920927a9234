/**
 * Hive Gateway settings for serving the composed Mesh supergraph as production would: one process, no
 * GraphiQL or landing page, errors masked, logs at warn. Started by bench/run.mjs as
 *   hive-gateway supergraph <supergraph.graphql> -c bench/mesh/gateway.config.ts --host 127.0.0.1 --port P --fork 1
 * Inbound in-flight request deduplication stays off: under a load generator that repeats one query it
 * would answer many requests with one execution and so measure coalescing instead of gateway work (the
 * gateway under comparison shares nothing between requests either).
 */
import { defineConfig } from '@graphql-hive/gateway';

export const gatewayConfig = defineConfig({
  graphiql: false,
  landingPage: false,
  maskedErrors: true,
  logging: 'warn',
  inboundInflightRequestDeduplication: false,
});
