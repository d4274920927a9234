import { decodeGlobalID } from '@pothos/plugin-relay';
import type { GraphQLError } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';
import { UpstreamError } from '../sources/errors.js';

/** An argument the gateway itself refuses, before asking any upstream. */
export function badInput(message: string): GraphQLError {
  return createGraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

/** Decodes a Relay global id, turning a malformed one into BAD_USER_INPUT instead of a masked crash. */
export function decodeId(globalId: string): { typename: string; id: string } {
  try {
    const decoded = decodeGlobalID(globalId);
    if (!decoded.typename || decoded.id === '') throw new Error('empty part');
    return decoded;
  } catch {
    throw badInput(`Invalid global id ${JSON.stringify(globalId)}.`);
  }
}

/**
 * The one place where source errors become client errors. An UpstreamError keeps its message and gains
 * `extensions.code`, and, when a call was made, `extensions.upstream` with the path (never the query
 * string or a credential). Errors the gateway raised on purpose pass through; anything else is a bug and
 * is masked by Yoga's default.
 */
export function toClientError(error: GraphQLError): GraphQLError | null {
  const original = error.originalError;
  if (!(original instanceof UpstreamError)) return null;
  const extensions: Record<string, unknown> = { code: original.code, source: original.source };
  if (original.call) {
    extensions.upstream = { source: original.source, ...original.call };
  }
  if (original.retryAfter !== null) extensions.retryAfter = original.retryAfter;
  return createGraphQLError(original.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions,
  });
}
