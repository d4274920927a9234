import { createHash } from 'node:crypto';
import { getDocumentString } from '@envelop/core';
import { type Cache, useResponseCache } from '@envelop/response-cache';
import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { print } from 'graphql';
import type { GraphQLParams, Plugin, YogaInitialContext } from 'graphql-yoga';
import type { Config, ResponseCacheConfig } from '../config.js';
import type { Context } from '../context.js';
import { addResponseHeaders, cachedAnswerHeaders, revalidate } from '../http/conditional.js';
import { parseMemberKey } from '../sources/matatika/client.js';
import { SOURCES } from '../sources/registry.js';
import { CALLER_ENTITY, type Entity } from '../stores/entities.js';
import { type ResponseStore, responseKey } from '../stores/response-store.js';
import { scopeHasher } from '../stores/scopes.js';
import { withoutCost } from './use-cost-limit.js';

/**
 * The caller's cache scope: an HMAC, under a server secret, of every credential header any source could
 * read. Two callers share a scope only when they send the very same credentials, so they could read the
 * very same data; a credential never appears in a key, in memory or in Redis, and without the secret a
 * scope cannot be computed from a token, nor a token guessed from a scope.
 */
export function callerScope(
  config: Config,
  secret: Buffer,
  /** More headers that tell callers apart (the gateway's own token, for rate limits). */
  extraHeaders: readonly string[] = [],
): (request: ScopedRequest) => string {
  const headers = [...SOURCES.map((s) => config.sources[s].tokenHeader), ...extraHeaders];
  const hash = scopeHasher(secret);
  const scopes = new WeakMap<ScopedRequest, string>();
  return (request) => {
    let scope = scopes.get(request);
    if (scope === undefined) {
      // Header values cannot hold a newline, so this encoding is unambiguous.
      let text = '';
      for (const name of headers) text += `${name}\n${request.headers.get(name) ?? ''}\n`;
      scope = hash(text);
      scopes.set(request, scope);
    }
    return scope;
  };
}

/** Whatever carries a request's headers: a fetch Request, or the front door's exchange. */
export interface ScopedRequest {
  headers: { get(name: string): string | null };
}

/** The key of one caller's answer to one operation: the scope, then a hash of the text, name and variables. */
export function operationKey(
  scope: string,
  operation: { query?: string | null; operationName?: string | null; variables?: unknown },
): string {
  return responseKey(
    scope,
    createHash('sha256')
      .update(
        `${operation.query ?? ''}|${operation.operationName ?? ''}|${JSON.stringify(operation.variables ?? {})}`,
      )
      .digest('hex'),
  );
}

/**
 * A Member is the reduced view of a profile (its name and handle are the profile's), and its id is the
 * profile's id. So an answer holding a member is also filed under that profile, and a change to the
 * profile (upsertProfile) drops every member list showing it, whoever cached it.
 */
export function withMemberProfiles(entities: Iterable<Entity>): Entity[] {
  const all = [...entities];
  const profiles: Entity[] = [];
  for (const { typename, id } of all) {
    if (typename !== 'Member' || typeof id !== 'string') continue;
    const member = parseMemberKey(decodeGlobalIdOrEmpty(id));
    if (member) profiles.push({ typename: 'Profile', id: encodeGlobalID('Profile', member.memberId) });
  }
  return profiles.length === 0 ? all : [...all, ...profiles];
}

function decodeGlobalIdOrEmpty(id: string): string {
  try {
    return decodeGlobalID(id).id;
  } catch {
    return '';
  }
}

/**
 * Caches whole answers per caller (Envelop's response cache, as an Envelop plugin so that it runs
 * wherever the enveloped execute runs), on when RESPONSE_CACHE_TTL_MS is set:
 * - the key is the caller's scope plus a hash of the operation text, its name and its variables;
 * - an answer with any error is never cached, whatever its code, so a failure (UNAUTHENTICATED, a
 *   timeout) is never replayed, to its caller or anyone;
 * - an answer lives as long as the shortest TTL of the types it holds (RESPONSE_CACHE_TTL_PER_TYPE);
 * - a mutation of this gateway drops, before it answers, every answer holding what it changed (see
 *   Context.changed) and everything its caller has cached, on every replica when the store is Redis.
 *   Envelop's own invalidation (the entities in the mutation's answer) runs too, without being awaited;
 * - a request reads the store once at most, conditional (If-None-Match) or not.
 */
export function useCallerResponseCache(
  config: Config,
  options: ResponseCacheConfig,
  store: ResponseStore,
): Plugin[] {
  const scopeOf = callerScope(config, options.secret);
  const cache: Cache = {
    get: (key) => store.get(key),
    set: (key, result, entities, ttl) =>
      store.set(key, withoutCost(result), withMemberProfiles(entities), ttl),
    invalidate: (entities) => store.invalidate(entities),
  };
  // For a request whose one read the conditional check already spent, and missed.
  const alreadyMissed: Cache = { ...cache, get: () => null };
  // By request: only a GET is revalidated, and a GET carries one operation (batches are POSTs).
  const lookedUp = new WeakSet<Request>();
  const notModified = new WeakMap<Request, Record<string, string>>();
  return [
    useResponseCache<Context & YogaInitialContext>({
      session: (context) => scopeOf(context.request),
      cache: (context) => (lookedUp.has((context as YogaInitialContext).request) ? alreadyMissed : cache),
      ttl: options.ttlMs,
      ttlPerSchemaCoordinate: options.ttlPerType,
      // The text as the client sent it (or as APQ resolved it), as the conditional check hashes it.
      getDocumentString: (args) =>
        (args.contextValue as YogaInitialContext).params?.query ?? getDocumentString(args.document, print),
      buildResponseCacheKey: ({ documentString, operationName, variableValues, sessionId }) =>
        operationKey(sessionId as string, {
          query: documentString,
          operationName,
          variables: variableValues,
        }),
      shouldCacheResult: ({ cacheKey, result }) => {
        if (result.errors?.length) return false;
        // Stored with the answer, so a hit carries the same validators as the answer that filled it.
        addResponseHeaders(result, cachedAnswerHeaders(cacheKey, new Date()));
        return true;
      },
      // Hit/miss and invalidated entities stay out of answers, whatever NODE_ENV says.
      includeExtensionMetadata: false,
    }) as Plugin,
    {
      onExecute({ args }) {
        const context = args.contextValue as Context & YogaInitialContext;
        return {
          // Awaited before the answer leaves, so the next request, on any replica, already misses.
          onExecuteDone() {
            if (context.changed.length === 0) return;
            return store.invalidate([
              ...context.changed,
              { typename: CALLER_ENTITY, id: scopeOf(context.request) },
            ]);
          },
        };
      },
    },
    {
      // After the CSRF check (onRequestParse) and APQ (whose onParams resolves the text).
      onParams({ params, request, setResult }) {
        const ifNoneMatch = request.headers.get('if-none-match');
        if (ifNoneMatch === null) return;
        const key = operationKey(scopeOf(request), params as GraphQLParams);
        return revalidate({ method: request.method, ifNoneMatch, key }, (k) => store.get(k)).then(
          (revalidation) => {
            if (revalidation.status === 304) {
              notModified.set(request, revalidation.headers);
              setResult(revalidation.cached);
            } else if (revalidation.lookedUp) {
              lookedUp.add(request);
            }
          },
        );
      },
      onResultProcess({ request, setResultProcessor }) {
        const headers = notModified.get(request);
        if (headers)
          setResultProcessor(
            (_result, fetchAPI) => new fetchAPI.Response(null, { status: 304, headers }),
            'application/json',
          );
      },
    },
  ];
}
