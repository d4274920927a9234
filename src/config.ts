import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { count, flag, nonEmpty, origins, port, secret, timeout, ttl, ttlPerType } from './config/fields.js';
import { governanceConfig, governanceShape } from './config/governance.js';
import { DEFAULT_MANIFEST, readManifest } from './config/manifest.js';
import { sourceConfigs, sourceVariables } from './config/sources.js';
import { upstreamSharingConfig, upstreamSharingShape } from './config/upstream-sharing.js';
import { SOURCES } from './sources/registry.js';

const envSchema = z.object({
  PORT: port.default(4000),
  METRICS_PORT: port.optional(),
  METRICS: flag.optional(),
  HOST: nonEmpty.default('127.0.0.1'),
  NODE_ENV: z.string().default('development'),
  GRAPHIQL: flag.optional(),
  INTROSPECTION: flag.optional(),
  SANDBOX: flag.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CURSOR_SECRET: secret.optional(),
  MAX_UPSTREAM_CALLS: count(1, 10_000).default(120),
  MAX_DOCUMENT_BYTES: count(1024, 1_048_576).default(65_536),
  MAX_BATCH_OPERATIONS: count(0, 100).default(10),
  FAST_PATH: flag.optional(),
  UPSTREAM_CONCURRENCY: count(1, 1_000).default(8),
  REQUEST_TIMEOUT_MS: timeout.default(15_000),
  SHUTDOWN_TIMEOUT_MS: timeout.default(10_000),
  CORS_ORIGINS: origins.optional(),
  CIRCUIT_FAILURES: count(1, 1000).default(5),
  CIRCUIT_COOLDOWN_MS: timeout.default(10_000),
  PERSISTED_OPERATIONS: z.enum(['apq', 'only', 'off'], { error: 'must be apq, only or off' }).default('apq'),
  PERSISTED_OPERATIONS_MANIFEST: nonEmpty.optional(),
  RESPONSE_CACHE_TTL_MS: ttl.optional(),
  RESPONSE_CACHE_TTL_PER_TYPE: ttlPerType.optional(),
  RESPONSE_CACHE_SECRET: secret.optional(),
  REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379' })
    .optional(),
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
  ...governanceShape,
  ...upstreamSharingShape,
});
type Env = z.output<typeof envSchema>;

/** Every variable the gateway reads (deployment manifests are checked against this list). */
export const ENV_VARIABLES: readonly string[] = [
  ...Object.keys(envSchema.shape),
  ...SOURCES.flatMap(sourceVariables),
];

/** The gateway's settings, parsed once at boot; its type is what `configOf` builds. */
export type Config = ReturnType<typeof configOf>;
export type PersistedOperationsConfig = Config['persistedOperations'];
export type ResponseCacheConfig = NonNullable<Config['responseCache']>;

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
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '',
    ),
  );
  const problems: string[] = [];
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);
  }
  const sources = sourceConfigs(cleaned, problems);
  const config = parsed.success && problems.length === 0 ? configOf(parsed.data, sources, problems) : null;
  if (!config || problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
  return config;
}

