import type { Plugin } from 'graphql-yoga';
import { refusal } from '../errors.js';
import type { RequestBudget } from '../sources/budget.js';
import type { RequestScope } from '../telemetry/scope.js';

export interface BatchingOptions {
  /** Most operations in one batched request (a JSON array of operations); 0 refuses batches. */
  maxOperations: number;
  /** A fresh budget for the request, shared by its operations. */
  budget(signal: AbortSignal, scope: RequestScope | null): RequestBudget;
}

/** The refusal of a batch over the limit, before any of its operations runs. */
export function batchTooLarge(maxOperations: number, size: number) {
  return refusal(
    'LIMIT_EXCEEDED',
    `A batch may hold at most ${maxOperations} operations (MAX_BATCH_OPERATIONS); this one holds ${size}.`,
    400,
  );
}

/**
 * Request batching (Yoga's `batching`), bounded: a batch over `maxOperations` is refused with
 * LIMIT_EXCEEDED before any operation runs, and the operations of an accepted batch share the one
 * request's upstream budget (MAX_UPSTREAM_CALLS, REQUEST_TIMEOUT_MS), so batching multiplies neither.
 * Yoga builds each operation's context on the server context, so a budget put there is seen by all.
 */
export function useBatching({ maxOperations, budget }: BatchingOptions): Plugin {
  return {
    onRequestParse({ request, serverContext }) {
      return {
        onRequestParseDone({ requestParserResult }) {
          if (!Array.isArray(requestParserResult) || maxOperations === 0) return;
          if (requestParserResult.length > maxOperations)
            throw batchTooLarge(maxOperations, requestParserResult.length);
          const shared = serverContext as { scope?: RequestScope; budget?: RequestBudget };
          shared.budget = budget(request.signal, shared.scope ?? null);
        },
      };
    },
  };
}
