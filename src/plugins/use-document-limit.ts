import type { Plugin } from 'graphql-yoga';
import { refusal } from '../errors.js';

export interface DocumentLimitOptions {
  /**
   * The longest operation text accepted, in UTF-8 bytes.
   * @default 65_536
   */
  maxBytes?: number;
}

/**
 * Refuses an operation text over `maxBytes` before it is hashed, parsed, cached or registered. Comments
 * and whitespace cost no tokens, so the token limit alone let a megabyte document through, and every
 * document cache then held a megabyte key.
 */
export function useDocumentLimit({ maxBytes = 65_536 }: DocumentLimitOptions = {}): Plugin {
  return {
    onParams({ params }) {
      const problem = documentProblem(params.query, maxBytes);
      if (problem) throw problem;
    },
  };
}

/** The LIMIT_EXCEEDED error for a document over `maxBytes`, or null. */
export function documentProblem(query: unknown, maxBytes: number) {
  if (typeof query !== 'string' || !exceeds(query, maxBytes)) return null;
  return refusal(
    'LIMIT_EXCEEDED',
    `The operation is longer than ${maxBytes} bytes (MAX_DOCUMENT_BYTES); send a shorter document or a persisted one.`,
    400,
  );
}

/** A UTF-16 unit is at most 3 UTF-8 bytes, so most documents are known to fit without being measured. */
function exceeds(text: string, maxBytes: number): boolean {
  if (text.length * 3 <= maxBytes) return false;
  return text.length > maxBytes || Buffer.byteLength(text, 'utf8') > maxBytes;
}
