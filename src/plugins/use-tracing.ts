import {
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { Plugin } from 'graphql-yoga';
import { scopeOf } from '../telemetry/scope.js';

export interface TracingOptions {
  /** Path of the GraphQL endpoint: requests to other paths (probes, scrapes) are not traced. */
  graphqlEndpoint: string;
}

const headerGetter = {
  keys: (headers: Headers) => [...headers.keys()],
  get: (headers: Headers, key: string) => headers.get(key) ?? undefined,
};

/**
 * A server span per GraphQL request (continuing the caller's `traceparent`), and inside it one span
 * each for parse, validate and execute; upstream calls made while executing become its children (see
 * telemetry/tracing.ts). Spans carry the operation's name and type and the error codes, never the
 * document or its variables, which may hold personal data. Only in the plugin list when tracing is on.
 */
export function useTracing({ graphqlEndpoint }: TracingOptions): Plugin {
  const tracer = trace.getTracer('profile-gateway');
  const spans = new WeakMap<Request, Span>();
  const phase = <T>(name: string, wrapped: () => T): T =>
    tracer.startActiveSpan(name, (span) => {
      try {
        const result = wrapped();
        if (result instanceof Promise) return result.finally(() => span.end()) as T;
        span.end();
        return result;
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
        throw error;
      }
    });
  return {
    instrumentation: {
      request({ request }, wrapped) {
        const url = new URL(request.url);
        if (url.pathname !== graphqlEndpoint) return wrapped();
        const parent = propagation.extract(ROOT_CONTEXT, request.headers, headerGetter);
        const span = tracer.startSpan(
          `${request.method} ${graphqlEndpoint}`,
          {
            kind: SpanKind.SERVER,
            attributes: {
              'http.request.method': request.method,
              'url.path': url.pathname,
              'url.scheme': url.protocol.replace(':', ''),
              'http.route': graphqlEndpoint,
            },
          },
          parent,
        );
        spans.set(request, span);
        return context.with(trace.setSpan(parent, span), async () => {
          try {
            await wrapped();
          } finally {
            span.end();
          }
        });
      },
      parse: (_, wrapped) => phase('graphql.parse', wrapped),
      validate: (_, wrapped) => phase('graphql.validate', wrapped),
      execute: (_, wrapped) => phase('graphql.execute', wrapped),
    },
    onResponse({ request, response }) {
      const span = spans.get(request);
      if (!span) return;
      const scope = scopeOf(request);
      span.setAttribute('http.response.status_code', response.status);
      if (scope) {
        span.setAttribute('request.id', scope.id);
        if (scope.operationName) span.setAttribute('graphql.operation.name', scope.operationName);
        if (scope.operationType) {
          span.setAttribute('graphql.operation.type', scope.operationType);
          span.updateName(`${scope.operationType} ${scope.operationName ?? 'anonymous'}`);
        }
        if (scope.errorCodes.length > 0) {
          span.setAttribute('graphql.error.codes', scope.errorCodes);
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
      }
      if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    },
  };
}
