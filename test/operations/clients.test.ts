// Real clients against the gateway on a real socket: Apollo Client, urql, graphql-request, and the
// graphql-http conformance audit. In the run of the fast path (vitest's `fast` project) each plain
// request must be served by the fast path itself, not handed to Yoga.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { Client, cacheExchange, fetchExchange } from '@urql/core';
import { auditServer } from 'graphql-http';
import { GraphQLClient } from 'graphql-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway.js';
import { asDemo, demo, useHarness } from '../support/harness.js';

const h = useHarness();
const fastPath = process.env.FAST_PATH !== '0';
const QUERY = `query Profile($id: String!) { profile(id: $id) { id upstreamId name email } }`;
const variables = { id: demo.matatika.profileIds.demo };
let gateway: Gateway;
let server: Server;
let endpoint: string;

beforeAll(async () => {
  await h.gql('{ __typename }');
  gateway = h.gatewayWith({});
  server = createServer(gateway);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

/** Runs `send` and says which path served the GraphQL requests it made. */
async function servedBy<T>(send: () => Promise<T>): Promise<{ result: T; fast: number; yoga: number }> {
  const before = { ...gateway.served };
  const result = await send();
  return { result, fast: gateway.served.fast - before.fast, yoga: gateway.served.yoga - before.yoga };
}

function expectPath(served: { fast: number; yoga: number }, requests = 1) {
  expect(served.fast + served.yoga).toBe(requests);
  expect(served.fast).toBe(fastPath ? requests : 0);
}

describe('real clients', () => {
  it('Apollo Client (HttpLink) gets its profile, normalised by id', async () => {
    const client = new ApolloClient({
      link: new HttpLink({ uri: endpoint, headers: asDemo }),
      cache: new InMemoryCache(),
    });
    const served = await servedBy(() =>
      client.query<{ profile: { upstreamId: string; name: string } }>({ query: gql(QUERY), variables }),
    );
    expect(served.result.data?.profile).toMatchObject({ upstreamId: variables.id, name: expect.any(String) });
    expectPath(served);
  });

  it('urql gets its profile', async () => {
    const client = new Client({
      url: endpoint,
      exchanges: [cacheExchange, fetchExchange],
      fetchOptions: { headers: asDemo },
    });
    const served = await servedBy(() => client.query(QUERY, variables).toPromise());
    expect(served.result.error).toBeUndefined();
    expect(served.result.data.profile.upstreamId).toBe(variables.id);
    expectPath(served);
  });

  it('urql with GET for queries gets its profile too', async () => {
    const client = new Client({
      url: endpoint,
      exchanges: [fetchExchange],
      preferGetMethod: 'force',
      fetchOptions: { headers: asDemo },
    });
    const served = await servedBy(() => client.query(QUERY, variables).toPromise());
    expect(served.result.data.profile.upstreamId).toBe(variables.id);
    expectPath(served);
  });

  it('graphql-request gets its profile, and a typed error for a missing one', async () => {
    const client = new GraphQLClient(endpoint, { headers: asDemo });
    const served = await servedBy(() =>
      client.request<{ profile: { upstreamId: string } }>(QUERY, variables),
    );
    expect(served.result.profile.upstreamId).toBe(variables.id);
    expectPath(served);
    const missing = await servedBy(() =>
      client.request(QUERY, { id: 'auth0|missing' }).catch((e: unknown) => e),
    );
    expect(JSON.stringify(missing.result)).toContain('NOT_FOUND');
    expectPath(missing);
  });
});

describe('the graphql-http conformance audit (GraphQL over HTTP)', () => {
  it('passes every audit, and the fast path serves the requests it should', async () => {
    const served = await servedBy(() =>
      auditServer({
        url: endpoint,
        // A browser could not send these cross-site without a preflight: the CSRF check lets them through.
        fetchFn: (input: RequestInfo, init?: RequestInit) =>
          fetch(input, {
            ...init,
            headers: { ...(init?.headers as Record<string, string>), 'x-graphql-yoga-csrf': '1' },
          }),
      }),
    );
    const failed = served.result.filter((audit) => audit.status !== 'ok').map((audit) => audit.name);
    expect(failed).toEqual([]);
    if (fastPath) expect(served.fast).toBeGreaterThan(served.result.length / 2);
  });
});
