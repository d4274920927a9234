import { createRequire } from 'node:module';
import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleAll,
} from 'cockatiel';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { GatewayError } from '../errors.js';

const require = createRequire(import.meta.url);

/** ioredis is loaded only by a gateway that has REDIS_URL: about 8 MB of RSS the others do not pay. */
function loadIoredis(): typeof import('ioredis') {
  return require('ioredis') as typeof import('ioredis');
}

/** `up`: commands are sent; `down`: disconnected, or skipped for a cooldown after a failure. */
export type StoreState = 'up' | 'down';

/** Why a store command failed, for the metrics: refused unsent (`unavailable`), unanswered, or refused by Redis. */
export type StoreFailure = 'unavailable' | 'timeout' | 'error';

export interface RedisLinkOptions {
  /** How long a sent command may wait for its answer. */
  commandTimeoutMs: number;
  /** After a failed command, how long every command is refused unsent before a background PING probes. */
  cooldownMs: number;
}

const DEFAULTS: RedisLinkOptions = { commandTimeoutMs: 1_000, cooldownMs: 1_000 };

/**
 * The one Redis connection of a gateway process, shared by the response cache and the APQ registry,
 * both of which treat Redis as a cache: a command that cannot run fails, and its caller reads a miss.
 *
 * A request pays for an outage at most once per cooldown. While ioredis is disconnected, commands are
 * refused without being sent (no offline queue). A server that hangs (paused, swapping) still looks
 * connected: the first command that fails or waits out `commandTimeoutMs` opens a circuit, every
 * command is then refused unsent, and a background PING, never a request, probes every `cooldownMs`
 * until one answers.
 */
export class RedisLink {
  readonly redis: Redis;
  private readonly circuit: CircuitBreakerPolicy;
  private probe: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    url: string,
    logger: Logger,
    private readonly options: RedisLinkOptions = DEFAULTS,
  ) {
    this.redis = new (loadIoredis().Redis)(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: options.commandTimeoutMs,
      connectionName: 'profile-gateway',
    });
    // ioredis reconnects by itself; without a listener each failed attempt would print a stack trace.
    let lastError = '';
    this.redis.on('error', (error: Error) => {
      if (error.message === lastError) return;
      lastError = error.message;
      logger.warn({ err: error.message }, 'redis unavailable: serving without the shared cache');
    });
    this.redis.on('ready', () => {
      lastError = '';
    });
    this.circuit = circuitBreaker(handleAll, {
      halfOpenAfter: options.cooldownMs,
      breaker: new ConsecutiveBreaker(1),
    });
    this.circuit.onBreak(() => {
      logger.warn(
        { cooldownMs: options.cooldownMs },
        'redis did not answer: skipping it until a probe succeeds',
      );
      this.scheduleProbe();
    });
    this.circuit.onReset(() => logger.info('redis answers again'));
  }

  get state(): StoreState {
    return this.redis.status === 'ready' && this.circuit.state === CircuitState.Closed ? 'up' : 'down';
  }

  /** Runs one command, or refuses it unsent (UPSTREAM_UNAVAILABLE) while the store is down. */
  async run<T>(command: (redis: Redis) => Promise<T>): Promise<T> {
    if (this.state === 'down') throw unavailable();
    try {
      return await this.circuit.execute(() => command(this.redis));
    } catch (error) {
      if (error instanceof BrokenCircuitError) throw unavailable();
      throw error;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.probe);
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private scheduleProbe(): void {
    if (this.closed) return;
    clearTimeout(this.probe);
    // A few ms past the cooldown: the circuit lets a call through only once it has fully elapsed.
    this.probe = setTimeout(() => {
      this.circuit.execute(() => this.redis.ping()).catch(() => {});
    }, this.options.cooldownMs + 10);
    this.probe.unref();
  }
}

function unavailable(): GatewayError {
  return new GatewayError('UPSTREAM_UNAVAILABLE', 'redis is unavailable; the command was not sent');
}

/** How a store command failed, from the error it rejected with. */
export function failureOf(error: unknown): StoreFailure {
  if (error instanceof GatewayError && error.code === 'UPSTREAM_UNAVAILABLE') return 'unavailable';
  if (error instanceof Error && error.message === 'Command timed out') return 'timeout';
  return 'error';
}
