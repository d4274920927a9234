import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { headerName } from './fields.js';

/** One rate-limit policy: `points` upstream calls per `windowSeconds`. */
export interface RateLimitPolicy {
  /** The policy's name in the RateLimit headers: `default`, or the client's name. */
  name: string;
  points: number;
  windowSeconds: number;
}

export interface RateLimitConfig {
  /** Every caller's budget unless a named client has its own. */
  policy: RateLimitPolicy;
  /** Budgets of named clients (RATE_LIMIT_CLIENTS), keyed by the client name. */
  clients: ReadonlyMap<string, RateLimitPolicy>;
  /** Lower-cased header naming the client (RATE_LIMIT_CLIENT_HEADER). */
  clientHeader: string;
  /** Key of the HMAC that turns credentials into the caller's bucket (RESPONSE_CACHE_SECRET, shared with the cache). */
  secret: Buffer;
}

export interface AuthConfig {
  /** Where the signing keys are published (a JWKS document). */
  jwksUrl: URL;
  /** The `iss` a token must carry; null: any. */
  issuer: string | null;
  /** The `aud` a token must carry; null: any. */
  audience: string | null;
  /** Lower-cased header carrying the gateway's own bearer token. */
  tokenHeader: string;
}

export interface GovernanceConfig {
  /** `always`: every answer carries `extensions.cost`; `on-request`: only when asked (x-gateway-cost). */
  costExtension: 'always' | 'on-request';
  /** Null unless RATE_LIMIT is set. */
  rateLimit: RateLimitConfig | null;
  /** Null unless AUTH_JWKS_URL is set. */
  auth: AuthConfig | null;
}

// `600/60s`, `100/1m`, `5000/1h`: calls per window.
const RATE = /^(\d{1,9})\/(\d{1,6})(s|m|h)$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600 } as const;

function parseRate(text: string): { points: number; windowSeconds: number } | null {
  const match = RATE.exec(text.trim());
  if (!match) return null;
  const points = Number(match[1]);
  const windowSeconds = Number(match[2]) * UNIT_SECONDS[match[3] as keyof typeof UNIT_SECONDS];
  if (points < 1 || windowSeconds < 1 || windowSeconds > 86_400) return null;
  return { points, windowSeconds };
}

const RATE_HINT = 'must be calls/window such as 600/60s (window in s, m or h, at most 24h; calls at least 1)';

const rate = z.string().transform((v, ctx) => {
  const parsed = parseRate(v);
  if (!parsed) ctx.addIssue({ code: 'custom', message: RATE_HINT });
  return parsed as { points: number; windowSeconds: number };
});

const CLIENT_NAME = /^[A-Za-z0-9._-]{1,64}$/;

const clientRates = z.string().transform((v, ctx) => {
  const clients = new Map<string, RateLimitPolicy>();
  for (const entry of v.split(',')) {
    const [name = '', value = ''] = entry.split('=');
    const parsed = parseRate(value);
    if (!CLIENT_NAME.test(name.trim()) || !parsed) {
      ctx.addIssue({
        code: 'custom',
        message: `must be a comma-separated list of client=calls/window such as web=1200/60s,batch=100/60s (${JSON.stringify(entry)} is not)`,
      });
      return clients;
    }
    clients.set(name.trim(), { name: name.trim(), ...parsed });
  }
  return clients;
});

const header = headerName('x-gateway-authorization');

/** The environment variables of governance: rate limits and the gateway's own auth. */
export const governanceShape = {
  RATE_LIMIT: rate.optional(),
  RATE_LIMIT_CLIENTS: clientRates.optional(),
  RATE_LIMIT_CLIENT_HEADER: header.default('apollographql-client-name'),
  AUTH_JWKS_URL: z
    .url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL of a JWKS document' })
    .optional(),
  AUTH_ISSUER: z.string().min(1, 'must not be empty').optional(),
  AUTH_AUDIENCE: z.string().min(1, 'must not be empty').optional(),
  AUTH_TOKEN_HEADER: header.default('x-gateway-authorization'),
  COST_EXTENSION: z.enum(['always', 'on-request'], { error: 'must be always or on-request' }).optional(),
};

type GovernanceEnv = {
  RATE_LIMIT?: { points: number; windowSeconds: number };
  RATE_LIMIT_CLIENTS?: Map<string, RateLimitPolicy>;
  RATE_LIMIT_CLIENT_HEADER: string;
  AUTH_JWKS_URL?: string;
  AUTH_ISSUER?: string;
  AUTH_AUDIENCE?: string;
  AUTH_TOKEN_HEADER: string;
  COST_EXTENSION?: 'always' | 'on-request';
  NODE_ENV: string;
  REDIS_URL?: string;
  RESPONSE_CACHE_SECRET?: string;
};

/**
 * Rate limits and auth from the parsed environment; returns the problems (variable: message) that stop
 * the boot. `credentialHeaders` are the sources' own headers, which the gateway's token must not reuse.
 */
export function governanceConfig(
  e: GovernanceEnv,
  credentialHeaders: readonly string[],
): { config: GovernanceConfig; problems: string[] } {
  const problems: string[] = [];
  if (e.RATE_LIMIT_CLIENTS && !e.RATE_LIMIT) {
    problems.push('RATE_LIMIT_CLIENTS: needs RATE_LIMIT (the budget of every other caller)');
  }
  if (e.RATE_LIMIT && e.REDIS_URL && !e.RESPONSE_CACHE_SECRET) {
    problems.push(
      'RESPONSE_CACHE_SECRET: required when REDIS_URL and RATE_LIMIT are set (every instance must derive the same bucket from the same credentials)',
    );
  }
  if (e.AUTH_JWKS_URL && credentialHeaders.includes(e.AUTH_TOKEN_HEADER)) {
    problems.push(
      `AUTH_TOKEN_HEADER: ${e.AUTH_TOKEN_HEADER} already carries a source's credential; choose another header (default x-gateway-authorization)`,
    );
  }
  if ((e.AUTH_ISSUER || e.AUTH_AUDIENCE) && !e.AUTH_JWKS_URL) {
    problems.push('AUTH_JWKS_URL: required when AUTH_ISSUER or AUTH_AUDIENCE is set');
  }
  const rateLimit: RateLimitConfig | null = e.RATE_LIMIT
    ? {
        policy: { name: 'default', ...e.RATE_LIMIT },
        clients: e.RATE_LIMIT_CLIENTS ?? new Map(),
        clientHeader: e.RATE_LIMIT_CLIENT_HEADER,
        secret: e.RESPONSE_CACHE_SECRET ? Buffer.from(e.RESPONSE_CACHE_SECRET) : randomBytes(32),
      }
    : null;
  const auth: AuthConfig | null = e.AUTH_JWKS_URL
    ? {
        jwksUrl: new URL(e.AUTH_JWKS_URL),
        issuer: e.AUTH_ISSUER ?? null,
        audience: e.AUTH_AUDIENCE ?? null,
        tokenHeader: e.AUTH_TOKEN_HEADER,
      }
    : null;
  const costExtension = e.COST_EXTENSION ?? (e.NODE_ENV === 'production' ? 'on-request' : 'always');
  return { config: { costExtension, rateLimit, auth }, problems };
}
