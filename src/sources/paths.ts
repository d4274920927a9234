import { InputError } from '../errors.js';
import type { SourceName } from './registry.js';

/**
 * A path the gateway may request, built by `pathOf` from a fixed template. The brand keeps a raw client
 * string from reaching a request by accident; upsun's links pass only a vetted query string (`search`).
 */
export type UpstreamPath = string & { readonly __upstreamPath: unique symbol };

/** With the u flag a pair is one code point, so only an unpaired half matches. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/** Longest id the gateway sends upstream; real ids (Auth0 subjects, UUIDs, ULIDs) are under 100. */
export const MAX_ID_LENGTH = 256;

/**
 * Checks one id before it goes into a path: `.`, `..` and empty ids would be folded away by URL parsers,
 * a lone surrogate cannot be percent-encoded (encodeURIComponent throws), and an over-long id is only
 * ever an attack on the upstream's router. Returns the error instead of throwing so that a batch can
 * fail just that key.
 */
export function idProblem(id: string, source: SourceName | null = null): InputError | null {
  if (id === '' || id === '.' || id === '..') {
    return new InputError(`Invalid id ${JSON.stringify(id)}: ids must not be empty, "." or "..".`, source);
  }
  if (id.length > MAX_ID_LENGTH) {
    return new InputError(`Invalid id: longer than ${MAX_ID_LENGTH} characters.`, source);
  }
  if (LONE_SURROGATE.test(id)) {
    return new InputError('Invalid id: it holds an unpaired UTF-16 surrogate.', source);
  }
  return null;
}

/**
 * Builds a path from literal segments and ids, each id percent-encoded as exactly one segment, so that
 * `a/b`, `a?b#c` or `auth0|x` can never add a segment, a query or a fragment. Ids that a URL parser would
 * fold away (`.`, `..`, empty), over-long ids and lone surrogates are refused before any request.
 */
export function pathOf(source: SourceName, ...segments: Array<string | { id: string }>): UpstreamPath {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'string') {
      path += `/${segment}`;
      continue;
    }
    const problem = idProblem(segment.id, source);
    if (problem) throw problem;
    path += `/${encodeURIComponent(segment.id)}`;
  }
  return path as UpstreamPath;
}

/** A query string (`?…`) from parameters, form-encoded, leaving undefined ones out; '' when there are none. */
export function queryString(query: Record<string, string | number | undefined> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}
