import {
  context,
  type Context as OtelContext,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { Plugin } from 'graphql-yoga';
import type { HeaderReader } from '../http/exchange.js';
import type { RequestScope } from '../telemetry/scope.js';

const tracer = () => trace.getTracer('profile-gateway');

const headerGetter = {
  keys: () => ['traceparent', 'tracestate', 'baggage'],
  get: (headers: HeaderReader, key: string) => headers.get(key) ?? undefined,
};

/** A GraphQL request's server span, continuing the caller's `traceparent`. */
export interface RequestSpan {
  /** Runs `fn` with the span active, so that parse, validate, execute and upstream calls nest under it. */
  run<T>(fn: () => T): T;
  /** Names the span after the operation, records the outcome, and ends it. */
  end(scope: RequestScope, status: number): void;
}

/**
 * Starts the server span of a GraphQL request (the front door calls it when tracing is on). Spans carry
 * the operation's name and type and the error codes, never the document or its variables, which may
 * hold personal data.
 */
export function startRequestSpan(method: string, endpoint: string, headers: HeaderReader): RequestSpan {
  const parent = propagation.extract(ROOT_CONTEXT, headers, headerGetter);
  const span = tracer().startSpan(
    `${method} ${endpoint}`,
    {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': method,
        'url.path': endpoint,
        'url.scheme': 'http',
        'http.route': endpoint,
      },
    },
    parent,
  );
  const active: OtelContext = trace.setSpan(parent, span);
  return {
    run: (fn) => context.with(active, fn),
    end(scope, status) {
      span.setAttribute('http.response.status_code', status);
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
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
  };
}

/**
 * One span each for parse, validate and execute, inside the request's server span; upstream calls made
 * while executing become children of `graphql.execute` (see telemetry/tracing.ts). Only in the plugin
 * list when tracing is on.
 */
export function useTracing(): Plugin {
  const phase = <T>(name: string, wrapped: () => T): T =>
    tracer().startActiveSpan(name, (span: Span) => {
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
      parse: (_, wrapped) => phase('graphql.parse', wrapped),
      validate: (_, wrapped) => phase('graphql.validate', wrapped),
      execute: (_, wrapped) => phase('graphql.execute', wrapped),
    },
  };
}
