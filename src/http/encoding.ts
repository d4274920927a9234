import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

export type Encoding = 'br' | 'gzip';

/** Bodies shorter than this go out as they are: compressing them saves less than the headers weigh. */
export const MIN_COMPRESSED_BYTES = 1024;

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

/**
 * The encoding to answer with for an `Accept-Encoding` header: br, else gzip, else none. Weights are
 * honoured as far as they refuse (`br;q=0`); between two accepted encodings br wins, being smaller.
 */
export function negotiateEncoding(acceptEncoding: string | null | undefined): Encoding | null {
  if (!acceptEncoding) return null;
  const accepted = new Map<string, boolean>();
  for (const part of acceptEncoding.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    accepted.set(name.trim(), q === undefined || Number(q.slice(2)) > 0);
  }
  const ok = (name: string) => accepted.get(name) ?? accepted.get('*') ?? false;
  if (ok('br')) return 'br';
  if (ok('gzip') || accepted.get('x-gzip')) return 'gzip';
  return null;
}

/**
 * Compresses a dynamic answer: brotli at quality 4 and gzip at level 6, the usual settings for bodies
 * made per request (the top qualities cost many times the CPU for a few percent). Runs on libuv's pool.
 */
export function compress(body: Uint8Array, encoding: Encoding): Promise<Buffer> {
  return encoding === 'br'
    ? brotli(body, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: 4,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength,
        },
      })
    : gzipped(body, { level: 6 });
}

/** Types worth compressing; multipart and event streams are left alone, since each part must flush. */
export function compressible(contentType: string | null): boolean {
  if (!contentType) return false;
  return /^(application\/(graphql-response\+)?json|text\/(html|plain|css|javascript)|application\/javascript)\b/i.test(
    contentType,
  );
}

/** Adds `token` to a Vary header value unless it is there already. */
export function varyWith(vary: string | null, token: string): string {
  if (!vary) return token;
  const tokens = vary.split(',').map((t) => t.trim().toLowerCase());
  return tokens.includes(token.toLowerCase()) || tokens.includes('*') ? vary : `${vary}, ${token}`;
}

/** Compresses an answer Yoga made, unless it is streamed (a multipart answer flushes part by part). */
export async function compressResponse(
  method: string,
  acceptEncoding: string | null,
  response: Response,
): Promise<Response> {
  if (!compressible(response.headers.get('content-type')) || !response.body) return response;
  if (response.headers.has('content-encoding')) return response;
  response.headers.set('vary', varyWith(response.headers.get('vary'), 'Accept-Encoding'));
  const encoding = negotiateEncoding(acceptEncoding);
  if (!encoding || method === 'HEAD') return response;
  const bytes = new Uint8Array(await response.arrayBuffer());
  const headers = new Headers(response.headers);
  if (bytes.byteLength < MIN_COMPRESSED_BYTES)
    return new Response(bytes, { status: response.status, headers });
  const compressed = await compress(bytes, encoding);
  headers.set('content-encoding', encoding);
  headers.set('content-length', String(compressed.byteLength));
  return new Response(compressed as Uint8Array<ArrayBuffer>, { status: response.status, headers });
}
