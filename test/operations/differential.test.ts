// The front door's two paths answer alike: every request of the corpus below is sent, over a real
// socket, to a gateway that serves plain requests itself (FAST_PATH=1) and to one that hands everything
// to Yoga (FAST_PATH=0), with the sandbox reset before each; status, the headers a client reads, and the
// body bytes must be the same. The corpus: every example, hostile input, every error shape, CORS and
// CSRF, persisted operations, batches, the response cache on and off, Accept and Accept-Encoding variants.
import { createHash } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import persistedDocuments from '../../schema/generated/persisted-documents.json' with { type: 'json' };
import { EXAMPLES, exampleOperation } from '../../src/examples.js';
import type { Gateway } from '../../src/gateway.js';
import { demo, useHarness } from '../support/harness.js';

const h = useHarness();
const P = demo.matatika.profileIds;
const W = demo.matatika.workspaceIds;
const asDemo = { authorization: `Bearer ${demo.matatika.tokens.demo}` };
const ALL = {
  ...asDemo,
  'x-cadenya-authorization': `Bearer ${demo.cadenya.tokens.admin}`,
  'x-moltaro-authorization': `Bearer ${demo.moltaro.tokens.demo}`,
  'x-upsun-authorization': `Bearer ${demo.upsun.accessToken}`,
};
const JSON_TYPE = { 'content-type': 'application/json' };
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The headers a client reads; the request id is sent by every case, so it is compared too. */
const COMPARED = [
  'content-type',
  'content-encoding',
  'cache-control',
  'vary',
  'etag',
  'allow',
  'accept',
  'connection',
  'x-request-id',
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-allow-methods',
  'access-control-allow-headers',
];

interface Sent {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}
interface Got {
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
  lastModified: boolean;
}

/** One raw HTTP exchange: the bytes as they came, nothing decoded or decompressed. */
function send(port: number, sent: Sent): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: sent.method ?? 'POST',
        path: sent.path ?? '/graphql',
        headers: { 'x-request-id': 'differential', ...sent.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: Object.fromEntries(COMPARED.map((name) => [name, normalise(res.headers[name])])),
            // Compressed bodies are compared as bytes (base64), the rest as text, which diffs readably.
            body: Buffer.concat(chunks).toString(res.headers['content-encoding'] ? 'base64' : 'utf8'),
            lastModified: res.headers['last-modified'] !== undefined,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(sent.body);
  });
}

function normalise(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value.join(', ') : value;
  return text.toLowerCase().replace(/\s*,\s*/g, ', ');
}

const post = (body: unknown, headers: Record<string, string> = asDemo): Sent => ({
  headers: { ...JSON_TYPE, ...headers },
  body: JSON.stringify(body),
});
const get = (params: Record<string, string>, headers: Record<string, string> = asDemo): Sent => ({
  method: 'GET',
  path: `/graphql?${new URLSearchParams(params)}`,
  headers,
});

const manifest = persistedDocuments as Record<string, string>;
const overviewId = Object.keys(manifest).find((id) => manifest[id]?.startsWith('query Overview')) as string;
const PROFILE = `{ profile(id: "${P.demo}") { upstreamId name email } }`;
const variablesOf: Record<string, Record<string, unknown>> = {
  overview: { profileId: P.demo },
  'workspace-members': { workspaceId: W.large },
  'set-default-workspace': { profileId: P.demo, workspaceId: W.failed },
  'upsert-profile': { input: { profileId: P.demo, name: 'Ada Lovelace', phone: '+44 20 7946 0000' } },
};

