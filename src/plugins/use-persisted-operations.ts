import { createHash } from 'node:crypto';
import { usePersistedOperations as useYogaPersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { createGraphQLError, type GraphQLParams, type Plugin } from 'graphql-yoga';
import type { OperationStore } from '../cache/operation-store.js';
import type { PersistedOperationsConfig } from '../config.js';

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
 * Persisted operations, in one of two modes (PERSISTED_OPERATIONS):
 *
 * - `apq`: Apollo's automatic persisted queries. A request carrying only a hash runs the operation
 *   registered under it, or answers `PersistedQueryNotFound`, upon which Apollo Client's
 *   PersistedQueryLink resends the hash with the query; that request registers it. Ad-hoc operations
 *   still run.
 * - `only`: trusted documents. Only the manifest's documents run, asked for by `documentId` (what GraphQL
 *   Code Generator's client preset sends) or by an APQ hash; any other operation is refused, and nothing
 *   can be registered.
 *
 * Yoga's plugin looks operations up; registering them (APQ's second request) is the glue below.
 */
export function usePersistedOperations(config: PersistedOperationsConfig, store: OperationStore): Plugin[] {
  if (config.mode === 'off') return [];
  if (config.mode === 'only') {
    return [
      useYogaPersistedOperations({
        allowArbitraryOperations: false,
        extractPersistedOperationId: (params) => {
          const documentId = (params as { documentId?: unknown }).documentId;
          if (typeof documentId === 'string') return documentId;
          const hash = apqHash(params);
          return hash ? `sha256:${hash}` : null;
        },
        getPersistedOperation: (id) => config.documents.get(id) ?? null,
        customErrors: {
          persistedQueryOnly: refused(
            'PERSISTED_QUERY_ONLY',
            'Only trusted documents run here: send the documentId of an operation in the manifest, not its text.',
          ),
          keyNotFound: refused(
            'PERSISTED_QUERY_ONLY',
            'Only trusted documents run here: send the documentId of an operation in the manifest.',
          ),
          notFound: refused('PERSISTED_QUERY_NOT_IN_LIST', 'No trusted document has this documentId.'),
        },
      }),
    ];
  }
  // Registrations wait for validation: only an operation that would run is stored, so the registry
  // cannot be filled with junk (and every stored text has passed the query limits).
  const pending = new WeakMap<object, { hash: string; query: string }>();
  // The store's write, awaited before the answer leaves: a replica asked for the hash right after must find it.
  const writes = new WeakMap<Request, Promise<void>>();
  const register: Plugin = {
    onParams({ params, context }) {
      const hash = apqHash(params);
      if (!hash || !params.query) return;
      if (createHash('sha256').update(params.query).digest('hex') !== hash) {
        throw createGraphQLError('The persisted query hash does not match the query (sha256 of its text).', {
          extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
        });
      }
      pending.set(context, { hash, query: params.query });
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
  };
  return [
    useYogaPersistedOperations({
      allowArbitraryOperations: true,
      extractPersistedOperationId: apqHash,
      getPersistedOperation: (hash) => store.get(hash),
      customErrors: {
        // The exact message Apollo's PersistedQueryLink (and every APQ client) waits for before resending.
        notFound: { message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } },
        keyNotFound: {
          message: 'Must provide a query string or a persisted query hash.',
          extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
        },
      },
    }),
    register,
  ];
}

function refused(code: string, message: string) {
  return { message, extensions: { code, http: { status: 400 } } };
}
