import { createHash, createHmac } from 'node:crypto';
import { type Cache, useResponseCache } from '@graphql-yoga/plugin-response-cache';
import type { Plugin, YogaInitialContext } from 'graphql-yoga';
import { CALLER_ENTITY, type Entity, responseKey } from '../cache/response-store.js';
import { type Config, type ResponseCacheConfig, SOURCES } from '../config.js';
import type { Context } from '../context.js';

/**
 * The caller's cache scope: an HMAC, under a server secret, of every credential header any source could
 * read. Two callers share a scope only when they send the very same credentials, so they could read the
 * very same data; a credential never appears in a key, in memory or in Redis, and without the secret a
 * scope cannot be computed from a token, nor a token guessed from a scope.
 */
export function callerScope(config: Config, secret: Buffer): (request: Request) => string {
  const headers = SOURCES.map((s) => config.sources[s].tokenHeader);
  const scopes = new WeakMap<Request, string>();
  return (request) => {
    let scope = scopes.get(request);
    if (scope === undefined) {
      const hmac = createHmac('sha256', secret);
      // Header values cannot hold a newline, so this encoding is unambiguous.
      for (const name of headers) hmac.update(`${name}\n${request.headers.get(name) ?? ''}\n`);
      scope = hmac.digest('base64url');
      scopes.set(request, scope);
    }
    return scope;
  };
}

/**
 * Caches whole answers per caller (Envelop's response cache, via Yoga's plugin), on when
 * RESPONSE_CACHE_TTL_MS is set:
 * - the key is the caller's scope plus a hash of the operation text, its name and its variables;
 * - an answer with any error is never cached, whatever its code, so a failure (UNAUTHENTICATED, a
 *   timeout) is never replayed, to its caller or anyone;
 * - an answer lives as long as the shortest TTL of the types it holds (RESPONSE_CACHE_TTL_PER_TYPE);
 * - a mutation of this gateway drops, before it answers, every answer holding what it changed (see
 *   Context.changed) and everything its caller has cached, on every replica when the store is Redis.
 *   Envelop's own invalidation (the entities in the mutation's answer) runs too, without being awaited.
 */
export function useCallerResponseCache(config: Config, options: ResponseCacheConfig, store: Cache): Plugin[] {
  const scopeOf = callerScope(config, options.secret);
  const invalidations = new WeakMap<Request, Promise<void>>();
  return [
    useResponseCache({
      session: scopeOf,
      cache: store,
      ttl: options.ttlMs,
      ttlPerSchemaCoordinate: options.ttlPerType,
      buildResponseCacheKey: ({ documentString, operationName, variableValues, sessionId }) =>
        responseKey(
          sessionId as string,
          createHash('sha256')
            .update(`${documentString}|${operationName ?? ''}|${JSON.stringify(variableValues ?? {})}`)
            .digest('hex'),
        ),
      shouldCacheResult: ({ result }) => !result.errors?.length,
      // Hit/miss and invalidated entities stay out of answers, whatever NODE_ENV says.
      includeExtensionMetadata: false,
    }),
    {
      onExecute({ args }) {
        const context = args.contextValue as Context & YogaInitialContext;
        return {
          onExecuteDone() {
            if (context.changed.length === 0) return;
            const entities: Entity[] = [
              ...context.changed,
              { typename: CALLER_ENTITY, id: scopeOf(context.request) },
            ];
            invalidations.set(context.request, Promise.resolve(store.invalidate(entities)));
          },
        };
      },
      // Awaited here, so the next request, on any replica, already misses.
      onResultProcess({ request }) {
        return invalidations.get(request);
      },
      // Yoga's plugin adds ETag and Last-Modified, from which an HTTP cache may decide on its own to keep
      // an answer; a shared one (a proxy, a CDN) that does not know our credential headers would then
      // serve one caller's answer to another, e.g. for GET /graphql?query=…. Only the caller's own
      // client may keep it, and must revalidate (If-None-Match, answered 304 from this cache).
      onResponse({ response }) {
        if (!response.headers.has('cache-control'))
          response.headers.set('cache-control', 'private, no-cache');
      },
    },
  ];
}
