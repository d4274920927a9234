import type { Plugin } from 'graphql-yoga';
import { varyWith } from '../http/encoding.js';

export interface CacheHeadersOptions {
  /** Path of the GraphQL endpoint: its answers are the caller's own. */
  graphqlEndpoint: string;
  /** Whether answers depend on the `Origin` header (CORS on): shared caches must key on it. */
  cors: boolean;
}

/**
 * Every GraphQL answer belongs to its caller (it is read with the caller's credential headers, which a
 * shared cache does not know to key on), so none may be kept by a proxy or a CDN: `private, no-store`,
 * unless an earlier plugin said otherwise (the response cache's `private, no-cache` with its ETag).
 * With CORS on, the CORS headers vary by `Origin`, so every answer says so.
 */
export function useCacheHeaders({ graphqlEndpoint, cors }: CacheHeadersOptions): Plugin {
  return {
    onResponse({ request, response }) {
      if (cors) response.headers.set('vary', varyWith(response.headers.get('vary'), 'Origin'));
      if (response.headers.has('cache-control') || !onEndpoint(request.url, graphqlEndpoint)) return;
      response.headers.set('cache-control', 'private, no-store');
    },
  };
}

function onEndpoint(url: string, endpoint: string): boolean {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start === -1) return false;
  const end = url.indexOf('?', start);
  return (end === -1 ? url.slice(start) : url.slice(start, end)) === endpoint;
}
