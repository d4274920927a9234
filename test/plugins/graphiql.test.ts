import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { exampleTabs } from '../../src/examples.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { createLogger } from '../../src/logger.js';
import { useHarness } from '../support/harness.js';

const h = useHarness();
const require = createRequire(import.meta.url);
const BUNDLE = '@graphql-yoga/render-graphiql/graphiql';
const bundleLoaded = () => Object.keys(require.cache).some((path) => path.includes('render-graphiql'));

const page = (gateway: Gateway, headers: Record<string, string> = {}) =>
  gateway.fetch('http://gateway.test/graphql', { headers: { accept: 'text/html', ...headers } });
const asset = (gateway: Gateway, url: string, headers: Record<string, string> = {}) =>
  gateway.fetch(`http://gateway.test${url}`, { headers });

/** The package's own strings (and decoded icon), by the asset name the page links to. */
function packageAssets(): Record<string, Buffer> {
  const bundle = require(BUNDLE) as typeof import('@graphql-yoga/render-graphiql/graphiql');
  return {
    'graphiql.css': Buffer.from(bundle.css),
    'graphiql.js': Buffer.from(bundle.js),
    'editor-worker.js': Buffer.from(bundle.editorWorkerService),
    'json-worker.js': Buffer.from(bundle.jsonWorker),
    'graphql-worker.js': Buffer.from(bundle.graphqlWorker),
    'favicon.ico': Buffer.from(bundle.favicon.replace(/^data:[^,]*;base64,/, ''), 'base64'),
  };
}