/** Each case is a sequence: stateful ones (APQ, the response cache) compare every step. */
const CORPUS: Record<string, Sent[]> = {
  ...Object.fromEntries(
    EXAMPLES.map((name) => [
      `example ${name}`,
      [post({ query: exampleOperation(name), variables: variablesOf[name] }, ALL)],
    ]),
  ),
  'one profile, no Accept': [post({ query: PROFILE })],
  'one profile, Accept: application/json': [
    post({ query: PROFILE }, { ...asDemo, accept: 'application/json' }),
  ],
  'one profile, Accept: application/graphql-response+json': [
    post({ query: PROFILE }, { ...asDemo, accept: 'application/graphql-response+json' }),
  ],
  'one profile, Accept: both, graphql-response+json first': [
    post(
      { query: PROFILE },
      { ...asDemo, accept: 'application/graphql-response+json, application/json;q=0.9' },
    ),
  ],
  'one profile, Accept: text/html, */*': [
    post({ query: PROFILE }, { ...asDemo, accept: 'text/html, */*;q=0.8' }),
  ],
  'Accept: text/html only': [post({ query: PROFILE }, { ...asDemo, accept: 'text/html' })],
  'Accept: multipart/mixed': [post({ query: PROFILE }, { ...asDemo, accept: 'multipart/mixed' })],
  'a large answer, br': [
    post(
      { query: exampleOperation('workspace-members'), variables: variablesOf['workspace-members'] },
      { ...asDemo, 'accept-encoding': 'gzip, deflate, br' },
    ),
  ],
  'a large answer, gzip': [
    post(
      { query: exampleOperation('workspace-members'), variables: variablesOf['workspace-members'] },
      { ...asDemo, 'accept-encoding': 'gzip' },
    ),
  ],
  'GET of a query with a credential header': [get({ query: PROFILE })],
  'GET with variables and an operation name': [
    get({
      query: 'query One($id: String!) { profile(id: $id) { name } }',
      variables: JSON.stringify({ id: P.demo }),
      operationName: 'One',
    }),
  ],
  'GET of a mutation': [
    get({ query: `mutation { upsertProfile(input: { profileId: "${P.demo}" }) { created } }` }),
  ],
  'GET without a preflight header (CSRF)': [get({ query: PROFILE }, {})],
  'form POST (CSRF)': [
    {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: PROFILE }).toString(),
    },
  ],
  'text/plain POST (CSRF)': [
    { headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: PROFILE }) },
  ],
  'application/graphql+json': [
    {
      headers: { 'content-type': 'application/graphql+json', ...asDemo },
      body: JSON.stringify({ query: PROFILE }),
    },
  ],
  'invalid JSON': [{ headers: { ...JSON_TYPE, ...asDemo }, body: '{"query": ' }],
  'a JSON string': [{ headers: { ...JSON_TYPE, ...asDemo }, body: '"hello"' }],
  'null body': [{ headers: { ...JSON_TYPE, ...asDemo }, body: 'null' }],
  'an unexpected parameter': [post({ query: PROFILE, foo: 1 })],
  'no query': [post({ variables: {} })],
  'a query that is a number': [post({ query: 42 })],
  'variables that are a string': [post({ query: PROFILE, variables: 'x' })],
  'a syntax error': [post({ query: '{ profile(id: ' })],
  'an unknown field': [post({ query: '{ nope }' })],
  'an unknown field, graphql-response+json': [
    post({ query: '{ nope }' }, { ...asDemo, accept: 'application/graphql-response+json' }),
  ],
  'a missing variable': [post({ query: 'query($id: String!) { profile(id: $id) { name } }' })],
  'an unknown operation name': [post({ query: PROFILE, operationName: 'Nope' })],
  'two operations, no name': [post({ query: '{ a: __typename } query B { __typename }' })],
  'a document over 64 KB': [post({ query: `# ${'x'.repeat(70_000)}\n{ __typename }` })],
  'a list argument over 100 items': [
    post({
      query: 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }',
      variables: { ids: Array.from({ length: 101 }, (_, i) => `x${i}`) },
    }),
  ],
  'a bad first': [post({ query: '{ profiles(first: 500) { totalCount } }' })],
  'an id that is ..': [post({ query: '{ profile(id: "..") { name } }' })],
  'no credential': [post({ query: PROFILE }, {})],
  'a Basic credential': [post({ query: PROFILE }, { authorization: 'Basic eDp5' })],
  'a missing profile (404)': [post({ query: '{ profile(id: "auth0|missing") { name } }' })],
  'too many aliases': [
    post({ query: `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: __typename`).join(' ')} }` }),
  ],
  introspection: [post({ query: '{ __schema { queryType { name } } }' })],
  '@defer': [
    post(
      { query: `{ profile(id: "${P.demo}") { name ... @defer { email } } }` },
      { ...asDemo, accept: 'multipart/mixed' },
    ),
  ],
  'a batch': [post([{ query: PROFILE }, { query: '{ __typename }' }, { query: '{ nope }' }])],
  'a batch over the limit': [post(Array.from({ length: 11 }, () => ({ query: '{ __typename }' })))],
  'a batch with a bad entry': [post([{ query: PROFILE }, 7])],
  'an empty batch': [post([])],
  'APQ: unknown hash, then register, then by hash': [
    post({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256(PROFILE) } } }),
    post({ query: PROFILE, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(PROFILE) } } }),
    post({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256(PROFILE) } } }),
  ],
  'APQ: a hash that does not match': [
    post({ query: PROFILE, extensions: { persistedQuery: { version: 1, sha256Hash: sha256('other') } } }),
  ],
  'documentId in a POST': [post({ documentId: overviewId, variables: variablesOf.overview }, ALL)],
  'documentId in a GET': [
    get({ documentId: overviewId, variables: JSON.stringify(variablesOf.overview) }, ALL),
  ],
  'an unknown documentId': [post({ documentId: 'sha256:00' })],
  'documentId and query': [post({ documentId: overviewId, query: PROFILE })],
  'CORS preflight': [
    {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization',
      },
    },
  ],
  'a POST with an Origin': [post({ query: PROFILE }, { ...asDemo, origin: 'https://app.example.com' })],
  PUT: [{ method: 'PUT', headers: { ...JSON_TYPE, ...asDemo }, body: JSON.stringify({ query: PROFILE }) }],
  'a body over 1 MB by its Content-Length': [post({ query: `# ${'x'.repeat(1_100_000)}\n{ __typename }` })],
};

