import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * The one Redis connection of a gateway process, shared by the response cache and the APQ registry.
 * Both treat Redis as a cache: when it is slow or down, a read is a miss and a write is dropped, so a
 * request never waits on Redis longer than `commandTimeout` and never fails because of it.
 */
export function connectRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    // Fail a command fast instead of queueing it for the next reconnect: a miss beats a stalled request.
    maxRetriesPerRequest: 1,
    commandTimeout: 1_000,
    connectionName: 'profile-gateway',
  });
  // ioredis reconnects by itself; without a listener each failed attempt would print a stack trace.
  let lastError = '';
  redis.on('error', (error: Error) => {
    if (error.message === lastError) return;
    lastError = error.message;
    logger.warn({ err: error.message }, 'redis unavailable: serving without the shared cache');
  });
  redis.on('ready', () => {
    lastError = '';
  });
  return redis;
}
