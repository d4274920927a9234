import { describe, expect, it } from 'vitest';
import { codes, post, useHarness } from './harness.js';

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
});