/** A gateway on a real socket. */
async function listen(gateway: Gateway): Promise<{ port: number; server: Server }> {
  const server = createServer(gateway);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, server };
}

/** Cases the fast path hands to Yoga by design, and the front door's own refusals (which neither path runs). */
const HANDED_OFF = new Set([
  'Accept: text/html only',
  'Accept: multipart/mixed',
  'invalid JSON',
  'a JSON string',
  'null body',
  'an unexpected parameter',
  'no query',
  'a query that is a number',
  'variables that are a string',
  '@defer',
  'a batch with a bad entry',
  'PUT',
]);
const REFUSED = new Set([
  'GET without a preflight header (CSRF)',
  'form POST (CSRF)',
  'text/plain POST (CSRF)',
  'a batch over the limit',
  'CORS preflight',
  'a body over 1 MB by its Content-Length',
]);

function pair(env: Record<string, string>) {
  const sides = { fast: 0, yoga: 0 };
  let fastGateway: Gateway | undefined;
  const servers: Server[] = [];
  beforeAll(async () => {
    await h.gql('{ __typename }');
    for (const [name, fastPath] of [
      ['fast', '1'],
      ['yoga', '0'],
    ] as const) {
      // One cursor key for both, so that signed cursors compare equal.
      const gateway = h.gatewayWith({
        CURSOR_SECRET: 'a-cursor-secret-of-32-characters-or-more',
        ...env,
        FAST_PATH: fastPath,
      });
      if (name === 'fast') fastGateway = gateway;
      const { port, server } = await listen(gateway);
      sides[name] = port;
      servers.push(server);
    }
  });
  afterAll(() => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))));
  return async (steps: Sent[]) => {
    const answers: Record<'fast' | 'yoga', Got[]> = { fast: [], yoga: [] };
    const before = { ...(fastGateway as Gateway).served };
    for (const side of ['fast', 'yoga'] as const) {
      h.sandbox.reset();
      for (const step of steps) answers[side].push(await send(sides[side], step));
    }
    const after = (fastGateway as Gateway).served;
    const path = { fast: after.fast - before.fast, yoga: after.yoga - before.yoga };
    return { ...answers, path };
  };
}

describe.runIf(process.env.FAST_PATH !== '0').each([
  ['development, response cache off', {}],
  [
    'production with an allowed origin, response cache on',
    {
      NODE_ENV: 'production',
      CORS_ORIGINS: 'https://app.example.com',
      RESPONSE_CACHE_TTL_MS: '60000',
      RESPONSE_CACHE_SECRET: 'a-response-cache-secret-of-32-chars-or-more',
    },
  ],
])('the fast path and Yoga answer alike (%s)', (_, env) => {
  const both = pair(env);
  it.each(Object.entries(CORPUS))('%s', async (name, steps) => {
    const { fast, yoga, path } = await both(steps);
    expect(fast).toEqual(yoga);
    // The comparison means something only if the fast side took the path it is meant to.
    if (REFUSED.has(name)) expect(path).toEqual({ fast: 0, yoga: 0 });
    else if (HANDED_OFF.has(name)) expect(path).toEqual({ fast: 0, yoga: steps.length });
    else expect(path).toEqual({ fast: steps.length, yoga: 0 });
  });

  it('the response cache: a repeated operation, then a revalidation with the ETag it got', async () => {
    const first = post({ query: PROFILE });
    const { fast, yoga } = await both([first, first]);
    expect(fast).toEqual(yoga);
    const etag = yoga[0]?.headers.etag;
    if (etag) {
      const again = await both([first, get({ query: PROFILE }, { ...asDemo, 'if-none-match': etag })]);
      expect(again.fast).toEqual(again.yoga);
    }
  });
});
