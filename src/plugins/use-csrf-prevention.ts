import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { GraphQLError } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';

/** Headers that clients send to mark a request as not a simple cross-site one (Yoga's and Apollo's). */
const PREFLIGHT_HEADERS = ['x-graphql-yoga-csrf', 'apollo-require-preflight', 'x-apollo-operation-name'];

/**
 * Refuses GraphQL requests that a browser would send cross-site without a CORS preflight: form-encoded,
 * multipart and text/plain POSTs, and GETs that carry no header a page could not set without one.
 * With a server-side token (`<SOURCE>_API_TOKEN`), such a request would otherwise run a mutation with
 * the server's credential on any visitor's behalf. The sources' credential headers count: a browser
 * preflights any request that sets one. Yoga's plugin does the check; this adds the error code.
 */
export function useCsrfPrevention(credentialHeaders: string[]): Plugin {
  const inner = useCSRFPrevention({ requestHeaders: [...PREFLIGHT_HEADERS, ...credentialHeaders] });
  return {
    onRequestParse(payload) {
      try {
        return inner.onRequestParse?.(payload);
      } catch (error) {
        if (!(error instanceof GraphQLError)) throw error;
        throw createGraphQLError(
          `Refused as a possible cross-site request: send it as application/json, or set one of the headers ${PREFLIGHT_HEADERS.join(', ')}.`,
          { extensions: { code: 'BAD_REQUEST', http: { status: 403 } } },
        );
      }
    },
  };
}
