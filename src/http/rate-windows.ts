import { createRequire } from 'node:module';
import { LRUCache } from 'lru-cache';
import type { RedisLink } from '../stores/redis.js';

const require = createRequire(import.meta.url);

/** A key's fixed window after points were added to it. */
export interface WindowState {
  consumedPoints: number;
  msBeforeNext: number;
}

/** Fixed windows of points per key; `take` adds points and answers the window's state after. */
export interface Windows {
  take(key: string, points: number): WindowState | Promise<WindowState>;
}

/** Callers whose windows one process keeps: each is a key of ~60 bytes and two numbers. */
export const MAX_MEMORY_WINDOWS = 100_000;

/**
 * This process's windows, answered synchronously: awaiting a store in memory cost Q1 about 4% of its
 * CPU in the promise hops alone. Bounded by count (keys are HMACs, so by bytes too), least recently used
 * first out: an evicted caller starts a fresh window, which a caller could get anyway with a new credential.
 */
export function memoryWindows(
  windowSeconds: number,
  maxKeys = MAX_MEMORY_WINDOWS,
): { take(key: string, points: number): WindowState } {
  const windows = new LRUCache<string, { consumed: number; resetAt: number }>({ max: maxKeys });
  return {
    take(key, points) {
      const now = Date.now();
      let window = windows.get(key);
      if (!window || window.resetAt <= now) {
        window = { consumed: 0, resetAt: now + windowSeconds * 1000 };
        windows.set(key, window);
      }
      window.consumed += points;
      return { consumedPoints: window.consumed, msBeforeNext: window.resetAt - now };
    },
  };
}

/**
 * Windows in Redis, shared by every replica, kept by rate-limiter-flexible (loaded only when a gateway
 * limits rates over Redis), through the link's circuit: a store that is down or hung refuses at once.
 */
export function redisWindows(link: RedisLink, name: string, points: number, windowSeconds: number): Windows {
  const { RateLimiterRedis } = require('rate-limiter-flexible') as typeof import('rate-limiter-flexible');
  const limiter = new RateLimiterRedis({
    points,
    duration: windowSeconds,
    keyPrefix: `rl:${name}`,
    storeClient: link.redis,
    rejectIfRedisNotReady: true,
  });
  return { take: (key, taken) => link.run(() => limiter.penalty(key, taken)) };
}