/** The settings from a valid environment; what no single variable can check adds to `problems`. */
function configOf(e: Env, sources: ReturnType<typeof sourceConfigs>, problems: string[]) {
  const production = e.NODE_ENV === 'production';
  const anyUrl = SOURCES.some((s) => sources[s].url !== null);
  // Fail closed: a production gateway with no upstream would quietly serve the demo sandbox, whose
  // demo tokens are public. It must be asked for by name.
  if (production && !anyUrl && e.SANDBOX !== true) {
    problems.push(
      `${SOURCES.map((s) => `${s.toUpperCase()}_API_URL`).join(', ')}: NODE_ENV=production needs at least one upstream URL (or SANDBOX=1 to serve the demo sandbox on purpose)`,
    );
  }
  const sandbox = e.SANDBOX ?? !anyUrl;
  for (const source of SOURCES) {
    const { apiToken, authUrl } = sources[source];
    const prefix = source.toUpperCase();
    if (apiToken && sourceVariables(source).includes(`${prefix}_AUTH_URL`) && !authUrl && !sandbox) {
      problems.push(
        `${prefix}_AUTH_URL: required when ${prefix}_API_TOKEN is set (the token is exchanged at ${prefix}_AUTH_URL/oauth2/token)`,
      );
    }
  }
  if (e.RESPONSE_CACHE_TTL_MS && e.REDIS_URL && !e.RESPONSE_CACHE_SECRET) {
    problems.push(
      'RESPONSE_CACHE_SECRET: required when REDIS_URL and RESPONSE_CACHE_TTL_MS are set (every instance must derive the same cache scope from the same credentials)',
    );
  }
  const governance = governanceConfig(
    e,
    SOURCES.map((s) => sources[s].tokenHeader),
  );
  problems.push(...governance.problems);
  const sharing = upstreamSharingConfig(e);
  problems.push(...sharing.problems);
  const manifest =
    e.PERSISTED_OPERATIONS === 'off'
      ? new Map<string, string>()
      : readManifest(
          e.PERSISTED_OPERATIONS_MANIFEST
            ? pathToFileURL(resolve(e.PERSISTED_OPERATIONS_MANIFEST))
            : DEFAULT_MANIFEST,
        );
  if (typeof manifest === 'string') problems.push(manifest);
  return {
    host: e.HOST,
    port: e.PORT,
    production,
    graphiql: e.GRAPHIQL ?? !production,
    introspection: e.INTROSPECTION ?? !production,
    /** Start the embedded sandbox and point every source at it. */
    sandbox,
    logLevel: e.LOG_LEVEL,
    sources,
    /** Key that signs paging cursors. A random one means cursors fail on another instance and after a restart. */
    cursorSecret: e.CURSOR_SECRET ? Buffer.from(e.CURSOR_SECRET) : randomBytes(32),
    /** Upstream calls one request may make, all sources together (a batch's operations share them). */
    maxUpstreamCalls: e.MAX_UPSTREAM_CALLS,
    /** The longest operation text accepted, in UTF-8 bytes; checked before it is parsed, hashed or stored. */
    maxDocumentBytes: e.MAX_DOCUMENT_BYTES,
    /** Operations one batched request (a JSON array) may hold; 0 refuses batches. */
    maxBatchOperations: e.MAX_BATCH_OPERATIONS,
    /** Plain GraphQL requests are served by the front door itself (FAST_PATH=0: everything through Yoga). */
    fastPath: e.FAST_PATH ?? true,
    /** Calls one request may have in flight to one source at once: its fan-outs wait for a free slot. */
    upstreamConcurrency: e.UPSTREAM_CONCURRENCY,
    /** The whole request's deadline: no upstream call outlives it. */
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    /** On SIGTERM, how long requests in flight may take to finish. */
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    /** Origins allowed to call from a browser: any in development, so a local front end just works; none in production unless told. */
    corsOrigins: e.CORS_ORIGINS ?? (production ? [] : ['*']),
    /** When a source's circuit opens, and for how long. */
    circuit: { failures: e.CIRCUIT_FAILURES, cooldownMs: e.CIRCUIT_COOLDOWN_MS },
    persistedOperations: {
      /** `apq`: automatic persisted queries plus ad-hoc operations; `only`: the manifest's documents alone; `off`. */
      mode: e.PERSISTED_OPERATIONS,
      /** The trusted documents by id, from PERSISTED_OPERATIONS_MANIFEST (GraphQL Code Generator's client preset format). */
      documents: typeof manifest === 'string' ? new Map<string, string>() : manifest,
    },
    /** The per-caller response cache; null when RESPONSE_CACHE_TTL_MS is unset (the default). */
    responseCache: e.RESPONSE_CACHE_TTL_MS
      ? {
          /** TTL of an answer whose types have no TTL of their own. */
          ttlMs: e.RESPONSE_CACHE_TTL_MS,
          /** TTL by GraphQL type; an answer lives as long as the shortest among its types (0: never cached). */
          ttlPerType: e.RESPONSE_CACHE_TTL_PER_TYPE ?? {},
          /** Key of the HMAC that turns callers' credentials into cache scopes. */
          secret: e.RESPONSE_CACHE_SECRET ? Buffer.from(e.RESPONSE_CACHE_SECRET) : randomBytes(32),
        }
      : null,
    /** The shared store of the caches, the APQ registry and rate limits; null: each process in memory. */
    redisUrl: e.REDIS_URL ?? null,
    /** Where `/metrics` is served on its own listener; null: on the GraphQL port. */
    metricsPort: e.METRICS_PORT ?? null,
    /** Prometheus metrics on (the default); METRICS=0 turns them off, `/metrics` included. */
    metrics: e.METRICS ?? true,
    /** Whether OpenTelemetry tracing starts; the SDK reads its other OTEL_* variables itself. */
    tracing: { enabled: tracingEnabled(e), serviceName: e.OTEL_SERVICE_NAME },
    /** Rate limits per caller (RATE_LIMIT) and the gateway's own JWT auth (AUTH_JWKS_URL); both off by default. */
    governance: governance.config,
    /** Single-flight of identical upstream GETs (UPSTREAM_DEDUPE) and the upstream HTTP cache (UPSTREAM_CACHE). */
    upstreamSharing: sharing.config,
  };
}

/**
 * Tracing is off unless an exporter is named: an OTLP endpoint, or OTEL_TRACES_EXPORTER other than
 * `none` (e.g. `console`). OTEL_SDK_DISABLED=true wins over both, as the specification says.
 */
function tracingEnabled(e: Env): boolean {
  if (e.OTEL_SDK_DISABLED === 'true') return false;
  if (e.OTEL_TRACES_EXPORTER !== undefined) return e.OTEL_TRACES_EXPORTER !== 'none';
  return e.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined || e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined;
}
