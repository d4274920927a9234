import { describe, expect, it } from 'vitest';
import { asDemo, codes, post, useHarness } from '../support/harness.js';

const h = useHarness();

describe('http surface', () => {
  it('serves GraphiQL with a working example in development', async () => {
    const res = await h.gateway.fetch('http://gateway.test/graphql', { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Profile gateway');
    expect(html).toContain('query Overview');
  });

  it('answers health checks', async () => {
    const res = await h.gateway.fetch('http://gateway.test/health');
    expect(res.status).toBe(200);
  });

  it('in production: no GraphiQL, no introspection', async () => {
    const prod = h.gatewayWith({ NODE_ENV: 'production' });
    const page = await prod.fetch('http://gateway.test/graphql', { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toContain('Profile gateway');
    const res = await post(prod, '{ __schema { types { name } } }');
    expect(res.data).toBeUndefined();
    expect(res.errors?.[0]?.message).toMatch(/introspection/i);
  });

  it("in production: no printed schema either (federation's _service, stitching's _sdl) unless INTROSPECTION=1", async () => {
    const prod = h.gatewayWith({ NODE_ENV: 'production' });
    for (const query of ['{ _service { sdl } }', '{ _sdl }']) {
      const res = await post(prod, query);
      expect(res.data).toBeUndefined();
      expect(res.errors?.[0]?.message).toMatch(/introspection/i);
    }
    const open = h.gatewayWith({ NODE_ENV: 'production', INTROSPECTION: '1' });
    const res = await post<{ _service: { sdl: string } }>(open, '{ _service { sdl } }');
    expect(res.data?._service.sdl).toContain('@key(fields: "upstreamId")');
  });

  it('in production with INTROSPECTION=1: introspection works', async () => {
    const prod = h.gatewayWith({ NODE_ENV: 'production', INTROSPECTION: '1' });
    const res = await post<{ __schema: { queryType: { name: string } } }>(
      prod,
      '{ __schema { queryType { name } } }',
    );
    expect(res.data?.__schema.queryType.name).toBe('Query');
  });

  it('reports a syntax error as GRAPHQL_PARSE_FAILED with no upstream call', async () => {
    const res = await h.gql('{ profile(id: ');
    expect(codes(res)).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(h.sandbox.requests).toHaveLength(0);
  });

  it('refuses a body over 1 MB by its Content-Length, before reading it', async () => {
    const body = JSON.stringify({ query: `{ __typename }`, padding: 'x'.repeat(1_100_000) });
    const res = await h.gateway.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
      body,
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
  });

  it('counts a chunked body that declares no length, and refuses it past 1 MB', async () => {
    const chunked = (text: string) =>
      new ReadableStream({
        start(controller) {
          for (let i = 0; i < text.length; i += 65_536)
            controller.enqueue(new TextEncoder().encode(text.slice(i, i + 65_536)));
          controller.close();
        },
      });
    const send = (text: string) =>
      h.gateway.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...asDemo },
        body: chunked(text),
        duplex: 'half',
      } as RequestInit);
    const big = await send(JSON.stringify({ query: '{ __typename }', padding: 'x'.repeat(1_100_000) }));
    expect(big.status).toBe(413);
    const small = await send(JSON.stringify({ query: '{ __typename }' }));
    expect(await small.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it.each([
    [
      '31 aliases',
      `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: userProfile(id: "u${i}") { upstreamId }`).join(' ')} }`,
      /Aliases limit of 30/,
    ],
    [
      'a selection 13 deep',
      '{ workspaces { edges { node { members { edges { node { workspace { members { edges { node { profile { defaultWorkspace { name } } } } } } } } } } } } }',
      /depth limit of 12/,
    ],
    ['2100 tokens', `{ ${'__typename '.repeat(2100)} }`, /Token limit of 2000/],
  ])('refuses %s before calling any upstream', async (_what, query, message) => {
    const res = await h.gql(query);
    expect(res.data).toBeUndefined();
    expect(res.errors?.[0]?.message).toMatch(message);
    expect(res.errors?.[0]?.extensions?.code).toMatch(/^GRAPHQL_(VALIDATION|PARSE)_FAILED$/);
    expect(h.sandbox.requests).toHaveLength(0);
  });
});
