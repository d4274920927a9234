import { type ExecutionResult, GraphQLError } from 'graphql';
import type { GraphQLParams } from 'graphql-yoga';
import type { HeaderReader, OutgoingHeaders } from './exchange.js';

// GraphQL over HTTP as Yoga answers it, for the requests the fast path serves itself. Each rule here
// mirrors Yoga 5's (named beside it), and test/operations/differential.test.ts holds the two paths to the same bytes.

/** The answer types of a single (non-streamed) result, the ones the fast path serves. */
export type RegularMediaType = 'application/json' | 'application/graphql-response+json';

/**
 * The media type Yoga's result processors would pick for a single result (Yoga's
 * getMediaTypesForRequestInOrder and useResultProcessors: the last matching pair wins, over the Accept
 * list read back to front), or null when none would; `offered` is what a 406 lists.
 */
export function negotiate(accept: string | null): { chosen: string | null; offered: string[] } {
  const key = accept ?? '';
  let found = negotiated.get(key);
  if (!found) {
    found = negotiateAfresh(accept);
    // Clients send one Accept header each, so a handful are seen; a client varying it is only forgotten.
    if (negotiated.size >= 64) negotiated.clear();
    negotiated.set(key, found);
  }
  return found;
}

const negotiated = new Map<string, { chosen: string | null; offered: string[] }>();

function negotiateAfresh(accept: string | null): { chosen: string | null; offered: string[] } {
  const asked: string[] = [];
  for (const entry of (accept || '*/*').replace(/\s/g, '').toLowerCase().split(',')) {
    const [mediaType = '', ...params] = entry.split(';');
    const charset = params.find((p) => p.includes('charset=')) ?? 'charset=utf-8';
    if (charset === 'charset=utf-8') asked.push(mediaType);
  }
  asked.reverse();
  let chosen: string | null = null;
  const offered: string[] = [];
  for (const processor of [
    ['text/event-stream'],
    ['multipart/mixed'],
    ['application/graphql-response+json', 'application/json'],
  ]) {
    for (const mediaType of asked) {
      for (const candidate of processor) {
        offered.push(candidate);
        if (matches(candidate, mediaType)) chosen = candidate;
      }
    }
  }
  return { chosen, offered };
}

/** The media type of a single JSON answer, or null when Yoga would answer in parts or with a 406. */
export function regularMediaType(accept: string | null): RegularMediaType | null {
  const { chosen } = negotiate(accept);
  return chosen === 'application/json' || chosen === 'application/graphql-response+json' ? chosen : null;
}

/** Yoga's answer when no result processor takes the Accept header: 406, listing what it offers. */
export function notAcceptable(offered: string[]): { status: 406; headers: OutgoingHeaders } {
  return { status: 406, headers: { accept: offered.join('; charset=utf-8, ') } };
}

/** Whether an offered type falls under an asked one, whose type or subtype may be a wildcard. */
function matches(offered: string, asked: string): boolean {
  const [askedType, askedSub] = asked.split('/');
  const [type, sub] = offered.split('/');
  return (askedType === '*' || askedType === type) && (askedSub === '*' || askedSub === sub);
}

const PARAM_KEYS = new Set(['query', 'variables', 'operationName', 'extensions', 'documentId']);

/**
 * The parameters of one operation, when they are plain enough for the fast path: a JSON object with
 * only the known keys, each of its type. Anything else is handed to Yoga, which answers it as it always has.
 */
export function plainParams(value: unknown): GraphQLParams | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const params = value as Record<string, unknown>;
  for (const key in params) if (!PARAM_KEYS.has(key)) return null;
  const { query, variables, operationName, extensions, documentId } = params;
  if (query != null && typeof query !== 'string') return null;
  if (operationName != null && typeof operationName !== 'string') return null;
  if (documentId != null && typeof documentId !== 'string') return null;
  if (variables != null && !isObject(variables)) return null;
  if (extensions != null && !isObject(extensions)) return null;
  if (query == null && documentId == null && extensions == null) return null;
  return params as GraphQLParams;
}

