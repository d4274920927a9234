import type { GraphQLError } from 'graphql';
import type { Config } from './config.js';
import { clientsFor, type SourceClients, type Upstreams } from './sources/index.js';

/**
 * Everything a resolver may use, built fresh for every request: each source's client bound to this
 * caller's credential, and (through the dataloader plugin, which caches per context object) fresh
 * loaders. Nothing here outlives the request, so nothing is ever shared between two callers.
 */
export interface Context extends SourceClients {
  /** Errors of fields that still answered (a failed list answers an empty connection); see useFieldErrors. */
  fieldErrors: GraphQLError[];
}

export function createContextFactory(config: Config, upstreams: Upstreams) {
  return ({ request }: { request: Request }): Context => ({
    ...clientsFor(config, upstreams, request.headers),
    fieldErrors: [],
  });
}
