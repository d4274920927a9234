import type { Plugin } from 'graphql-yoga';
import {
  compress,
  compressible,
  MIN_COMPRESSED_BYTES,
  negotiateEncoding,
  varyWith,
} from '../http/encoding.js';

/**
 * Compresses answers of 1 KB and more (a 24-member answer, an error page) with br or gzip, as the
 * request's `Accept-Encoding` allows. whatwg-node's own plugin compresses every body however small, as
 * a stream, and also inflates compressed request bodies, which would undo the request body limit.
 */
export function useCompression(): Plugin {
  return {
    async onResponse({ request, response, setResponse }) {
      const type = response.headers.get('content-type');
      if (!compressible(type) || !response.body || response.headers.has('content-encoding')) return;
      response.headers.set('vary', varyWith(response.headers.get('vary'), 'Accept-Encoding'));
      const encoding = negotiateEncoding(request.headers.get('accept-encoding'));
      if (!encoding || request.method === 'HEAD') return;
      const length = response.headers.get('content-length');
      if (length !== null && Number(length) < MIN_COMPRESSED_BYTES) return;
      const body = new Uint8Array(await response.arrayBuffer());
      const headers = new Headers(response.headers);
      if (body.byteLength < MIN_COMPRESSED_BYTES) {
        setResponse(new Response(body, { status: response.status, headers }));
        return;
      }
      const compressed = await compress(body, encoding);
      headers.set('content-encoding', encoding);
      headers.set('content-length', String(compressed.byteLength));
      setResponse(new Response(compressed as Uint8Array<ArrayBuffer>, { status: response.status, headers }));
    },
  };
}