/** The parameters of a GET's query string, as Yoga's GET parser reads them (plus `documentId`). */
export function paramsOfSearch(search: string): GraphQLParams | null {
  const found = new URLSearchParams(search);
  const params: Record<string, unknown> = {};
  try {
    for (const [key, value] of found) {
      if (!PARAM_KEYS.has(key) || key in params) return null;
      params[key] = key === 'variables' || key === 'extensions' ? JSON.parse(value) : value;
    }
  } catch {
    return null;
  }
  return plainParams(params);
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface HttpExtension {
  status?: number;
  headers?: Record<string, string>;
  spec?: boolean;
}

/**
 * The status and headers of an answer, by Yoga's getResponseInitByRespectingErrors and
 * processRegularResult: an error's `extensions.http` sets the status (the highest wins) and headers;
 * with `application/json` a spec error does not, and a result of GraphQL errors only answers 200.
 */
export function responseInit(
  result: ExecutionResult | ExecutionResult[],
  mediaType: RegularMediaType,
): { status: number; headers: OutgoingHeaders } {
  const headers: OutgoingHeaders = { 'content-type': `${mediaType}; charset=utf-8` };
  if (Array.isArray(result)) return { status: 200, headers };
  const json =
    mediaType === 'application/json' &&
    (result.errors ?? []).some((e) => e instanceof GraphQLError) &&
    (result.errors ?? []).some((e) => {
      const original = e.extensions?.originalError;
      return !original || original instanceof GraphQLError;
    });
  let status: number | undefined;
  let unexpected = false;
  const http = result.extensions?.http as HttpExtension | undefined;
  if (http?.headers) Object.assign(headers, http.headers);
  if (http?.status) status = http.status;
  if (result.errors?.length) {
    for (const error of result.errors) {
      const errorHttp = error.extensions?.http as HttpExtension | undefined;
      if (errorHttp) {
        if (errorHttp.headers) Object.assign(headers, errorHttp.headers);
        if (json && errorHttp.spec) continue;
        if (errorHttp.status && (!status || errorHttp.status > status)) status = errorHttp.status;
      } else if (!isOriginalGraphQLError(error) || error.extensions?.unexpected) {
        unexpected = true;
      }
    }
  } else {
    status ||= 200;
  }
  if (!status) status = unexpected && !('data' in result) ? 500 : 200;
  return { status, headers };
}

function isOriginalGraphQLError(error: unknown): boolean {
  if (!(error instanceof GraphQLError)) return false;
  return error.originalError ? isOriginalGraphQLError(error.originalError) : true;
}

/**
 * The answer's JSON, without the internals Yoga strips (Yoga's jsonStringifyResultWithoutInternals):
 * `extensions.http` of the result and of each error, and an error's `unexpected` flag.
 */
export function serializeResult(result: ExecutionResult | ExecutionResult[]): string {
  if (Array.isArray(result)) return `[${result.map(serializeOne).join(',')}]`;
  return serializeOne(result);
}

function serializeOne(result: ExecutionResult): string {
  if (!result.errors?.length && !result.extensions?.http) return JSON.stringify(result);
  const clean: Record<string, unknown> = { ...result };
  if (result.errors) clean.errors = result.errors.map(cleanError);
  if (result.extensions) {
    const { http: _http, ...extensions } = result.extensions;
    clean.extensions = Object.keys(extensions).length ? extensions : undefined;
  }
  return JSON.stringify(clean);
}

function cleanError(error: GraphQLError | Error): unknown {
  if (!(error instanceof GraphQLError)) return error;
  const json = error.toJSON() as { extensions?: Record<string, unknown> };
  if (!json.extensions) return json;
  const { http: _http, unexpected: _unexpected, ...extensions } = json.extensions;
  return { ...json, extensions: Object.keys(extensions).length ? extensions : undefined };
}

/** Whether a request's headers carry one of `names` (a header a page cannot set without a preflight). */
export function hasAny(headers: HeaderReader, names: readonly string[]): boolean {
  for (const name of names) if (headers.has(name)) return true;
  return false;
}
