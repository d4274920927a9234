import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { GraphiQLOptions, Plugin } from 'graphql-yoga';
import { negotiateEncoding } from '../http/encoding.js';

type Bundle = typeof import('@graphql-yoga/render-graphiql/graphiql');
type Encoding = 'br' | 'gzip' | 'identity';

export interface GraphiQLAssetsOptions {
  /** Path of the GraphQL endpoint, where Yoga answers a browser's GET with the GraphiQL page. */
  graphqlEndpoint: string;
}

/** Where the assets are served, each as `<name>.<hash>.<ext>`. */
const GRAPHIQL_ASSETS_PATH = '/graphiql/assets/';
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** A page shorter than this goes out as it is: compressing it saves less than the headers weigh. */
const MIN_COMPRESSED_BYTES = 1024;

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);
const require = createRequire(import.meta.url);

interface AssetSpec {
  name: string;
  ext: string;
  contentType: string;
  /** The key under which the page's MonacoEnvironment.getWorkerUrl is asked for this worker. */
  workerLabel?: string;
  bytes(bundle: Bundle): Buffer;
}

const JS = 'text/javascript; charset=utf-8';
const SPECS: AssetSpec[] = [
  { name: 'graphiql', ext: 'css', contentType: 'text/css; charset=utf-8', bytes: (b) => Buffer.from(b.css) },
  { name: 'graphiql', ext: 'js', contentType: JS, bytes: (b) => Buffer.from(b.js) },
  {
    name: 'editor-worker',
    ext: 'js',
    contentType: JS,
    workerLabel: 'editorWorkerService',
    bytes: (b) => Buffer.from(b.editorWorkerService),
  },
  {
    name: 'json-worker',
    ext: 'js',
    contentType: JS,
    workerLabel: 'json',
    bytes: (b) => Buffer.from(b.jsonWorker),
  },
  {
    name: 'graphql-worker',
    ext: 'js',
    contentType: JS,
    workerLabel: 'graphql',
    bytes: (b) => Buffer.from(b.graphqlWorker),
  },
  // The package has it as a base64 data: URL, which would weigh 150 KB in every page.
  {
    name: 'favicon',
    ext: 'ico',
    contentType: 'image/x-icon',
    bytes: (b) => Buffer.from(b.favicon.slice(b.favicon.indexOf(',') + 1), 'base64'),
  },
];
const ASSET_FILE = /^[a-z-]+\.[0-9a-f]{16}\.(js|css|ico)$/;

class Asset {
  /** Each encoding of the bytes, made on its first request and kept. */
  private readonly encoded = new Map<Encoding, Promise<Buffer>>();

  constructor(
    readonly spec: AssetSpec,
    private readonly bundle: Bundle,
    readonly hash: string,
  ) {}

  get file(): string {
    return `${this.spec.name}.${this.hash}.${this.spec.ext}`;
  }

  get url(): string {
    return `${GRAPHIQL_ASSETS_PATH}${this.file}`;
  }

  body(encoding: Encoding): Promise<Buffer> {
    let body = this.encoded.get(encoding);
    if (!body) {
      body = encode(this.spec.bytes(this.bundle), encoding);
      this.encoded.set(encoding, body);
    }
    return body;
  }
}

let loaded: Map<string, Asset> | undefined;

/**
 * GraphiQL's assets by file name, from @graphql-yoga/render-graphiql's 9 MB bundle, loaded on the first
 * page or asset asked for: a gateway that never serves GraphiQL (production) never holds it in memory.
 */
function assets(): Map<string, Asset> {
  if (!loaded) {
    const bundle = require('@graphql-yoga/render-graphiql/graphiql') as Bundle;
    loaded = new Map();
    for (const spec of SPECS) {
      const hash = createHash('sha256').update(spec.bytes(bundle)).digest('hex').slice(0, 16);
      const asset = new Asset(spec, bundle, hash);
      loaded.set(asset.file, asset);
    }
  }
  return loaded;
}

/**
 * The GraphiQL page for Yoga's `renderGraphiQL`: @graphql-yoga/render-graphiql's page (same options),
 * with its script, styles, Monaco workers and icon as links to content-hashed assets rather than inlined,
 * so the page weighs a few KB and a browser keeps the 9 MB of assets until they change.
 */
export function renderGraphiQLPage(options: GraphiQLOptions): string {
  const urls = new Map([...assets().values()].map((a) => [`${a.spec.name}.${a.spec.ext}`, a.url]));
  const workers = Object.fromEntries(
    [...assets().values()].filter((a) => a.spec.workerLabel).map((a) => [a.spec.workerLabel, a.url]),
  );
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(options.title || 'Yoga GraphiQL')}</title>
    <link rel="icon" href="${escapeHtml(options.favicon || (urls.get('favicon.ico') as string))}" />
    <link rel="stylesheet" href="${urls.get('graphiql.css')}" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run this app.</noscript>
    <div id="root"></div>
    <script>
      self['MonacoEnvironment'] = {
        globalAPI: false,
        getWorkerUrl: function (moduleId, label) {
          return ${scriptJson(workers)}[label];
        },
      };
    </script>
    <script src="${urls.get('graphiql.js')}"></script>
    <script>
      YogaGraphiQL.renderYogaGraphiQL(window.document.querySelector('#root'), ${scriptJson(options)});
    </script>
  </body>
