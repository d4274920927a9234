import { type CallScope, ClientGone, cancelled, deadlinePassed, type RequestBudget } from './budget.js';
import type { RequestObserver } from './observer.js';
import type { SourceName } from './registry.js';

/**
 * One upstream call several requests wait for (single-flight), run within the source's own timeout, which
 * no single request's deadline or abort can end: each waits with its own, and leaving stops only its wait.
 * Once every request waiting has left, the call has no one to answer, and it is aborted.
 */
export class Flight<T> implements CallScope {
  /** The call's only deadline is the source's own timeout, set on each attempt. */
  readonly deadline = Number.POSITIVE_INFINITY;
  readonly signal = null;
  /** When the call will have ended at the latest; a request whose deadline is earlier keeps its own timer. */
  readonly endsBy: number;
  private readonly aborts = new Set<(reason: Error) => void>();
  private waiting = 0;
  private settled = false;
  private abandoned = false;
  private answer: Promise<T> | undefined;

  constructor(
    /** The request that started the call: its attempts are counted there and carry its request id. */
    readonly observer: RequestObserver | null,
    /** How long the call may take at most: the source's timeout, retries included (and a cache read). */
    readonly timeoutMs: number,
    /** Told when every request waiting has left, before the call is aborted. */
    private readonly onAbandon: () => void,
  ) {
    this.endsBy = Date.now() + timeoutMs;
  }

  /** Starts the call; `run` sends it within this flight (its attempts register here to be abortable). */
  start(run: (scope: CallScope) => Promise<T>): void {
    const answer = run(this);
    this.answer = answer;
    const settle = () => {
      this.settled = true;
    };
    // Nobody may be waiting any more when it fails (all left): the failure is then nobody's to report.
    answer.then(settle, settle);
  }

  /** Whether nobody waits any more and the call was aborted. */
  get isAbandoned(): boolean {
    return this.abandoned;
  }

  add(abort: (reason: Error) => void): void {
    // A retry's attempt that starts after everyone left is aborted at once.
    if (this.abandoned) abort(new ClientGone('every request waiting for this call has left'));
    else this.aborts.add(abort);
  }

  delete(abort: (reason: Error) => void): void {
    this.aborts.delete(abort);
  }

  /**
   * The call's answer for one request, within that request's deadline and abort. `budget` null waits
   * for the answer whatever happens (a call made outside any request).
   */
  wait(budget: RequestBudget | null, source: SourceName, path: string): Promise<T> {
    const answer = this.answer as Promise<T>;
    this.waiting++;
    if (budget === null) return answer;
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let gone = false;
      const done = () => {
        clearTimeout(timer);
        budget.delete(leave);
      };
      const leave = (reason: Error) => {
        if (gone) return;
        gone = true;
        done();
        this.left();
        const call = { method: 'GET', path, status: null };
        reject(reason instanceof ClientGone ? cancelled(source, { call, cause: reason }) : reason);
      };
      budget.add(leave);
      if (budget.deadline < this.endsBy) {
        // The error is built only if the timer fires, as an attempt's own timer does.
        timer = setTimeout(
          () =>
            leave(deadlinePassed(source, budget.timeoutMs, { call: { method: 'GET', path, status: null } })),
          Math.max(1, budget.deadline - Date.now()),
        );
      }
      answer.then(
        (value) => {
          done();
          resolve(value);
        },
        (error: unknown) => {
          done();
          reject(error);
        },
      );
    });
  }

  private left(): void {
    if (--this.waiting > 0 || this.settled) return;
    this.abandoned = true;
    this.onAbandon();
    const reason = new ClientGone('every request waiting for this call has left');
    for (const abort of this.aborts) abort(reason);
  }
}
