import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import persistedDocuments from '../../schema/generated/persisted-documents.json' with { type: 'json' };
import { ConfigError, loadConfig } from '../../src/config.js';
import { asDemo, codes, demo, type GraphQLResponse, useHarness } from '../support/harness.js';

const h = useHarness();
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const PROFILE = `{ profile(id: "${demo.matatika.profileIds.demo}") { upstreamId name } }`;

/** POSTs a raw GraphQL-over-HTTP body to a gateway built with `env`. */
function poster(env: Record<string, string>) {
  let g: ReturnType<typeof h.gatewayWith> | undefined;
  return async (body: Record<string, unknown>) => {
    g ??= h.gatewayWith(env);
    const res = await g.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...asDemo },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as GraphQLResponse };
  };
}

describe("automatic persisted queries (PERSISTED_OPERATIONS=apq, the default) with Apollo Client's PersistedQueryLink", () => {
  let server: Server;
  let endpoint: string;
  const sent: Array<{ query?: string; hash?: string }> = [];
  beforeAll(async () => {
    await h.gql('{ __typename }'); // the harness's sandbox is up
    const g = h.gatewayWith({});
    server = createServer(g);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  /** A fresh Apollo Client (no shared state but the gateway) whose HTTP bodies are recorded in `sent`. */
  function client() {
    const recordingFetch: typeof fetch = async (input, init) => {
      const body = JSON.parse(String(init?.body)) as {
        query?: string;
        extensions?: { persistedQuery?: { sha256Hash: string } };
      };
      sent.push({ query: body.query, hash: body.extensions?.persistedQuery?.sha256Hash });
      return fetch(input, init);
    };
    const link = new PersistedQueryLink({ sha256 }).concat(
      new HttpLink({ uri: endpoint, headers: asDemo, fetch: recordingFetch }),
    );
    return new ApolloClient({ link, cache: new InMemoryCache() });
  }

  it('registers an operation on first use and then runs it from its hash alone', async () => {
    const query = gql`
      query Demo($id: String!) {
        profile(id: $id) {
          upstreamId
          name
        }
      }
    `;
    const variables = { id: demo.matatika.profileIds.demo };
    const first = await client().query({ query, variables, fetchPolicy: 'no-cache' });
    expect(first.data).toMatchObject({ profile: { upstreamId: demo.matatika.profileIds.demo } });
    // The hash alone, answered PersistedQueryNotFound; then the hash with the query, which registers it.
    expect(sent.map((s) => [Boolean(s.hash), Boolean(s.query)])).toEqual([
      [true, false],
      [true, true],
    ]);
    sent.length = 0;
    const second = await client().query({ query, variables, fetchPolicy: 'no-cache' });
    expect(second.data).toEqual(first.data);
    expect(sent.map((s) => [Boolean(s.hash), Boolean(s.query)])).toEqual([[true, false]]);
    expect(h.calls()).toHaveLength(2);
  });
});

describe('APQ registration', () => {
  const post = poster({});

  it('refuses a hash that is not the sha256 of the query, and registers nothing', async () => {
    const wrong = sha256('something else');
    const res = await post({
      query: PROFILE,
      extensions: { persistedQuery: { version: 1, sha256Hash: wrong } },
    });
    expect(res.status).toBe(400);
    expect(codes(res.body)).toEqual(['BAD_USER_INPUT']);
    const lookup = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: wrong } } });
    expect(lookup.body.errors?.[0]).toMatchObject({
      message: 'PersistedQueryNotFound',
      extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' },
    });
    expect(h.calls()).toHaveLength(0);
  });

  it('registers only operations that validate', async () => {
    const invalid = '{ profile(id: "x") { noSuchField } }';
    const pq = { version: 1, sha256Hash: sha256(invalid) };
    expect(codes((await post({ query: invalid, extensions: { persistedQuery: pq } })).body)).toEqual([
      'GRAPHQL_VALIDATION_FAILED',
    ]);
    expect((await post({ extensions: { persistedQuery: pq } })).body.errors?.[0]?.message).toBe(
      'PersistedQueryNotFound',
    );
  });
});

