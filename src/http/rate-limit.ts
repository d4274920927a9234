import type { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import type { RateLimitPolicy } from '../config/governance.js';
import type { Config } from '../config.js';
import { refusal } from '../errors.js';
import { callerScope } from '../plugins/use-response-cache.js';
import type { RedisLink } from '../stores/redis.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { HeaderReader, OutgoingHeaders } from './exchange.js';
import { memoryWindows, redisWindows, type WindowState, type Windows } from './rate-windows.js';

/** A request let in (or not) by its caller's bucket, and what settling it needs. */
export interface Admission {
  /** Set when the bucket is empty: the 429 to answer, with `headers`. */
  refused: GraphQLError | null;
  /** The RateLimit headers the answer carries. */
  headers: OutgoingHeaders;
  key: string;
  policy: RateLimitPolicy;
  /** Null when the store failed: the request is served and not counted. */
  windows: Windows | null;
}

export interface RateLimits {
  /** Before anything runs: the caller's bucket, and a refusal when it is empty (at once when in memory). */
  admit(headers: HeaderReader): Admission | Promise<Admission>;
  /** After the answer: takes the calls the request made past the first and returns its RateLimit headers. */
  settle(admission: Admission, calls: number): OutgoingHeaders | Promise<OutgoingHeaders>;
}

const FAILURE_LOG_INTERVAL_MS = 60_000;

/**
 * Budgets of upstream calls per caller (RATE_LIMIT), counted in fixed windows: in Redis
 * (rate-limiter-flexible) when the gateway has one, so every replica shares the bucket, else in memory.
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
  const stores = new Map<RateLimitPolicy, Windows>();
  // `RateLimit-Policy`: the quota and its window, in seconds; the same on every answer of a policy.
  const policyHeaders = new Map<RateLimitPolicy, string>();
  for (const policy of [limits.policy, ...limits.clients.values()]) {
    policyHeaders.set(policy, `"${policy.name}";q=${policy.points};w=${policy.windowSeconds}`);
    stores.set(
      policy,
      link
        ? redisWindows(link, policy.name, policy.points, policy.windowSeconds)
        : memoryWindows(policy.windowSeconds),
    );
  }
  const counted = {
    allowed: metrics?.rateLimited.labels({ outcome: 'allowed' }),
    limited: metrics?.rateLimited.labels({ outcome: 'limited' }),
    unavailable: metrics?.rateLimited.labels({ outcome: 'unavailable' }),
  };
  let lastLogged = 0;
  const failedOpen = (error: unknown) => {
    counted.unavailable?.inc();
    const now = Date.now();
    if (now - lastLogged >= FAILURE_LOG_INTERVAL_MS) {
      lastLogged = now;
      logger.warn({ err: (error as Error)?.message }, 'rate limits unavailable: serving without counting');
    }
  };
  /** The decision once the request's first point is taken: over the quota is a 429. */
  const decide = (admission: Admission, state: WindowState): Admission => {
    const { policy } = admission;
    if (state.consumedPoints > policy.points) {
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
  };
  const unavailable = (admission: Admission, error: unknown): Admission => {
    failedOpen(error);
    admission.windows = null;
    return admission;
  };
  return {
    admit(headers) {
      const client = headers.get(limits.clientHeader);
      const named = client === null ? undefined : limits.clients.get(client);
      const policy = named ?? limits.policy;
      const scope = scopeOf({ headers });
      const key = named ? `c:${policy.name}:${scope}` : `s:${scope}`;
      const windows = stores.get(policy) as Windows;
      const admission: Admission = {
        refused: null,
        headers: { 'ratelimit-policy': policyHeaders.get(policy) as string },
        key,
        policy,
        windows,
      };
      // One point taken now, the rest of the request's calls after it: a request of one call or none
      // costs one store command.
      const taken = windows.take(key, 1);
      return taken instanceof Promise
        ? taken.then(
            (state) => decide(admission, state),
            (error: unknown) => unavailable(admission, error),
          )
        : decide(admission, taken);
    },
    settle(admission, calls) {
      const { windows, policy, key, headers } = admission;
      if (!windows || calls <= 1) return headers;
      const taken = windows.take(key, calls - 1);
      if (!(taken instanceof Promise)) {
        headers.ratelimit = remainingOf(policy, taken);
        return headers;
      }
      return taken.then(
        (state) => {
          headers.ratelimit = remainingOf(policy, state);
          return headers;
        },
        (error: unknown) => {
          failedOpen(error);
          return headers;
        },
      );
    },
  };
}

function remainingOf(policy: RateLimitPolicy, state: WindowState) {
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
