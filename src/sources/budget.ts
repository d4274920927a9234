import { LimitError, type UpstreamCall, UpstreamError } from '../errors.js';
import type { RequestObserver } from './observer.js';
import type { SourceName } from './registry.js';
import type { InFlight } from './transport.js';

/** Upstream failures logged at warn per request; past it they go to debug, so one request's log stays small. */
const WARNINGS_PER_REQUEST = 5;

/**
 * What one upstream call runs within: a request's budget, or a call that several requests share
 * (flight.ts), whose deadline is the source's own and which no single request can abort.
 */
export interface CallScope extends InFlight {
  /** Epoch milliseconds past which the call is aborted; Infinity: the source's own timeout only. */
  readonly deadline: number;
  readonly timeoutMs: number;
  /** Who hears of the call's attempts, and whose request id it carries. */
  readonly observer: RequestObserver | null;
  /** Ends a retry's pause early. */
  readonly signal: AbortSignal | null;
}

/** The reason the calls of a request whose client went away are aborted with. */
export class ClientGone extends Error {
  override name = 'ClientGone';
  readonly code = 'CLIENT_GONE';
}

/**
 * What one GraphQL request may spend on the upstreams, whatever its shape: a number of calls
 * (MAX_UPSTREAM_CALLS), a deadline (REQUEST_TIMEOUT_MS) that bounds chains of calls such as page walks,
 * and the client's own signal, so that a client that leaves stops its calls. Aliases, `nodes`, entity
 * lists and page walks all draw on the same budget, so no query can cost an upstream more than it.
 *
 * There is no timer here: each attempt's own timer is set to the earlier of its source budget and this
 * deadline, and a call that would start past the deadline is refused at once. The calls in flight are
 * registered here, and one listener on the client's signal aborts them all when the client leaves.
 */
export class RequestBudget implements CallScope {
  /** Epoch milliseconds past which no call starts and every call in flight is aborted. */
  readonly deadline: number;
  private calls = 0;
  private warnings = 0;
  private readonly aborts = new Set<(reason: Error) => void>();
  private listening = false;

  constructor(
    readonly maxCalls: number,
    readonly timeoutMs: number,
    /** Aborted when the client goes away. */
    readonly signal: AbortSignal | null,
    /** Who is told of the request's upstream work (its telemetry); null reports nothing. */
    readonly observer: RequestObserver | null = null,
  ) {
    this.deadline = Date.now() + timeoutMs;
  }

  /** Takes one call from the budget, or throws the reason the request may make no more. */
  spend(source: SourceName): void {
    if (this.signal?.aborted) throw cancelled(source);
    if (Date.now() >= this.deadline) throw deadlinePassed(source, this.timeoutMs);
    if (this.calls >= this.maxCalls) {
      throw new LimitError(
        `This request has made the ${this.maxCalls} upstream calls one request may make (MAX_UPSTREAM_CALLS); ask for fewer objects per request.`,
        source,
      );
    }
    this.calls++;
    if (!this.listening && this.signal) {
      this.listening = true;
      this.signal.addEventListener('abort', () => this.abortAll(), { once: true });
    }
  }

  /** Whether another upstream failure of this request may be logged at warn. */
  mayWarn(): boolean {
    return ++this.warnings <= WARNINGS_PER_REQUEST;
  }

  add(abort: (reason: Error) => void): void {
    this.aborts.add(abort);
  }

  delete(abort: (reason: Error) => void): void {
    this.aborts.delete(abort);
  }

  private abortAll(): void {
    const reason = new ClientGone('the client went away');
    for (const abort of this.aborts) abort(reason);
  }
}

type CallDetails = { call?: UpstreamCall; cause?: unknown };

/** The client went away: nobody reads this error, but the call it ends must end. */
export function cancelled(source: SourceName, details: CallDetails = {}): UpstreamError {
  return new UpstreamError('UPSTREAM_ERROR', source, 'The request was cancelled by the client.', details);
}

/** The request's deadline passed, before a call started or while it waited. */
export function deadlinePassed(
  source: SourceName,
  timeoutMs: number,
  details: CallDetails = {},
): UpstreamError {
  return new UpstreamError(
    'UPSTREAM_TIMEOUT',
    source,
    `The request's deadline of ${timeoutMs} ms (REQUEST_TIMEOUT_MS) passed before ${source} answered.`,
    details,
  );
}
