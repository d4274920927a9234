import { createHash } from 'node:crypto';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import type { PersistedOperationsConfig } from '../config.js';
import { refusal } from '../errors.js';
import type { OperationStore } from '../stores/operation-store.js';

/** The hash of Apollo's APQ extension, `{ persistedQuery: { version: 1, sha256Hash } }`, if well-formed. */
function apqHash(params: GraphQLParams): string | null {
  const pq = (
    params.extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } | undefined
  )?.persistedQuery;
  return pq?.version === 1 && typeof pq.sha256Hash === 'string' && /^[0-9a-f]{64}$/.test(pq.sha256Hash)
    ? pq.sha256Hash
    : null;
}

/**
 * The `documentId` of a GraphQL-over-HTTP persisted-document request: a field of a POST body, or a
 * parameter of a GET's query string (which Yoga's GET parser does not carry over).
 */
function documentIdOf(params: GraphQLParams, request: { method: string; url: string }): unknown {
  const fromBody = (params as { documentId?: unknown }).documentId;
  if (fromBody !== undefined || request.method !== 'GET') return fromBody;
  const query = request.url.indexOf('?');
  return query === -1
    ? undefined
    : (new URLSearchParams(request.url.slice(query)).get('documentId') ?? undefined);
}

function refused(
  code: 'PERSISTED_QUERY_ONLY' | 'PERSISTED_QUERY_NOT_IN_LIST' | 'BAD_USER_INPUT',
  message: string,
) {
  return refusal(code, message, 400);
}

/** The exact message Apollo's PersistedQueryLink (and every APQ client) waits for before resending. */
const notRegistered = () => refusal('PERSISTED_QUERY_NOT_FOUND', 'PersistedQueryNotFound', null);

/** What the front door's fast path needs of persisted operations, beside the plugins for Yoga's path. */
export interface PersistedOperations {
  /** The plugins: Yoga's onParams (the same `resolve`) and the registration after validation. */
  plugins: Plugin[];
  /**
   * The operation text `params` ask for: new params when they name a stored or trusted document, null
   * when they carry their own text (and, with a hash, are registered once `context` validates), or the
   * error the client must see. Synchronous but for a registry read.
   */
  resolve(
    params: GraphQLParams,
    request: { method: string; url: string },
    context: object,
  ): GraphQLParams | Promise<GraphQLParams> | null;
  /** The registration `request` made, to be awaited before it answers (a replica may be asked next). */
  settled(request: object): Promise<void> | undefined;
}

/**
 * Persisted operations, in one of two modes (PERSISTED_OPERATIONS), plus the manifest's trusted
 * documents in both:
 *
 * - `documentId` (the GraphQL-over-HTTP persisted-documents convention that Relay, Hive and GraphQL
 *   Code Generator's client preset send), in a POST body or a GET's query string, runs the manifest's
 *   document of that id (`sha256:<hex>`, or the bare hex).
 * - `apq`: Apollo's automatic persisted queries. A request carrying only a hash runs the operation
 *   registered under it, or answers `PersistedQueryNotFound`, upon which Apollo Client's
 *   PersistedQueryLink resends the hash with the query; that request registers it once it has
 *   validated. Ad-hoc operations still run.
 * - `only`: trusted documents. Only the manifest's documents run, by `documentId` or by their APQ hash;
 *   any other operation is refused, and nothing can be registered.
 */
export function persistedOperations(
  config: PersistedOperationsConfig,
  store: OperationStore,
): PersistedOperations {
  const trusted = (id: string) =>
    config.documents.get(id) ??
    (/^[0-9a-f]{64}$/.test(id) ? config.documents.get(`sha256:${id}`) : undefined);
  const only = config.mode === 'only';
  // Registrations wait for validation: only an operation that would run is stored, so the registry
  // cannot be filled with junk (and every stored text has passed the query limits).
  const pending = new WeakMap<object, { hash: string; query: string }>();
  const writes = new WeakMap<object, Promise<void>>();

  const lookup = (
    params: GraphQLParams,
    request: { method: string; url: string },
  ): GraphQLParams | Promise<GraphQLParams> | null => {
    const documentId = documentIdOf(params, request);
    if (documentId !== undefined) {
      if (typeof documentId !== 'string' || params.query) {
        throw refused('BAD_USER_INPUT', 'Send a documentId (a string) or a query, not both.');
      }
      const document = trusted(documentId);
      if (document === undefined) {
        throw refused('PERSISTED_QUERY_NOT_IN_LIST', 'No trusted document has this documentId.');
      }
      return withQuery(params, document);
    }
    const hash = apqHash(params);
    if (only) {
      if (params.query || !hash) {
        throw refused(
          'PERSISTED_QUERY_ONLY',
          'Only trusted documents run here: send the documentId of an operation in the manifest, not its text.',
        );
      }
      const document = trusted(hash);
      if (document === undefined) {
        throw refused('PERSISTED_QUERY_NOT_IN_LIST', 'No trusted document has this documentId.');
      }
      return withQuery(params, document);
    }
    if (params.query) return null;
    if (!hash) throw refused('BAD_USER_INPUT', 'Must provide a query string or a persisted query hash.');
    const document = trusted(hash);
    if (document !== undefined) return withQuery(params, document);
    return store.get(hash).then((registered) => {
      if (registered === null) throw notRegistered();
      return withQuery(params, registered);
    });
  };

  const resolve: PersistedOperations['resolve'] = (params, request, context) => {
    if (config.mode === 'off') return null;
    const resolved = lookup(params, request);
    if (resolved) return resolved;
    const hash = apqHash(params);
    if (!hash || !params.query) return null;
    if (createHash('sha256').update(params.query).digest('hex') !== hash) {
      throw refused(
        'BAD_USER_INPUT',
        'The persisted query hash does not match the query (sha256 of its text).',
      );
    }
    pending.set(context, { hash, query: params.query });
    return null;
  };

  const plugins: Plugin[] =
    config.mode === 'off'
      ? []
      : [
          {
            onParams({ params, request, context, setParams }) {
              const resolved = resolve(params, request, context);
              if (resolved instanceof Promise) return resolved.then(setParams);
              if (resolved) setParams(resolved);
            },
            onValidate({ context }) {
              const registration = pending.get(context);
              if (!registration) return;
              return ({ valid }) => {
                if (valid) writes.set(context.request, store.set(registration.hash, registration.query));
              };
            },
            onResultProcess({ request }) {
              return writes.get(request);
            },
          },
        ];
  return { plugins, resolve, settled: (request) => writes.get(request) };
}

/** `params` with the stored operation text and without `documentId`, which Yoga would refuse. */
function withQuery(params: GraphQLParams, query: string): GraphQLParams {
  return {
    query,
    operationName: params.operationName,
    variables: params.variables,
    extensions: params.extensions,
  };
}
