import { type Dispatcher, Pool } from 'undici';

/** One attempt's answer, before any status is judged: the status, the parsed body and Retry-After. */
export interface RawResponse {
  status: number;
  /** The parsed JSON body; undefined for an empty body, or a non-JSON one (`notJson` says which). */
  body: unknown;
  notJson: boolean;
  /** Seconds from a Retry-After header, when there was one. */
  retryAfter: number | null;
  /** The response headers as undici hands them over (lower-cased names), for the upstream HTTP cache. */
  headers: Record<string, unknown>;
  /** Bytes of the body as received. */
  bytes: number;
}

export interface SendOptions {
  method: string;
  /** Path and query string, relative to the origin. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** How long the whole attempt may take, answer and body included. */
  timeoutMs: number;
  /** Where the attempt is registered while in flight, so that a client that leaves can stop it. */
  inFlight?: InFlight;
}

/** The calls a request has in flight: aborted together when its client goes away. */
export interface InFlight {
  add(abort: (reason: Error) => void): void;
  delete(abort: (reason: Error) => void): void;
}

export interface TransportOptions {
  origin: string;
  /** The largest body read; a larger one fails with undici's UND_ERR_RES_EXCEEDED_MAX_SIZE. */
  maxResponseBytes: number;
  /** The most connections open to this upstream at once; it bounds every fan-out of single GETs. */
  connections: number;
}

/** An attempt that took longer than its `timeoutMs`. */
export class AttemptTimeout extends Error {
  override name = 'AttemptTimeout';
}

/**
 * One long-lived connection pool per upstream, shared by every request: keep-alive saves a TCP (and TLS)
 * handshake per call, and the pool's bound caps how hard one gateway can hit an upstream. The pool is
 * bound to one origin, so no path can make it talk to another host, and it never follows redirects.
 * undici enforces the body cap while reading (and from Content-Length before), so an upstream that
 * answers 50 MB costs the gateway no more than the cap.
 *
 * An attempt is dispatched with a handler of its own rather than through undici's `request`: the body
 * is collected as bytes and parsed once, with no stream, promise chain or AbortController per call, and
 * the handler's controller is what a timeout or a departed client aborts.
 */
export class Transport {
  private readonly pool: Pool;

  constructor(options: TransportOptions) {
    this.pool = new Pool(options.origin, {
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      maxResponseSize: options.maxResponseBytes,
    });
  }

  send(options: SendOptions): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      this.pool.dispatch(
        {
          method: options.method as Dispatcher.HttpMethod,
          path: options.path,
          headers: options.headers,
          body: options.body,
          // The attempt's own timer below is the one deadline; undici's would only repeat it.
          headersTimeout: 0,
          bodyTimeout: 0,
        },
        new Attempt(options, resolve, reject),
      );
    });
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

/** One attempt as undici's dispatcher sees it: collects the answer, and is what a deadline aborts. */
class Attempt implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | null = null;
  private pending: Error | null = null;
  private status = 0;
  private retryAfter: string | undefined;
  private headers: Record<string, unknown> = {};
  private bytes = 0;
  private readonly chunks: Buffer[] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly abort = (reason: Error) => {
    if (this.controller) this.controller.abort(reason);
    else this.pending = reason;
  };
  // The error is made only when the timer fires: building one (its stack) costs more than the timer.
  private readonly expire = () => this.abort(new AttemptTimeout('attempt timed out'));

  constructor(
    private readonly options: SendOptions,
    private readonly resolve: (response: RawResponse) => void,
    private readonly reject: (error: Error) => void,
  ) {
    this.timer = setTimeout(this.expire, Math.max(1, options.timeoutMs));
    options.inFlight?.add(this.abort);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.pending) controller.abort(this.pending);
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, unknown>,
  ) {
    this.status = statusCode;
    this.headers = headers;
    const retryAfter = headers['retry-after'];
    this.retryAfter = typeof retryAfter === 'string' ? retryAfter : undefined;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
  }

  onResponseEnd(): void {
    this.settle();
    const text =
      this.chunks.length === 0
        ? ''
        : this.chunks.length === 1
          ? (this.chunks[0] as Buffer).toString('utf8')
          : Buffer.concat(this.chunks).toString('utf8');
    let body: unknown;
    let notJson = false;
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        notJson = true;
      }
    }
    this.resolve({
      status: this.status,
      body,
      notJson,
      retryAfter: this.retryAfter === undefined ? null : parseRetryAfter(this.retryAfter),
      headers: this.headers,
      bytes: this.bytes,
    });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.settle();
    this.reject(error);
  }

  private settle(): void {
    clearTimeout(this.timer);
    this.options.inFlight?.delete(this.abort);
  }
}

function parseRetryAfter(value: string): number | null {
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}
