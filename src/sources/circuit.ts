import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
} from 'cockatiel';
import { UpstreamError } from '../errors.js';
import type { SourceName } from './registry.js';

export type CircuitStateName = 'closed' | 'open' | 'half-open';

export interface CircuitOptions {
  /** Consecutive outage failures that open the circuit. */
  failures: number;
  /** How long an open circuit fails calls fast before it lets one probe through. */
  cooldownMs: number;
}

/**
 * A circuit breaker per source (cockatiel). After `failures` outages in a row, calls fail at once with
 * UPSTREAM_UNAVAILABLE for `cooldownMs` instead of each waiting out its timeout, then one probe is let
 * through: its success closes the circuit, its failure opens it again. An outage thus costs clients a
 * fast error, and the upstream no pile of retries while it recovers.
 */
export class Circuit {
  private readonly policy: CircuitBreakerPolicy;

  constructor(
    private readonly source: SourceName,
    private readonly options: CircuitOptions,
  ) {
    this.policy = circuitBreaker(
      // Only an outage counts: a 4xx is the caller's business and a cancelled call the client's.
      handleWhen((error) => error instanceof UpstreamError && error.outage),
      { halfOpenAfter: options.cooldownMs, breaker: new ConsecutiveBreaker(options.failures) },
    );
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await this.policy.execute(call);
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        throw new UpstreamError(
          'UPSTREAM_UNAVAILABLE',
          this.source,
          `${this.source} is failing; the gateway pauses calls to it for up to ${Math.ceil(this.options.cooldownMs / 1000)} s before trying again.`,
        );
      }
      throw error;
    }
  }

  get state(): CircuitStateName {
    switch (this.policy.state) {
      case CircuitState.Closed:
        return 'closed';
      case CircuitState.HalfOpen:
        return 'half-open';
      default:
        return 'open';
    }
  }

  /** Calls `listener` with the new state on every change (for metrics and logs). */
  onChange(listener: (state: CircuitStateName) => void): void {
    this.policy.onStateChange(() => listener(this.state));
  }
}
