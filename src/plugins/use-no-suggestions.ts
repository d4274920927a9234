import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** graphql-js phrases every suggestion this way: fields, arguments, types, enum values, input fields. */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/** `message` without graphql-js's "Did you mean …?" hints, which spell out names introspection hides. */
export function withoutSuggestions(message: string): string {
  return message.includes('Did you mean') ? message.replace(SUGGESTION, '') : message;
}

function strip<E extends Error>(error: E): E | GraphQLError {
  if (!(error instanceof GraphQLError)) return error;
  const message = withoutSuggestions(error.message);
  if (message === error.message) return error;
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: error.extensions,
  });
}

/**
 * No suggestion of any kind (production): neither from validation (`accountProfiles(type: USR)`, a
 * misspelt field or input field) nor from coercing variables (`{"t": "USR"}`), which graphql-js reports
 * as execution errors. GraphQL Armor's plugin covers only field suggestions during validation.
 */
export function useNoSuggestions(): Plugin {
  return {
    onValidate() {
      return ({ valid, result, setResult }) => {
        if (!valid) setResult(result.map(strip));
      };
    },
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          if (!('errors' in result) || !result.errors?.length) return;
          if (!result.errors.some((e) => e.message.includes('Did you mean'))) return;
          setResult({ ...result, errors: result.errors.map(strip) });
        },
      };
    },
  };
}
