import type { GraphQLError } from 'graphql';
import type { Entity } from './cache/response-store.js';
import type { Config } from './config.js';
import { RequestBudget } from './sources/budget.js';
import { RequestClients, type SourceClients, type Upstreams } from './sources/index.js';
import { scopeOf } from './telemetry/scope.js';

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

/**
 * The operations of one batched request (a JSON array) draw on one upstream budget, so that a batch
 * of ten costs what one request may cost, not ten times that. Only batched requests are entered here.
 */
export class BatchBudgets {
  private readonly budgets = new WeakMap<Request, RequestBudget>();

  constructor(private readonly config: Config) {}

  /** Called when a request turns out to be a batch: its operations will share one budget. */
  open(request: Request): void {
    const { maxUpstreamCalls, requestTimeoutMs } = this.config;
    this.budgets.set(
      request,
      new RequestBudget(maxUpstreamCalls, requestTimeoutMs, request.signal, scopeOf(request) ?? null),
    );
  }

  of(request: Request): RequestBudget | undefined {
    return this.budgets.get(request);
  }
}

export function createContextFactory(config: Config, upstreams: Upstreams, batches: BatchBudgets) {
  return ({ request }: { request: Request }): Context => ({
    sources: new RequestClients(
      config,
      upstreams,
      request.headers,
      request.signal,
      scopeOf(request) ?? null,
      batches.of(request),
    ),
    fieldErrors: [],
    changed: [],
  });
}
