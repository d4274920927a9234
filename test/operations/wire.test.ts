// What a client sees on the wire besides the data: compression, caching headers, batches and trusted
// documents by id.
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import persistedDocuments from '../../schema/generated/persisted-documents.json' with { type: 'json' };
import { negotiateEncoding } from '../../src/http/encoding.js';
import { asDemo, codes, demo, type GraphQLResponse, useHarness } from '../support/harness.js';

const h = useHarness();
const MEMBERS = `{ workspace(id: "${demo.matatika.workspaceIds.large}") { members { edges { node { name profile { email } } } } } }`;
const SMALL = '{ __typename }';

async function send(
  body: unknown,
  headers: Record<string, string> = {},
  gateway = h.gateway,
): Promise<{ response: Response; bytes: Buffer }> {
  const response = await gateway.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...asDemo, ...headers },
    body: JSON.stringify(body),
  });
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

describe('compression by Accept-Encoding', () => {
  it('sends a 24-member answer with brotli, gzip or none, as the client asks, with the same JSON inside', async () => {
    const plain = await send({ query: MEMBERS });
    expect(plain.response.headers.get('content-encoding')).toBeNull();
    expect(plain.bytes.byteLength).toBeGreaterThan(1024);
    const br = await send({ query: MEMBERS }, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.response.headers.get('content-encoding')).toBe('br');
    expect(brotliDecompressSync(br.bytes).toString()).toBe(plain.bytes.toString());
    expect(br.bytes.byteLength).toBeLessThan(plain.bytes.byteLength / 3);
    const gz = await send({ query: MEMBERS }, { 'accept-encoding': 'gzip' });
    expect(gz.response.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(gz.bytes).toString()).toBe(plain.bytes.toString());
    for (const answer of [plain, br, gz])
      expect(answer.response.headers.get('vary')).toMatch(/Accept-Encoding/);
  });

  it('leaves answers under 1 KB as they are', async () => {
    const small = await send({ query: SMALL }, { 'accept-encoding': 'br, gzip' });
    expect(small.response.headers.get('content-encoding')).toBeNull();
    expect(JSON.parse(small.bytes.toString())).toEqual({ data: { __typename: 'Query' } });
  });

  it('honours an encoding the client refuses with q=0', () => {
    expect(negotiateEncoding('br;q=0, gzip')).toBe('gzip');
    expect(negotiateEncoding('*')).toBe('br');
    expect(negotiateEncoding('*, br;q=0')).toBe('gzip');
    expect(negotiateEncoding('identity')).toBeNull();
    expect(negotiateEncoding('gzip;q=0, br;q=0.0')).toBeNull();
  });
});

// Hardening row 8: a shared HTTP cache must never keep one caller's answer for another.
describe('caching headers', () => {
  it('marks every answer private and not to be stored, GETs included, when the response cache is off', async () => {
    const url = `http://gateway.test/graphql?query=${encodeURIComponent(SMALL)}`;
    const get = await h.gateway.fetch(url, {
      headers: { 'x-cadenya-authorization': `Bearer ${demo.cadenya.tokens.admin}` },
    });
    expect(get.status).toBe(200);
    expect(get.headers.get('cache-control')).toBe('private, no-store');
    const error = await send({ query: '{ nope }' });
    expect(error.response.headers.get('cache-control')).toBe('private, no-store');
  });

  it('leaves the response cache its own revalidation header', async () => {
    const cached = h.gatewayWith({ RESPONSE_CACHE_TTL_MS: '60000' });
    const { response } = await send({ query: SMALL }, {}, cached);
    expect(response.headers.get('cache-control')).toBe('private, no-cache');
  });
});

