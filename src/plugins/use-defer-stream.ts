import { useDeferStream as yogaDeferStream } from '@graphql-yoga/plugin-defer-stream';
import { BREAK, type DocumentNode, type GraphQLError, visit } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * @defer and @stream (Yoga's plugin): a client gets the fast part of a screen first and the slow part
 * as later parts of a multipart response. Query limits, upstream timeouts and the per-request caches
 * apply as to any operation; errors of a deferred fragment arrive in that fragment's part.
 *
 * Yoga masks the errors of a result's top level only, so the errors inside later parts
 * (`incremental[].errors`) go through the same `mask` here: they get their `extensions.code`, and an
 * unexpected error is masked there as anywhere else.
 */
export function useDeferStream(mask: (error: GraphQLError) => GraphQLError): Plugin {
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(yogaDeferStream() as Plugin);
    },
    onExecute({ args }) {
      // Only an answer in parts has later parts to mask; the others need no hook.
      if (!usesIncrementalDelivery(args.document)) return;
      return {
        onExecuteDone() {
          return {
            onNext({ result, setResult }) {
              const part = result as { incremental?: Array<{ errors?: GraphQLError[] }> };
              if (!part.incremental?.some((entry) => entry.errors)) return;
              setResult({
                ...result,
                incremental: part.incremental.map((entry) =>
                  entry.errors ? { ...entry, errors: entry.errors.map(mask) } : entry,
                ),
              } as never);
            },
          };
        },
      };
    },
  };
}

const incremental = new WeakMap<DocumentNode, boolean>();

/**
 * True when an operation asks for incremental delivery. graphql-jit has no @defer/@stream, so such
 * operations run on Yoga's own executor (see use-jit.ts), and the front door hands them to Yoga. The
 * answer is kept per parsed document, which Yoga's parse cache hands out again for a repeated text.
 */
export function usesIncrementalDelivery(document: DocumentNode): boolean {
  const known = incremental.get(document);
  if (known !== undefined) return known;
  // Most documents name neither directive anywhere: no need to walk them (`@ defer` is valid syntax).
  const text = document.loc?.source.body;
  if (text !== undefined && !text.includes('defer') && !text.includes('stream')) {
    incremental.set(document, false);
    return false;
  }
  let found = false;
  visit(document, {
    Directive(node) {
      if (node.name.value === 'defer' || node.name.value === 'stream') {
        found = true;
        return BREAK;
      }
    },
  });
  incremental.set(document, found);
  return found;
}
