import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';

/**
 * Adds the errors of fields that answered anyway (a failed list answers an empty connection, see
 * orEmpty in schema/paging.ts) to the result, after the ones graphql-js collected.
 */
export function useFieldErrors(): Plugin<Context> {
  return {
    onExecute({ args }) {
      return {
        onExecuteDone({ result, setResult }) {
          const fieldErrors = (args.contextValue as Context).fieldErrors;
          if (fieldErrors.length === 0 || !('data' in result)) return;
          setResult({ ...result, errors: [...(result.errors ?? []), ...fieldErrors] });
        },
      };
    },
  };
}