describe('request batching (a JSON array of operations)', () => {
  const profile = (id: string) => ({ query: `{ profile(id: "${id}") { upstreamId } }` });
  const P = demo.matatika.profileIds;

  it('answers each operation of a batch in order', async () => {
    const { response, bytes } = await send([profile(P.demo), { query: SMALL }, { query: '{ nope }' }]);
    expect(response.status).toBe(200);
    const answers = JSON.parse(bytes.toString()) as GraphQLResponse[];
    expect(answers.map((a) => a.data ?? null)).toEqual([
      { profile: { upstreamId: P.demo } },
      { __typename: 'Query' },
      null,
    ]);
    expect(codes(answers[2] as GraphQLResponse)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('refuses a batch over MAX_BATCH_OPERATIONS (10) with LIMIT_EXCEEDED before any operation runs', async () => {
    const { response, bytes } = await send(Array.from({ length: 11 }, () => profile(P.demo)));
    expect(response.status).toBe(400);
    expect(codes(JSON.parse(bytes.toString()) as GraphQLResponse)).toEqual(['LIMIT_EXCEEDED']);
    expect(h.sandbox.requests).toHaveLength(0);
  });

  it('spends one upstream budget for the whole batch, not one per operation', async () => {
    const gateway = h.gatewayWith({ MAX_UPSTREAM_CALLS: '2' });
    const ids = [P.demo, P.outsider, P.demo];
    const { bytes } = await send(
      ids.map((id, i) => ({ query: `{ p${i}: profile(id: "${id}") { upstreamId } }` })),
      {},
      gateway,
    );
    const answers = JSON.parse(bytes.toString()) as GraphQLResponse[];
    expect(answers.map((a) => codes(a))).toEqual([[], [], ['LIMIT_EXCEEDED']]);
    expect(h.calls()).toHaveLength(2);
  });

  it('refuses batches when MAX_BATCH_OPERATIONS=0', async () => {
    const { response } = await send([{ query: SMALL }], {}, h.gatewayWith({ MAX_BATCH_OPERATIONS: '0' }));
    expect(response.status).toBe(400);
  });

  it('with PERSISTED_OPERATIONS=only, runs the trusted operations of a batch and refuses the others', async () => {
    const manifest = persistedDocuments as Record<string, string>;
    const overview = Object.keys(manifest).find((id) => manifest[id]?.startsWith('query Overview')) as string;
    const only = h.gatewayWith({ PERSISTED_OPERATIONS: 'only' });
    const { bytes } = await send(
      [{ documentId: overview, variables: { profileId: P.demo } }, { query: SMALL }],
      {},
      only,
    );
    const [trusted, adHoc] = JSON.parse(bytes.toString()) as GraphQLResponse[];
    expect(trusted?.data).toHaveProperty('profile.name');
    expect(codes(adHoc as GraphQLResponse)).toEqual(['PERSISTED_QUERY_ONLY']);
  });
});

describe('trusted documents by documentId, beside automatic persisted queries', () => {
  const manifest = persistedDocuments as Record<string, string>;
  const overview = Object.keys(manifest).find((id) => manifest[id]?.startsWith('query Overview')) as string;
  const variables = { profileId: demo.matatika.profileIds.demo };

  it('runs a manifest document by documentId in a POST body, with PERSISTED_OPERATIONS=apq (the default)', async () => {
    const { response, bytes } = await send({ documentId: overview, variables });
    expect(response.status).toBe(200);
    expect(JSON.parse(bytes.toString())).toHaveProperty('data.profile.name');
  });

  it('runs it from a GET query string too, and by its bare hash', async () => {
    for (const id of [overview, overview.replace('sha256:', '')]) {
      const url = `http://gateway.test/graphql?documentId=${encodeURIComponent(id)}&variables=${encodeURIComponent(JSON.stringify(variables))}`;
      const response = await h.gateway.fetch(url, { headers: asDemo });
      expect(response.status).toBe(200);
      expect(await response.json()).toHaveProperty('data.profile.name');
    }
  });

  it('refuses an unknown documentId, and one sent with a query, before anything runs', async () => {
    const unknown = await send({ documentId: 'sha256:0000' });
    expect(unknown.response.status).toBe(400);
    expect(codes(JSON.parse(unknown.bytes.toString()))).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
    const both = await send({ documentId: overview, query: SMALL });
    expect(codes(JSON.parse(both.bytes.toString()))).toEqual(['BAD_USER_INPUT']);
    expect(h.sandbox.requests).toHaveLength(0);
  });
});
