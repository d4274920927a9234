import { type Dispatcher, Pool } from 'undici';

/** One attempt's answer, before any status is judged: the status, the parsed body and Retry-After. */
export interface RawResponse {
  status: number;
  /** The parsed JSON body; undefined for an empty body, or a non-JSON one (`notJson` says which). */
  body: unknown;
  notJson: boolean;
  /** Seconds from a Retry-After header, when there was one. */
  retryAfter: number | null;
}

export interface SendOptions {
  method: string;
  /** Path and query string, relative to the origin. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

export interface TransportOptions {
  origin: string;
  timeoutMs: number;
  /** The largest body read; a larger one fails with undici's UND_ERR_RES_EXCEEDED_MAX_SIZE. */
  maxResponseBytes: number;
  /** The most connections open to this upstream at once; it bounds every fan-out of single GETs. */
  connections: number;
}

/**
 * One long-lived connection pool per upstream, shared by every request: keep-alive saves a TCP (and TLS)
 * handshake per call, and the pool's bound caps how hard one gateway can hit an upstream. The pool is
 * bound to one origin, so no path can make it talk to another host, and it never follows redirects.
 * undici enforces the body cap while reading (and from Content-Length before), so an upstream that
 * answers 50 MB costs the gateway no more than the cap.
 */
export class Transport {
  private readonly pool: Pool;

  constructor(options: TransportOptions) {
    this.pool = new Pool(options.origin, {
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      maxResponseSize: options.maxResponseBytes,
    });
  }

  async send(options: SendOptions): Promise<RawResponse> {
    const response: Dispatcher.ResponseData = await this.pool.request({
      method: options.method as Dispatcher.HttpMethod,
      path: options.path,
      headers: options.headers,
      body: options.body,
      signal: options.signal,
    });
    const text = await response.body.text();
    let body: unknown;
    let notJson = false;
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        notJson = true;
      }
    }
    const retryAfter = response.headers['retry-after'];
    return {
      status: response.statusCode,
      body,
      notJson,
      retryAfter: typeof retryAfter === 'string' ? parseRetryAfter(retryAfter) : null,
    };
  }

  /** Closes the pool once its calls have ended; nothing to do after destroy(). */
  close(): Promise<void> {
    return this.pool.destroyed || this.pool.closed ? Promise.resolve() : this.pool.close();
  }

  /** Ends every connection at once, failing calls in flight (the end of a shutdown's grace period). */
  destroy(): Promise<void> {
    return this.pool.destroyed ? Promise.resolve() : this.pool.destroy();
  }
}

function parseRetryAfter(value: string): number | null {
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}