describe('persisted operations with the response cache on', () => {
  const post = poster({ RESPONSE_CACHE_TTL_MS: '60000' });

  it('keys each cached answer on the operation the hash stands for, not on the empty query text', async () => {
    const one = `{ profile(id: "${demo.matatika.profileIds.demo}") { name } }`;
    const two = '{ workspaces(first: 1) { totalCount } }';
    const pq = (query: string) => ({ persistedQuery: { version: 1, sha256Hash: sha256(query) } });
    await post({ query: one, extensions: pq(one) });
    await post({ query: two, extensions: pq(two) });
    const byHash = [await post({ extensions: pq(one) }), await post({ extensions: pq(two) })];
    expect(byHash[0]?.body.data).toHaveProperty('profile.name');
    expect(byHash[1]?.body.data).toHaveProperty('workspaces.totalCount');
  });
});

describe('trusted documents (PERSISTED_OPERATIONS=only)', () => {
  const post = poster({ PERSISTED_OPERATIONS: 'only' });
  const manifest = persistedDocuments as Record<string, string>;
  const overviewId = Object.keys(manifest).find((id) => manifest[id]?.startsWith('query Overview')) as string;

  it("ships the repository's example operations as the manifest", () => {
    expect(Object.values(manifest).map((doc) => /^(query|mutation) (\w+)/.exec(doc)?.[2])).toEqual(
      expect.arrayContaining(['Overview', 'SetDefaultWorkspace', 'UpsertProfile', 'WorkspaceMembers']),
    );
  });

  it('runs a manifest document by its documentId, or by its APQ hash', async () => {
    const byId = await post({
      documentId: overviewId,
      variables: { profileId: demo.matatika.profileIds.demo },
    });
    expect(byId.status).toBe(200);
    expect(byId.body.data).toHaveProperty('profile.name');
    const byHash = await post({
      variables: { profileId: demo.matatika.profileIds.demo },
      extensions: { persistedQuery: { version: 1, sha256Hash: overviewId.replace('sha256:', '') } },
    });
    expect(byHash.body.data).toEqual(byId.body.data);
  });

  it('refuses any other operation, with a code that says why, before calling any upstream', async () => {
    const adHoc = await post({ query: PROFILE });
    expect(adHoc.status).toBe(400);
    expect(codes(adHoc.body)).toEqual(['PERSISTED_QUERY_ONLY']);
    // Even with a correct APQ hash: nothing can be registered in this mode.
    const register = await post({
      query: PROFILE,
      extensions: { persistedQuery: { version: 1, sha256Hash: sha256(PROFILE) } },
    });
    expect(codes(register.body)).toEqual(['PERSISTED_QUERY_ONLY']);
    const unknown = await post({ documentId: `sha256:${sha256(PROFILE)}` });
    expect(unknown.status).toBe(400);
    expect(codes(unknown.body)).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
    expect(codes((await post({})).body)).toEqual(['PERSISTED_QUERY_ONLY']);
    expect(h.sandbox.requests).toHaveLength(0);
  });

  it('stops the boot when the manifest cannot be read, naming the variable', () => {
    expect(() =>
      loadConfig({
        PERSISTED_OPERATIONS: 'only',
        PERSISTED_OPERATIONS_MANIFEST: '/nonexistent/manifest.json',
      }),
    ).toThrow(ConfigError);
    expect(() =>
      loadConfig({
        PERSISTED_OPERATIONS: 'only',
        PERSISTED_OPERATIONS_MANIFEST: '/nonexistent/manifest.json',
      }),
    ).toThrow(/PERSISTED_OPERATIONS_MANIFEST: \/nonexistent\/manifest.json cannot be read \(ENOENT\)/);
  });
});
