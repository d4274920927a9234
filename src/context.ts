import type { GraphQLError } from 'graphql';
import type { Entity } from './cache/response-store.js';
import type { Config } from './config.js';
import { RequestClients, type SourceClients, type Upstreams } from './sources/index.js';
import { scopeOf } from './telemetry/scope.js';

/**
 * Everything a resolver may use, built fresh for every request: each source's client bound to this
 * caller's credential, and (through the dataloader plugin, which caches per context object) fresh
 * loaders. Nothing here outlives the request, so nothing is ever shared between two callers.
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

export function createContextFactory(config: Config, upstreams: Upstreams) {
  return ({ request }: { request: Request }): Context => ({
    sources: new RequestClients(config, upstreams, request.headers, request.signal, scopeOf(request) ?? null),
    fieldErrors: [],
    changed: [],
  });
}
