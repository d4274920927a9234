import type { DocumentNode, GraphQLSchema } from 'graphql';

/** What a plugin computes for one operation of a parsed document, before it runs. */
export type OperationFact<T> = (
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
) => T;

const VARIES = Symbol('varies');

/**
 * `compute`, kept per parsed document and operation name: a repeated document (the document cache
 * hands back the same object) pays for it once. An operation for which `varies` says the answer
 * depends on the request's variables is computed on every request.
 */
export function perOperation<T>(
  varies: (document: DocumentNode, operationName: string | null | undefined) => boolean,
  compute: OperationFact<T>,
): OperationFact<T> {
  const kept = new WeakMap<DocumentNode, Map<string, T | typeof VARIES>>();
  return (schema, document, operationName, variables) => {
    let byName = kept.get(document);
    if (!byName) {
      byName = new Map();
      kept.set(document, byName);
    }
    const key = operationName ?? '';
    let value = byName.get(key);
    if (value === undefined && !byName.has(key)) {
      value = varies(document, operationName) ? VARIES : compute(schema, document, operationName, variables);
      byName.set(key, value);
    }
    return value === VARIES ? compute(schema, document, operationName, variables) : (value as T);
  };
}
