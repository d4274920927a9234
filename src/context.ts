import type { GraphQLError } from 'graphql';
import type { Config } from './config.js';
import type { HeaderReader } from './http/exchange.js';
import { RequestBudget } from './sources/budget.js';
import { RequestClients, type SourceClients, type Upstreams } from './sources/index.js';
import type { Entity } from './stores/response-store.js';
import type { RequestScope } from './telemetry/scope.js';

/**
 * Everything a resolver may use, built fresh for every operation: each source's client bound to this
 * caller's credential, each owning the operation's one cache of its resources. Nothing here outlives the
 * request, so nothing is ever shared between two callers.
 */
export interface Context {
  /** The sources' clients, each built on first use (Yoga copies the context's own properties, hence one object). */
  sources: SourceClients;
  /** Errors of fields that still answered (a failed list answers an empty connection); see useFieldErrors. */
  fieldErrors: GraphQLError[];
  /**
   * What this request's mutations changed, as response-cache entities (a type, or one object by its
   * global id): the response cache drops the answers that hold them before the mutation answers.
   */
  changed: Entity[];
}

/** What an operation's context is built from: the request, and what the front door opened for it. */
export interface InitialContext {
  request: { headers: HeaderReader; signal: AbortSignal };
  /** The request's id and counters (absent for a context built outside the front door). */
  scope?: RequestScope;
  /** The budget of a batched request, shared by its operations; otherwise each operation opens one. */
  budget?: RequestBudget;
}

/** One request's upstream budget (MAX_UPSTREAM_CALLS, REQUEST_TIMEOUT_MS, the client's signal). */
export function requestBudget(config: Config, signal: AbortSignal | null, scope: RequestScope | null) {
  return new RequestBudget(config.maxUpstreamCalls, config.requestTimeoutMs, signal, scope);
}

export function createContextFactory(config: Config, upstreams: Upstreams) {
  return ({ request, scope, budget }: InitialContext): Context => ({
    sources: new RequestClients(
      config,
      upstreams,
      request.headers,
      budget ?? requestBudget(config, request.signal, scope ?? null),
    ),
    fieldErrors: [],
    changed: [],
  });
}
