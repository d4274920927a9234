import { createRequire } from 'node:module';
import type { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimitPolicy } from '../config/governance.js';
import type { Config } from '../config.js';
import { refusal } from '../errors.js';
import { callerScope } from '../plugins/use-response-cache.js';
import type { RedisLink } from '../stores/redis.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { HeaderReader, OutgoingHeaders } from './exchange.js';

const require = createRequire(import.meta.url);

/** rate-limiter-flexible is loaded only when RATE_LIMIT is set: a gateway without limits does not carry it. */
function flexible(): typeof import('rate-limiter-flexible') {
  return require('rate-limiter-flexible') as typeof import('rate-limiter-flexible');
}

/** A request let in (or not) by its caller's bucket, and what settling it needs. */
export interface Admission {
  /** Set when the bucket is empty: the 429 to answer, with `headers`. */
  refused: GraphQLError | null;
  /** The RateLimit headers the answer carries. */
  headers: OutgoingHeaders;
  key: string;
  policy: RateLimitPolicy;
  /** Null when the store failed: the request is served and not counted. */
  limiter: RateLimiterAbstract | null;
}

export interface RateLimits {
  /** Before anything runs: the caller's bucket, and a refusal when it is empty. */
  admit(headers: HeaderReader): Promise<Admission>;
  /** After the answer: takes the rest of the calls the request made (admit took one) and returns its RateLimit headers. */
  settle(admission: Admission, calls: number): Promise<OutgoingHeaders>;
}

const FAILURE_LOG_INTERVAL_MS = 60_000;

/**
 * Budgets of upstream calls per caller (RATE_LIMIT), counted in rate-limiter-flexible's fixed windows:
 * in Redis when the gateway has one (every replica shares the bucket), else in this process's memory.
 * A caller is its credentials' HMAC (the response cache's scope, plus the gateway token's header when
 * auth is on). A named client (RATE_LIMIT_CLIENT_HEADER) gets its own budget only when RATE_LIMIT_CLIENTS
 * names it, and then per client *and* caller: a made-up name falls back to the caller's default bucket, and
 * no caller can spend another caller's. While Redis fails, requests are served uncounted (fail open).
 */
export function createRateLimits(
  config: Config,
  link: RedisLink | null,
  logger: Logger,
  metrics: Metrics | null,
): RateLimits | null {
  const limits = config.governance.rateLimit;
  if (!limits) return null;
  const extra = config.governance.auth ? [config.governance.auth.tokenHeader] : [];
  const scopeOf = callerScope(config, limits.secret, extra);
  const limiters = new Map<RateLimitPolicy, RateLimiterAbstract>();
  // `RateLimit-Policy`: the quota and its window, in seconds; the same on every answer of a policy.
  const policyHeaders = new Map<RateLimitPolicy, string>();
  for (const policy of [limits.policy, ...limits.clients.values()]) {
    policyHeaders.set(policy, `"${policy.name}";q=${policy.points};w=${policy.windowSeconds}`);
    const options = { points: policy.points, duration: policy.windowSeconds, keyPrefix: `rl:${policy.name}` };
    limiters.set(
      policy,
      link
        ? new (flexible().RateLimiterRedis)({
            ...options,
            storeClient: link.redis,
            rejectIfRedisNotReady: true,
          })
        : new (flexible().RateLimiterMemory)(options),
    );
  }
  const counted = {
    allowed: metrics?.rateLimited.labels({ outcome: 'allowed' }),
    limited: metrics?.rateLimited.labels({ outcome: 'limited' }),
    unavailable: metrics?.rateLimited.labels({ outcome: 'unavailable' }),
  };
  let lastLogged = 0;
  // Through the link's circuit: a store that is down or hung refuses at once instead of per request.
  const run = <T>(command: () => Promise<T>): Promise<T> => (link ? link.run(command) : command());
  const failedOpen = (error: unknown) => {
    counted.unavailable?.inc();
    const now = Date.now();
    if (now - lastLogged >= FAILURE_LOG_INTERVAL_MS) {
      lastLogged = now;
      logger.warn({ err: (error as Error)?.message }, 'rate limits unavailable: serving without counting');
    }
  };
  return {
    async admit(headers) {
      const client = headers.get(limits.clientHeader);
      const named = client === null ? undefined : limits.clients.get(client);
      const policy = named ?? limits.policy;
      const scope = scopeOf({ headers });
      const key = named ? `c:${policy.name}:${scope}` : `s:${scope}`;
      const limiter = limiters.get(policy) as RateLimiterAbstract;
      const admission: Admission = {
        refused: null,
        headers: { 'ratelimit-policy': policyHeaders.get(policy) as string },
        key,
        policy,
        limiter,
      };
      // One point taken now, the rest of the request's calls after it: a request of one call or none
      // costs one store command. An over-limit answer resolves (it is no store failure for the circuit).
      let state: { consumedPoints: number; msBeforeNext: number; over?: true };
      try {
        state = await run(() =>
          limiter.consume(key, 1).catch((e: unknown) => {
            if (e instanceof Error) throw e;
            const res = e as { consumedPoints: number; msBeforeNext: number };
            return {
              consumedPoints: res.consumedPoints,
              msBeforeNext: res.msBeforeNext,
              over: true as const,
            };
          }),
        );
      } catch (error) {
        failedOpen(error);
        return { ...admission, limiter: null };
      }
      if (state.over) {
        counted.limited?.inc();
        const retryAfter = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
        admission.headers.ratelimit = rateHeader(policy, 0, retryAfter);
        admission.headers['retry-after'] = String(retryAfter);
        admission.refused = refusal(
          'RATE_LIMITED',
          `Rate limit reached: ${policy.points} upstream calls per ${policy.windowSeconds} s (policy ${policy.name}); retry in ${retryAfter} s.`,
          429,
          { retryAfter },
        );
        return admission;
      }
      counted.allowed?.inc();
      admission.headers.ratelimit = remainingOf(policy, state);
      return admission;
    },
    async settle(admission, calls) {
      const { limiter, policy, key } = admission;
      if (!limiter || calls <= 1) return admission.headers;
      try {
        const state = await run(() => limiter.penalty(key, calls - 1));
        admission.headers.ratelimit = remainingOf(policy, state);
        return admission.headers;
      } catch (error) {
        failedOpen(error);
        return admission.headers;
      }
    },
  };
}

function remainingOf(policy: RateLimitPolicy, state: { consumedPoints: number; msBeforeNext: number }) {
  return rateHeader(
    policy,
    policy.points - state.consumedPoints,
    Math.max(1, Math.ceil(state.msBeforeNext / 1000)),
  );
}

/** `RateLimit` (draft-ietf-httpapi-ratelimit-headers): what remains of the quota, and the seconds until the window resets. */
function rateHeader(policy: RateLimitPolicy, remaining: number, reset: number): string {
  return `"${policy.name}";r=${Math.max(0, remaining)};t=${reset}`;
}