/** `/graphiql/assets/graphiql.<hash>.js` → `graphiql.js` */
const nameOf = (url: string) => url.replace(/^.*\//, '').replace(/\.[0-9a-f]{16}\./, '.');

describe('GraphiQL: a small page, and its assets compressed and cached for good', () => {
  // First, while this process has not loaded the bundle yet.
  it('in production with GraphiQL off, answers no asset and never loads the 9 MB bundle', async () => {
    const production = h.gatewayWith({ NODE_ENV: 'production' });
    expect((await page(production)).status).toBe(406);
    const res = await asset(production, '/graphiql/assets/graphiql.0123456789abcdef.js');
    expect(res.status).toBe(404);
    expect(bundleLoaded()).toBe(false);
  });

  it('serves a page of a few KB that links to content-hashed assets, GraphiQL workers included', async () => {
    const res = await page(h.gateway);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const html = await res.text();
    expect(Buffer.byteLength(html)).toBeLessThan(20_000);
    expect(html).toContain('<title>Profile gateway</title>');
    const urls = [...html.matchAll(/"(\/graphiql\/assets\/[^"]+)"/g)].map((m) => m[1] as string);
    expect(urls.map(nameOf).sort()).toEqual(Object.keys(packageAssets()).sort());
    // The workers are what Monaco's getWorkerUrl hands out, by the labels it asks for.
    expect(html).toMatch(/getWorkerUrl[\s\S]*"editorWorkerService":"\/graphiql\/assets\/editor-worker\./);
    expect(html).toMatch(
      /"json":"\/graphiql\/assets\/json-worker\.[^"]+","graphql":"\/graphiql\/assets\/graphql-worker\./,
    );
    for (const url of urls) {
      const hash = /\.([0-9a-f]{16})\.\w+$/.exec(url)?.[1];
      const bytes = packageAssets()[nameOf(url)] as Buffer;
      expect(createHash('sha256').update(bytes).digest('hex').slice(0, 16)).toBe(hash);
    }
  });

  it('keeps GraphiQL as the tabs, headers and variables configure it', async () => {
    const tabs = exampleTabs({ overview: { profileId: 'p-1' } }, { authorization: 'Bearer t-1' });
    const gateway = createGateway({
      config: loadConfig({ SANDBOX: '0', LOG_LEVEL: 'silent' }),
      logger: createLogger('silent'),
      graphiqlTabs: tabs,
    });
    try {
      const html = await (await page(gateway)).text();
      const options = JSON.parse(/renderYogaGraphiQL\([^,]+, (\{.*\})\);/.exec(html)?.[1] ?? 'null');
      expect(options).toEqual({
        title: 'Profile gateway',
        defaultTabs: tabs,
        defaultQuery: tabs[0]?.query,
        headers: tabs[0]?.headers,
        variables: tabs[0]?.variables,
      });
      expect(Buffer.byteLength(html)).toBeLessThan(20_000);
    } finally {
      await gateway.dispose();
    }
  });

  it('compresses the page too: br, else gzip', async () => {
    const plain = await (await page(h.gateway)).text();
    const br = await page(h.gateway, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('vary')).toMatch(/Accept-Encoding/);
    expect(brotliDecompressSync(Buffer.from(await br.arrayBuffer())).toString()).toBe(plain);
    const gzip = await page(h.gateway, { 'accept-encoding': 'gzip' });
    expect(gzip.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await gzip.arrayBuffer())).toString()).toBe(plain);
    const slash = await h.gateway.fetch('http://gateway.test/graphql/', {
      headers: { accept: 'text/html', 'accept-encoding': 'br' },
    });
    expect(slash.headers.get('content-encoding')).toBe('br');
    expect(slash.headers.get('cache-control')).toBe('no-cache');
  });

  it('answers each asset immutable for a year, br or gzip as accepted, with the package’s exact bytes', async () => {
    const html = await (await page(h.gateway)).text();
    const urls = [...html.matchAll(/"(\/graphiql\/assets\/[^"]+)"/g)].map((m) => m[1] as string);
    const expected = packageAssets();
    expect(urls.map(nameOf).sort()).toEqual(Object.keys(expected).sort());
    for (const url of urls) {
      const bytes = expected[nameOf(url)] as Buffer;
      const br = await asset(h.gateway, url, { 'accept-encoding': 'br, gzip' });
      expect(br.status).toBe(200);
      expect(br.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(br.headers.get('content-type')).toBe(
        url.endsWith('.css')
          ? 'text/css; charset=utf-8'
          : url.endsWith('.js')
            ? 'text/javascript; charset=utf-8'
            : 'image/x-icon',
      );
      expect(br.headers.get('content-encoding')).toBe('br');
      expect(br.headers.get('etag')).toMatch(/^"[0-9a-f]{16}-br"$/);
      expect(brotliDecompressSync(Buffer.from(await br.arrayBuffer())).equals(bytes)).toBe(true);

      const gzip = await asset(h.gateway, url, { 'accept-encoding': 'gzip' });
      expect(gzip.headers.get('content-encoding')).toBe('gzip');
      expect(gunzipSync(Buffer.from(await gzip.arrayBuffer())).equals(bytes)).toBe(true);

      const identity = await asset(h.gateway, url, { 'accept-encoding': 'br;q=0, gzip;q=0' });
      expect(identity.headers.get('content-encoding')).toBeNull();
      expect(Buffer.from(await identity.arrayBuffer()).equals(bytes)).toBe(true);
    }
  });

  it('answers 304 to a browser revalidating an asset or the page with its ETag', async () => {
    const first = await page(h.gateway, { 'accept-encoding': 'br' });
    const again = await page(h.gateway, {
      'accept-encoding': 'br',
      'if-none-match': first.headers.get('etag') as string,
    });
    expect(again.status).toBe(304);
    const url = /"(\/graphiql\/assets\/graphiql\.[0-9a-f]+\.css)"/.exec(
      await (await page(h.gateway)).text(),
    )?.[1];
    const css = await asset(h.gateway, url as string, { 'accept-encoding': 'gzip' });
    const revalidated = await asset(h.gateway, url as string, {
      'accept-encoding': 'gzip',
      'if-none-match': css.headers.get('etag') as string,
    });
    expect(revalidated.status).toBe(304);
    expect(await revalidated.text()).toBe('');
  });

  it('answers 404 for an asset it does not have, whatever its hash', async () => {
    const html = await (await page(h.gateway)).text();
    const url = /"(\/graphiql\/assets\/graphiql\.[0-9a-f]+\.js)"/.exec(html)?.[1] as string;
    expect((await asset(h.gateway, url)).status).toBe(200);
    for (const unknown of [
      url.replace(/\.[0-9a-f]{16}\./, '.0000000000000000.'),
      '/graphiql/assets/graphiql.js',
      '/graphiql/assets/../package.json',
      '/graphiql/assets/secrets.0123456789abcdef.js',
    ]) {
      expect((await asset(h.gateway, unknown)).status).toBe(404);
    }
  });
});
