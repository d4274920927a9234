import type { DocumentNode, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';

export interface DocumentCacheOptions {
  /**
   * Most operation texts kept parsed.
   * @default 1024
   */
  max?: number;
  /**
   * Bytes the parsed documents may take, estimated at 40 times their text (measured for the examples).
   * @default 12_582_912
   */
  maxBytes?: number;
}

/**
 * Parsed documents by their text, and their validation by document, so that a repeated operation is
 * neither parsed nor validated again. Yoga's own cache does the same but builds a key from every
 * validation rule's name on each request; here the rules are the gateway's, the same for every request,
 * so the parsed document alone is the key. Bounded by bytes as well as by count: a client sending
 * distinct large documents evicts, it does not grow the heap. Parse errors are kept too, smaller.
 */
export function useDocumentCache({
  max = 1024,
  maxBytes = 12 * 1024 * 1024,
}: DocumentCacheOptions = {}): Plugin {
  const documents = new LRUCache<string, DocumentNode>({
    max,
    maxSize: maxBytes,
    sizeCalculation: (_, text) => Math.max(1, text.length * 40),
  });
  const parseErrors = new LRUCache<string, Error>({
    max,
    maxSize: maxBytes / 4,
    sizeCalculation: (_, text) => text.length + 512,
  });
  const validations = new WeakMap<DocumentNode, readonly GraphQLError[]>();
  return {
    onParse({ params, setParsedDocument }) {
      const text = typeof params.source === 'string' ? params.source : params.source.body;
      const document = documents.get(text);
      if (document) {
        setParsedDocument(document);
        return;
      }
      const error = parseErrors.get(text);
      if (error) throw error;
      return ({ result }) => {
        if (result instanceof Error) parseErrors.set(text, result);
        else if (result) documents.set(text, result);
      };
    },
    onValidate({ params, setResult }) {
      const known = validations.get(params.documentAST);
      if (known) {
        setResult(known);
        return;
      }
      return ({ result }) => {
        validations.set(params.documentAST, result as readonly GraphQLError[]);
      };
    },
  };
}
