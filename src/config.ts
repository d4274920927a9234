import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/** The four upstreams. The order is the order in which the README and the startup banner list them. */
export const SOURCES = ['matatika', 'cadenya', 'moltaro', 'upsun'] as const;
export type SourceName = (typeof SOURCES)[number];

export interface SourceConfig {
  /** Origin plus optional path prefix, without a trailing slash; null when the source is not configured. */
  url: URL | null;
  /** Lower-cased name of the incoming header that carries the caller's credential for this source. */
  tokenHeader: string;
  /** Server-side credential used when a request carries none. */
  apiToken: string | null;
  /** Budget for one upstream call, retries included. */
  timeoutMs: number;
}

export interface Config {
  host: string;
  port: number;
  production: boolean;
  graphiql: boolean;
  introspection: boolean;
  /** Start the embedded sandbox and point every source at it. */
  sandbox: boolean;
  logLevel: string;
  sources: Record<SourceName, SourceConfig>;
  /** Where upsun's API token is exchanged for a bearer (`/oauth2/token` below it). */
  upsunAuthUrl: URL | null;
  /** Key that signs paging cursors; from CURSOR_SECRET, else random per process. */
  cursorSecret: Buffer;
  /** Where `/metrics` is served on its own listener; null: on the GraphQL port. */
  metricsPort: number | null;
  /**
   * OpenTelemetry tracing. The SDK reads its standard OTEL_* variables itself (exporter, protocol,
   * headers, sampler, resource); this only decides whether it starts at all.
   */
  tracing: { enabled: boolean; serviceName: string };
}

const DEFAULT_TOKEN_HEADERS: Record<SourceName, string> = {
  matatika: 'authorization',
  cadenya: 'x-cadenya-authorization',
  moltaro: 'x-moltaro-authorization',
  upsun: 'x-upsun-authorization',
};

const flag = z.enum(['0', '1'], { error: 'must be 0 or 1' }).transform((v) => v === '1');

const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL, e.g. https://app.matatika.com' })
  .refine((v) => !/[?#]/.test(v), 'must not contain a query string or fragment')
  .transform((v) => new URL(v.replace(/\/+$/, '')));

const headerName = z
  .string()
  .regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name such as x-cadenya-authorization')
  .transform((v) => v.toLowerCase());

const timeout = z.coerce
  .number({ error: 'must be a number of milliseconds' })
  .int('must be a whole number of milliseconds')
  .min(1, 'must be at least 1 ms')
  .max(600_000, 'must be at most 600000 ms');

const nonEmpty = z.string().min(1, 'must not be empty');

const port = z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65_535);

function sourceShape(source: SourceName) {
  const prefix = source.toUpperCase();
  return {
    [`${prefix}_API_URL`]: httpUrl.optional(),
    [`${prefix}_TOKEN_HEADER`]: headerName.default(DEFAULT_TOKEN_HEADERS[source]),
    [`${prefix}_API_TOKEN`]: nonEmpty.optional(),
    [`${prefix}_TIMEOUT_MS`]: timeout.default(10_000),
  };
}

const envSchema = z.object({
  PORT: port.default(4000),
  METRICS_PORT: port.optional(),
  HOST: nonEmpty.default('127.0.0.1'),
  NODE_ENV: z.string().default('development'),
  GRAPHIQL: flag.optional(),
  INTROSPECTION: flag.optional(),
  SANDBOX: flag.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  UPSUN_AUTH_URL: httpUrl.optional(),
  CURSOR_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  // The OpenTelemetry variables that decide whether tracing starts; the SDK reads the rest itself.
  OTEL_SDK_DISABLED: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
  OTEL_TRACES_EXPORTER: z.string().optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .url({ error: 'must be an absolute URL, e.g. http://collector:4318' })
    .optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z
    .url({ error: 'must be an absolute URL, e.g. http://collector:4318/v1/traces' })
    .optional(),
  OTEL_SERVICE_NAME: nonEmpty.default('profile-gateway'),
  ...sourceShape('matatika'),
  ...sourceShape('cadenya'),
  ...sourceShape('moltaro'),
  ...sourceShape('upsun'),
});

/** Every variable the gateway reads (deployment manifests are checked against this list). */
export const ENV_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

/** Thrown at boot when the environment is invalid; its message names every offending variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses the environment once. Nothing else in the gateway reads process.env: tests build a Config by
 * passing their own env object, which keeps them independent of the shell they run in.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings are how shells and compose files say "unset"; treat them so, not as invalid values.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data as Record<string, unknown> & z.infer<typeof envSchema>;
  const production = e.NODE_ENV === 'production';
  const sources = Object.fromEntries(
    SOURCES.map((source) => {
      const prefix = source.toUpperCase();
      const config: SourceConfig = {
        url: (e[`${prefix}_API_URL`] as URL | undefined) ?? null,
        tokenHeader: e[`${prefix}_TOKEN_HEADER`] as string,
        apiToken: (e[`${prefix}_API_TOKEN`] as string | undefined) ?? null,
        timeoutMs: e[`${prefix}_TIMEOUT_MS`] as number,
      };
      return [source, config];
    }),
  ) as Record<SourceName, SourceConfig>;
  const anyUrl = SOURCES.some((s) => sources[s].url !== null);
  const sandbox = e.SANDBOX ?? !anyUrl;
  if (sources.upsun.apiToken && !e.UPSUN_AUTH_URL && !sandbox) {
    throw new ConfigError(
      'Invalid configuration:\n  UPSUN_AUTH_URL: required when UPSUN_API_TOKEN is set (the token is exchanged at UPSUN_AUTH_URL/oauth2/token)',
    );
  }
  return {
    host: e.HOST,
    port: e.PORT,
    production,
    graphiql: e.GRAPHIQL ?? !production,
    introspection: e.INTROSPECTION ?? !production,
    sandbox,
    logLevel: e.LOG_LEVEL,
    sources,
    upsunAuthUrl: e.UPSUN_AUTH_URL ?? null,
    // A random key means cursors from one instance fail on another, and after a restart: fine for one
    // process, which is why CURSOR_SECRET exists for several.
    cursorSecret: e.CURSOR_SECRET ? Buffer.from(e.CURSOR_SECRET) : randomBytes(32),
    metricsPort: e.METRICS_PORT ?? null,
    tracing: { enabled: tracingEnabled(e), serviceName: e.OTEL_SERVICE_NAME },
  };
}

/**
 * Tracing is off unless an exporter is named: an OTLP endpoint, or OTEL_TRACES_EXPORTER other than
 * `none` (e.g. `console`). OTEL_SDK_DISABLED=true wins over both, as the specification says.
 */
function tracingEnabled(e: z.infer<typeof envSchema>): boolean {
  if (e.OTEL_SDK_DISABLED === 'true') return false;
  if (e.OTEL_TRACES_EXPORTER !== undefined) return e.OTEL_TRACES_EXPORTER !== 'none';
  return e.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined || e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined;
}
