import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { BatchBudgets } from '../context.js';

export interface BatchingOptions {
  /** Most operations in one batched request (a JSON array of operations); 0 refuses batches. */
  maxOperations: number;
  /** Where a batch's shared upstream budget is opened. */
  budgets: BatchBudgets;
}

/**
 * Request batching (Yoga's `batching`), bounded: a batch over `maxOperations` is refused with
 * LIMIT_EXCEEDED before any operation runs, and the operations of an accepted batch share the one
 * request's upstream budget (MAX_UPSTREAM_CALLS, REQUEST_TIMEOUT_MS), so batching multiplies neither.
 */
export function useBatching({ maxOperations, budgets }: BatchingOptions): Plugin {
  return {
    onRequestParse({ request }) {
      return {
        onRequestParseDone({ requestParserResult }) {
          if (!Array.isArray(requestParserResult) || maxOperations === 0) return;
          if (requestParserResult.length > maxOperations) {
            throw createGraphQLError(
              `A batch may hold at most ${maxOperations} operations (MAX_BATCH_OPERATIONS); this one holds ${requestParserResult.length}.`,
              { extensions: { code: 'LIMIT_EXCEEDED', http: { status: 400 } } },
            );
          }
          budgets.open(request);
        },
      };
    },
  };
}