</html>
`;
}

/**
 * Serves the assets the GraphiQL page links to (only add it when GraphiQL is on): each is immutable for a
 * year, since its URL changes with its bytes, and compressed as the request's Accept-Encoding allows. The
 * page itself gets `no-cache` with an ETag, so a browser revalidates it, and is compressed too.
 */
export function useGraphiQLAssets({ graphqlEndpoint }: GraphiQLAssetsOptions): Plugin {
  let page: { html: string; hash: string; encoded: Map<Encoding, Promise<Buffer>> } | undefined;

  const servePage = async (request: Request, response: Response): Promise<Response> => {
    const html = await response.text();
    if (page?.html !== html) {
      page = { html, hash: createHash('sha256').update(html).digest('hex').slice(0, 16), encoded: new Map() };
    }
    const current = page;
    const encoding = Buffer.byteLength(html) < MIN_COMPRESSED_BYTES ? 'identity' : negotiate(request);
    let body = current.encoded.get(encoding);
    if (!body) {
      body = encode(Buffer.from(html), encoding);
      current.encoded.set(encoding, body);
    }
    const headers = new Headers(response.headers);
    headers.set('content-type', 'text/html; charset=utf-8');
    return represent(request, headers, 'no-cache', current.hash, encoding, body);
  };

  return {
    onRequest({ request, url, endResponse }) {
      if (!url.pathname.startsWith(GRAPHIQL_ASSETS_PATH)) return;
      if (request.method !== 'GET' && request.method !== 'HEAD') return;
      const file = url.pathname.slice(GRAPHIQL_ASSETS_PATH.length);
      // The file name's shape is checked first, so that a stray request loads nothing.
      const asset = ASSET_FILE.test(file) ? assets().get(file) : undefined;
      if (!asset) {
        endResponse(new Response('Not found', { status: 404, headers: { 'cache-control': 'no-store' } }));
        return;
      }
      const encoding = negotiate(request);
      const headers = new Headers({
        'content-type': asset.spec.contentType,
        'x-content-type-options': 'nosniff',
      });
      return represent(request, headers, IMMUTABLE, asset.hash, encoding, asset.body(encoding)).then(
        endResponse,
      );
    },
    onResponse({ request, response, setResponse }) {
      if (request.method !== 'GET' || !response.headers.get('content-type')?.startsWith('text/html')) return;
      if (response.headers.has('content-encoding')) return;
      // Yoga serves the page with a trailing slash too.
      const path = new URL(request.url).pathname;
      if (path !== graphqlEndpoint && path !== `${graphqlEndpoint}/`) return;
      return servePage(request, response).then(setResponse);
    },
  };
}

/** One representation of a resource: its caching headers, its ETag (one per encoding), 304 on a match. */
async function represent(
  request: Request,
  headers: Headers,
  cacheControl: string,
  hash: string,
  encoding: Encoding,
  body: Promise<Buffer>,
): Promise<Response> {
  const etag = `"${hash}${encoding === 'identity' ? '' : `-${encoding}`}"`;
  headers.set('cache-control', cacheControl);
  headers.set('etag', etag);
  headers.set('vary', 'Accept-Encoding');
  const ifNoneMatch = request.headers.get('if-none-match');
  if (ifNoneMatch?.split(',').some((tag) => tag.trim() === etag || tag.trim() === '*')) {
    headers.delete('content-type');
    return new Response(null, { status: 304, headers });
  }
  const bytes = await body;
  if (encoding !== 'identity') headers.set('content-encoding', encoding);
  headers.set('content-length', String(bytes.byteLength));
  // A view of the kept bytes, not a copy of them.
  const view = new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
  return new Response(request.method === 'HEAD' ? null : view, { status: 200, headers });
}

function negotiate(request: Request): Encoding {
  return negotiateEncoding(request.headers.get('accept-encoding')) ?? 'identity';
}

/** Compressed once per asset and encoding, so the top settings short of brotli's slowest (11) pay off. */
function encode(bytes: Buffer, encoding: Encoding): Promise<Buffer> {
  if (encoding === 'br') {
    return brotli(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 9,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength,
      },
    });
  }
  if (encoding === 'gzip') return gzipped(bytes, { level: 9 });
  return Promise.resolve(bytes);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON inside a <script>: a `</script>` in a string (an example query, a header) must not end it. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value ?? {}).replace(/</g, '\\u003c');
}
