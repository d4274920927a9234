import { getCORSHeadersByRequestAndOptions } from '@whatwg-node/server';
import {
  compress,
  compressible,
  compressResponse,
  MIN_COMPRESSED_BYTES,
  negotiateEncoding,
  varyWith,
} from './encoding.js';
import type { Exchange, HeaderReader, OutgoingHeaders } from './exchange.js';

/** CORS options for a request, as whatwg-node's CORS helper takes them; false: no CORS headers. */
export type CorsPolicy = (headers: HeaderReader) => false | { origin?: string[]; credentials?: boolean };

/** What the front door sends: an answer it made, or one Yoga made. */
export type Answer =
  | { status: number; headers: OutgoingHeaders; body: string | null; response?: undefined }
  | { response: Response };

/**
 * How every answer of the front door goes out, whoever made it: with the request id, the CORS headers
 * and `Cache-Control` (every GraphQL answer is its caller's own: `private, no-store` unless the response
 * cache said otherwise), compressed when it is worth it, and recorded (access log, metrics) just before.
 */
export function createResponder(cors: CorsPolicy | null) {
  /** The CORS headers of an answer (whatwg-node's rules, as Yoga applies them), and Vary: Origin while CORS is on. */
  function corsHeaders(headers: HeaderReader): OutgoingHeaders {
    if (!cors) return {};
    const options = cors(headers);
    const found = options
      ? (getCORSHeadersByRequestAndOptions({ headers } as never, options) as OutgoingHeaders | null)
      : null;
    const all = lowerCased(found ?? {});
    all.vary = varyWith(all.vary ?? null, 'Origin');
    return all;
  }

  /** Adds what every answer carries, compresses it when it is worth it, and sends it. */
  return async function send(
    exchange: Exchange,
    requestId: string,
    answer: Answer,
    record: (status: number) => void,
    limitHeaders?: OutgoingHeaders,
  ): Promise<void> {
    const extra = lowerCased({
      'x-request-id': requestId,
      ...corsHeaders(exchange.headers),
      ...limitHeaders,
    });
    if (answer.response) {
      const { response } = answer;
      for (const [name, value] of Object.entries(extra)) {
        response.headers.set(name, name === 'vary' ? varyWith(response.headers.get('vary'), value) : value);
      }
      if (!response.headers.has('cache-control')) response.headers.set('cache-control', 'private, no-store');
      const compressed = await compressResponse(
        exchange.method,
        exchange.headers.get('accept-encoding'),
        response,
      );
      record(compressed.status);
      await exchange.sendResponse(compressed);
      return;
    }
    const headers = { ...lowerCased(answer.headers), ...extra };
    if (answer.body !== null) headers['cache-control'] ??= 'private, no-store';
    record(answer.status);
    if (answer.body === null || !compressible(headers['content-type'] ?? null)) {
      exchange.send(answer.status, headers, answer.body);
      return;
    }
    headers.vary = varyWith(headers.vary ?? null, 'Accept-Encoding');
    const encoding = negotiateEncoding(exchange.headers.get('accept-encoding'));
    const bytes = Buffer.from(answer.body);
    if (!encoding || bytes.byteLength < MIN_COMPRESSED_BYTES) {
      exchange.send(answer.status, headers, bytes);
      return;
    }
    headers['content-encoding'] = encoding;
    exchange.send(answer.status, headers, await compress(bytes, encoding));
  };
}

function lowerCased(headers: OutgoingHeaders): OutgoingHeaders {
  const lower: OutgoingHeaders = {};
  for (const name in headers) lower[name.toLowerCase()] = headers[name] as string;
  return lower;
}
