import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { flag } from './fields.js';

/** Work shared across requests on the upstream path: single-flight and the upstream HTTP cache. */
export interface UpstreamSharingConfig {
  /** Identical GETs in flight at once, with one credential, are one call (UPSTREAM_DEDUPE, on by default). */
  dedupe: boolean;
  /** Where the RFC 9111 cache of upstream GET answers lives; null: off (the default). */
  cache: 'memory' | 'redis' | null;
  /** The in-memory cache's bound, bytes of the bodies it holds. */
  cacheMaxBytes: number;
  /** Key of the HMAC that turns the credential sent upstream into a scope (RESPONSE_CACHE_SECRET, shared). */
  secret: Buffer;
}

/** The environment variables of the upstream sharing. */
export const upstreamSharingShape = {
  UPSTREAM_DEDUPE: flag.optional(),
  UPSTREAM_CACHE: z.enum(['off', 'memory', 'redis'], { error: 'must be off, memory or redis' }).optional(),
  UPSTREAM_CACHE_MAX_BYTES: z.coerce
    .number({ error: 'must be a whole number of bytes' })
    .int('must be a whole number of bytes')
    .min(65_536, 'must be at least 65536')
    .max(4_294_967_296, 'must be at most 4294967296')
    .optional(),
};

type SharingEnv = {
  UPSTREAM_DEDUPE?: boolean;
  UPSTREAM_CACHE?: 'off' | 'memory' | 'redis';
  UPSTREAM_CACHE_MAX_BYTES?: number;
  REDIS_URL?: string;
  RESPONSE_CACHE_SECRET?: string;
};

/** The sharing settings from the parsed environment, and the problems (variable: message) that stop the boot. */
export function upstreamSharingConfig(e: SharingEnv): { config: UpstreamSharingConfig; problems: string[] } {
  const problems: string[] = [];
  const cache = e.UPSTREAM_CACHE === undefined || e.UPSTREAM_CACHE === 'off' ? null : e.UPSTREAM_CACHE;
  if (cache === 'redis' && !e.REDIS_URL) {
    problems.push('UPSTREAM_CACHE: redis needs REDIS_URL (or use memory)');
  }
  if (cache === 'redis' && !e.RESPONSE_CACHE_SECRET) {
    problems.push(
      'RESPONSE_CACHE_SECRET: required when UPSTREAM_CACHE=redis (every instance must derive the same scope from the same credential)',
    );
  }
  return {
    config: {
      dedupe: e.UPSTREAM_DEDUPE ?? true,
      cache,
      cacheMaxBytes: e.UPSTREAM_CACHE_MAX_BYTES ?? 16 * 1024 * 1024,
      secret: e.RESPONSE_CACHE_SECRET ? Buffer.from(e.RESPONSE_CACHE_SECRET) : randomBytes(32),
    },
    problems,
  };
}
