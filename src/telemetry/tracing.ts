import type { NodeSDK } from '@opentelemetry/sdk-node';
import type { Config } from '../config.js';
import { describe, type UndiciRequest } from './upstream-events.js';

let sdk: Promise<NodeSDK> | null = null;
let users = 0;

/**
 * Starts OpenTelemetry tracing when the OTEL_* variables name an exporter (config.tracing), once per
 * process however many gateways it holds. The SDK reads its standard variables itself
 * (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_EXPORTER_OTLP_HEADERS,
 * OTEL_TRACES_SAMPLER, OTEL_RESOURCE_ATTRIBUTES…). Upstream calls get client spans from undici's
 * diagnostics channels, which also put `traceparent` on every call. The SDK is loaded only when
 * tracing is on: loading it took 0.9 s and 30 MB of RSS here. Returns the function that flushes and
 * stops it.
 */
export function startTracing(config: Config): () => Promise<void> {
  if (!config.tracing.enabled) return async () => {};
  users++;
  sdk ??= load(config.tracing.serviceName);
  return async () => {
    users--;
    if (users > 0 || !sdk) return;
    const stopping = sdk;
    sdk = null;
    await (await stopping).shutdown();
  };
}

async function load(serviceName: string): Promise<NodeSDK> {
  const [{ NodeSDK }, { UndiciInstrumentation }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/instrumentation-undici'),
  ]);
  const started = new NodeSDK({
    serviceName,
    // Traces only: metrics are Prometheus's (/metrics) and logs pino's, so the SDK's OTLP metric
    // and log exporters, on by default, stay off.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new UndiciInstrumentation({
        startSpanHook: (request) => {
          const found = describe(request as unknown as UndiciRequest);
          if (!found) return {};
          return found.template
            ? { 'url.template': found.template, 'peer.service': found.target.source }
            : { 'peer.service': found.target.source };
        },
        requestHook: (span, request) => {
          // Upstream paths hold ids and their query strings search terms: the span keeps the template
          // (url.template, in its name too) and the path, and drops the query string.
          const found = describe(request as unknown as UndiciRequest);
          if (found?.template) span.updateName(`${request.method} ${found.template}`);
          const path = request.path.split('?', 1)[0] ?? '';
          span.setAttribute('url.full', `${request.origin}${path}`);
          const attributes = (span as unknown as { attributes?: Record<string, unknown> }).attributes;
          if (attributes) delete attributes['url.query'];
        },
      }),
    ],
  });
  started.start();
  return started;
}
