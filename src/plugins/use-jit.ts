import { type ExecuteFunction, makeExecute } from '@envelop/core';
import type { DocumentNode, ExecutionArgs } from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import { usesIncrementalDelivery } from './use-defer-stream.js';

export interface JitOptions {
  /**
   * How many times a document must have run before it is compiled. Compiling costs about a
   * millisecond and ~165 KB of heap per document, which pays back only for documents that recur.
   * @default 2
   */
  compileAfter?: number;
  /**
   * Most compiled documents kept; the least recently used is dropped past it.
   * @default 200
   */
  maxCompiled?: number;
}

/**
 * Runs recurring documents with graphql-jit and everything else with graphql-js. The stock envelop
 * plugin compiles every document it sees and keeps each compiled query as long as Yoga caches the
 * document (1,000 of them), about 165 KB apiece: a client sending distinct documents drove the heap
 * out of its 128 MB cap in seconds. Here compiled queries live in a bounded LRU, and only documents
 * seen `compileAfter` times are compiled, so one-off documents cost graphql-js's execution and nothing
 * that stays. Documents with @defer or @stream, which graphql-jit does not run, stay on graphql-js.
 */
export function useJit({ compileAfter = 2, maxCompiled = 200 }: JitOptions = {}): Plugin {
  const seen = new WeakMap<DocumentNode, number>();
  const compiled = new LRUCache<DocumentNode, Map<string, CompiledQuery>>({ max: maxCompiled });

  const compiledFor = (args: ExecutionArgs): CompiledQuery | null => {
    const operation = args.operationName ?? '';
    const forDocument = compiled.get(args.document);
    const hit = forDocument?.get(operation);
    if (hit) return hit;
    const runs = (seen.get(args.document) ?? 0) + 1;
    seen.set(args.document, runs);
    if (runs < compileAfter || usesIncrementalDelivery(args.document)) return null;
    const result = compileQuery(args.schema, args.document, args.operationName ?? undefined);
    // A document graphql-jit cannot compile runs on graphql-js, which reports its errors as usual.
    if (!isCompiledQuery(result)) return null;
    const entry = forDocument ?? new Map<string, CompiledQuery>();
    entry.set(operation, result);
    if (!forDocument) compiled.set(args.document, entry);
    return result;
  };

  // Wraps whatever executor the plugins before this one chose (graphql-js's, or @defer's), per executor
  // rather than per request. It decides per execution and not in onExecute, because plugins such as
  // the response cache call it with a document of their own (theirs adds `__typename` and ids).
  const wrappers = new WeakMap<ExecuteFunction, ExecuteFunction>();
  const wrap = (fallback: ExecuteFunction): ExecuteFunction => {
    let wrapped = wrappers.get(fallback);
    if (!wrapped) {
      wrapped = makeExecute((args) => {
        const query = compiledFor(args);
        return query ? query.query(args.rootValue, args.contextValue, args.variableValues) : fallback(args);
      });
      wrappers.set(fallback, wrapped);
    }
    return wrapped;
  };

  return {
    onExecute({ executeFn, setExecuteFn }) {
      setExecuteFn(wrap(executeFn));
    },
  };
}
