import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendNodeResponse } from '@whatwg-node/server';
import { GatewayError } from '../errors.js';

/** Headers as the gateway reads them: lower-case names, one value each. */
export interface HeaderReader {
  get(name: string): string | null;
  has(name: string): boolean;
}

/** What an answer carries besides its body: header names as sent, one value each. */
export type OutgoingHeaders = Record<string, string>;

/**
 * One HTTP request to the gateway and the means to answer it, the same whether it came through node:http
 * or a fetch call (tests, embedding): the front door reads and answers through this, and never builds a
 * Request or a Response unless it hands the request to Yoga.
 */
export interface Exchange {
  readonly method: string;
  /** The absolute URL, as Yoga sees it (`http://<host>/graphql?…`). */
  readonly url: string;
  /** The path, without the query string. */
  readonly path: string;
  /** The query string with its `?`, or ''. */
  readonly search: string;
  readonly headers: HeaderReader;
  /** Aborted when the client goes away before its answer is sent. */
  readonly signal: AbortSignal;
  /** The whole body, refused with BodyTooLarge past `maxBytes` (by Content-Length before any is read). */
  body(maxBytes: number): Promise<Buffer>;
  /** Sends an answer made by the gateway itself. */
  send(status: number, headers: OutgoingHeaders, body: string | Uint8Array | null): void;
  /** Sends an answer Yoga made, streaming its body (multipart parts flush as they come). */
  sendResponse(response: Response): Promise<void>;
  /** This request for Yoga: its method, URL and headers, with the body already read. */
  toRequest(body: Buffer | null): Request;
}

/** A body over the limit: HTTP 413, and the connection is closed, since the rest of it is still coming. */
export class BodyTooLarge extends GatewayError {
  override name = 'BodyTooLarge';
  constructor(readonly maxBytes: number) {
    super('BAD_USER_INPUT', `Request body too large: at most ${maxBytes} bytes.`);
  }
}

/** A Content-Length that is not a number. */
export class BadContentLength extends GatewayError {
  override name = 'BadContentLength';
  constructor() {
    super('BAD_USER_INPUT', 'Content-Length header is invalid.');
  }
}

function declaredLength(headers: HeaderReader, maxBytes: number): number | null {
  const length = headers.get('content-length');
  if (length === null) return null;
  if (!/^\d+$/.test(length)) throw new BadContentLength();
  const bytes = Number(length);
  if (bytes > maxBytes) throw new BodyTooLarge(maxBytes);
  return bytes;
}

/** Node's IncomingMessage headers, read without copying them into a Headers object. */
class NodeHeaders implements HeaderReader {
  constructor(private readonly raw: IncomingMessage['headers']) {}
  get(name: string): string | null {
    const value = this.raw[name];
    if (value === undefined) return null;
    return typeof value === 'string' ? value : value.join(', ');
  }
  has(name: string): boolean {
    return this.raw[name] !== undefined;
  }
}

/** An Exchange over node:http's request and response (a class: one object per request, no closures). */
class NodeExchange implements Exchange {
  readonly method: string;
  readonly url: string;
  readonly path: string;
  readonly search: string;
  readonly headers: NodeHeaders;
  private readonly controller = new AbortController();

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
  ) {
    const target = req.url ?? '/';
    const query = target.indexOf('?');
    this.method = req.method ?? 'GET';
    this.url = `http://${req.headers.host ?? 'localhost'}${target}`;
    this.path = query === -1 ? target : target.slice(0, query);
    this.search = query === -1 ? '' : target.slice(query);
    this.headers = new NodeHeaders(req.headers);
    res.once('close', this.onClose);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  private readonly onClose = () => {
    if (!this.res.writableFinished) this.controller.abort();
  };

  body(maxBytes: number): Promise<Buffer> {
    const declared = declaredLength(this.headers, maxBytes);
    const req = this.req;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let total = 0;
      const onData = (chunk: Buffer) => {
        total += chunk.byteLength;
        if (total > maxBytes) {
          req.off('data', onData);
          req.pause();
          reject(new BodyTooLarge(maxBytes));
          return;
        }
        chunks.push(chunk);
      };
      req.on('data', onData);
      req.once('end', () =>
        resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, declared ?? total)),
      );
      req.once('error', reject);
    });
  }

  send(status: number, outgoing: OutgoingHeaders, body: string | Uint8Array | null): void {
    // With its length given, the answer goes out in one write and is not chunked.
    if (body !== null) outgoing['content-length'] = String(Buffer.byteLength(body));
    this.res.writeHead(status, outgoing);
    this.res.end(body ?? undefined);
  }

  async sendResponse(response: Response): Promise<void> {
    await sendNodeResponse(response as never, this.res, this.req as never, false);
  }

  toRequest(body: Buffer | null): Request {
    return new Request(this.url, {
      method: this.method,
      headers: this.req.headers as Record<string, string>,
      body: body && body.byteLength > 0 ? (body as Uint8Array<ArrayBuffer>) : undefined,
      signal: this.controller.signal,
    });
  }
}

/** An Exchange over node:http's request and response. */
export function nodeExchange(req: IncomingMessage, res: ServerResponse): Exchange {
  return new NodeExchange(req, res);
}

/** An Exchange over a fetch Request; `answer` resolves with the Response it sends. */
export function fetchExchange(request: Request): { exchange: Exchange; answer: Promise<Response> } {
  let respond!: (response: Response) => void;
  const answer = new Promise<Response>((resolve) => {
    respond = resolve;
  });
  const url = request.url;
  const start = url.indexOf('/', url.indexOf('//') + 2);
  const target = start === -1 ? '/' : url.slice(start);
  const query = target.indexOf('?');
  const exchange: Exchange = {
    method: request.method,
    url,
    path: query === -1 ? target : target.slice(0, query),
    search: query === -1 ? '' : target.slice(query),
    headers: request.headers,
    signal: request.signal,
    async body(maxBytes) {
      declaredLength(request.headers, maxBytes);
      if (!request.body) return Buffer.alloc(0);
      const chunks: Uint8Array[] = [];
      let total = 0;
      const reader = request.body.getReader();
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        total += chunk.value.byteLength;
        if (total > maxBytes) {
          await reader.cancel();
          throw new BodyTooLarge(maxBytes);
        }
        chunks.push(chunk.value);
      }
      return Buffer.concat(chunks, total);
    },
    send(status, headers, body) {
      respond(new Response(body as BodyInit | null, { status, headers }));
    },
    async sendResponse(response) {
      respond(response);
    },
    toRequest(body) {
      return new Request(url, {
        method: request.method,
        headers: request.headers,
        body: body && body.byteLength > 0 ? new Uint8Array(body) : undefined,
        signal: request.signal,
      });
    },
  };
  return { exchange, answer };
}
