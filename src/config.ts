import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { type GovernanceConfig, governanceConfig, governanceShape } from './config-governance.js';
import {
  type UpstreamSharingConfig,
  upstreamSharingConfig,
  upstreamSharingShape,
} from './config-upstream.js';

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
  /** The largest upstream body read; a larger one is UPSTREAM_ERROR. */
  maxResponseBytes: number;
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
  /** Upstream calls one request may make, all sources together (a batch's operations share them). */
  maxUpstreamCalls: number;
  /** The longest operation text accepted, in UTF-8 bytes; checked before it is parsed, hashed or stored. */
  maxDocumentBytes: number;
  /** Operations one batched request (a JSON array) may hold; 0 refuses batches. */
  maxBatchOperations: number;
  /** Plain GraphQL requests are served by the front door itself (FAST_PATH=0: everything through Yoga). */
  fastPath: boolean;
  /** Calls one request may have in flight to one source at once: its fan-outs wait for a free slot. */
  upstreamConcurrency: number;
  /** The whole request's deadline: no upstream call outlives it. */
  requestTimeoutMs: number;
  /** On SIGTERM, how long requests in flight may take to finish. */
  shutdownTimeoutMs: number;
  /** Origins allowed to call from a browser; '*' for any (the development default); empty for none. */
  corsOrigins: string[];
  /** When a source's circuit opens, and for how long. */
  circuit: { failures: number; cooldownMs: number };
  persistedOperations: PersistedOperationsConfig;
  /** The per-caller response cache; null when RESPONSE_CACHE_TTL_MS is unset (the default). */
  responseCache: ResponseCacheConfig | null;
  /** The shared store of the response cache and the APQ registry; null: each process keeps its own in memory. */
  redisUrl: string | null;
  /** Where `/metrics` is served on its own listener; null: on the GraphQL port. */
  metricsPort: number | null;
  /** Prometheus metrics on (the default); METRICS=0 turns them off, `/metrics` included. */
  metrics: boolean;
  /**
   * OpenTelemetry tracing. The SDK reads its standard OTEL_* variables itself (exporter, protocol,
   * headers, sampler, resource); this only decides whether it starts at all.
   */
  tracing: { enabled: boolean; serviceName: string };
  /** Rate limits per caller (RATE_LIMIT) and the gateway's own JWT auth (AUTH_JWKS_URL); both off by default. */
  governance: GovernanceConfig;
  /** Single-flight of identical upstream GETs (UPSTREAM_DEDUPE) and the upstream HTTP cache (UPSTREAM_CACHE). */
  upstreamSharing: UpstreamSharingConfig;
}

export interface PersistedOperationsConfig {
  /**
   * `apq`: Apollo's automatic persisted queries, plus any ad-hoc operation; `only`: nothing but the
   * manifest's documents (trusted documents); `off`: neither.
   */
  mode: 'apq' | 'only' | 'off';
  /**
   * The trusted documents by id (`documentId`, and in `only` mode all that may run), read at boot from
   * PERSISTED_OPERATIONS_MANIFEST: the `{ "sha256:<hex>": "<document>" }` file GraphQL Code Generator's
   * client preset writes.
   */
  documents: ReadonlyMap<string, string>;
}

export interface ResponseCacheConfig {
  /** TTL of an answer whose types have no TTL of their own. */
  ttlMs: number;
  /** TTL by GraphQL type; an answer lives as long as the shortest TTL among the types it holds (0: never cached). */
  ttlPerType: Record<string, number>;
  /** Key of the HMAC that turns callers' credentials into cache scopes. */
  secret: Buffer;
}

const DEFAULT_TOKEN_HEADERS: Record<SourceName, string> = {
  matatika: 'authorization',
  cadenya: 'x-cadenya-authorization',
  moltaro: 'x-moltaro-authorization',
  upsun: 'x-upsun-authorization',
};

/** 5 MiB: a matatika account's whole profile list of several thousand profiles still fits. */
const DEFAULT_MAX_RESPONSE_BYTES = 5 * 1024 * 1024;

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

const count = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

const origins = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
  )
  .refine(
    (list) => list.every((o) => o === '*' || /^https?:\/\/[^/\s]+$/.test(o)),
    'must be a comma-separated list of origins such as https://app.example.com (scheme and host, no path), or *',
  );

const ttl = z.coerce
  .number({ error: 'must be a number of milliseconds' })
  .int('must be a whole number of milliseconds')
  .min(1, 'must be at least 1 ms');

// `Profile=60000,Workspace=30000`: type names as the schema spells them.
const ttlPerType = z
  .string()
  .regex(
    /^[A-Za-z_]\w*=\d+(,[A-Za-z_]\w*=\d+)*$/,
    'must be a comma-separated list of Type=milliseconds, e.g. Profile=60000,AccountProfile=0',
  )
  .transform((v) =>
    Object.fromEntries(
      v
        .split(',')
        .map((pair) => pair.split('='))
        .map(([t, ms]) => [t, Number(ms)]),
    ),
  );

// The shipped manifest: the repository's example operations (see codegen.ts). src/ and dist/ both sit
// one level below the project root.
const DEFAULT_MANIFEST = new URL('../schema/generated/persisted-documents.json', import.meta.url);
const port = z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65_535);

function sourceShape(source: SourceName) {
  const prefix = source.toUpperCase();
  return {
    [`${prefix}_API_URL`]: httpUrl.optional(),
    [`${prefix}_TOKEN_HEADER`]: headerName.default(DEFAULT_TOKEN_HEADERS[source]),
    [`${prefix}_API_TOKEN`]: nonEmpty.optional(),
    [`${prefix}_TIMEOUT_MS`]: timeout.default(10_000),
    [`${prefix}_MAX_RESPONSE_BYTES`]: count(1024, 1_073_741_824).default(DEFAULT_MAX_RESPONSE_BYTES),
  };
}

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
  UPSUN_AUTH_URL: httpUrl.optional(),
  CURSOR_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
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
  RESPONSE_CACHE_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
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
        maxResponseBytes: e[`${prefix}_MAX_RESPONSE_BYTES`] as number,
      };
      return [source, config];
    }),
  ) as Record<SourceName, SourceConfig>;
  const anyUrl = SOURCES.some((s) => sources[s].url !== null);
  // Fail closed: a production gateway with no upstream would quietly serve the demo sandbox, whose
  // demo tokens are public. It must be asked for by name.
  if (production && !anyUrl && e.SANDBOX !== true) {
    throw new ConfigError(
      `Invalid configuration:\n  ${SOURCES.map((s) => `${s.toUpperCase()}_API_URL`).join(', ')}: NODE_ENV=production needs at least one upstream URL (or SANDBOX=1 to serve the demo sandbox on purpose)`,
    );
  }
  const sandbox = e.SANDBOX ?? !anyUrl;
  if (sources.upsun.apiToken && !e.UPSUN_AUTH_URL && !sandbox) {
    throw new ConfigError(
      'Invalid configuration:\n  UPSUN_AUTH_URL: required when UPSUN_API_TOKEN is set (the token is exchanged at UPSUN_AUTH_URL/oauth2/token)',
    );
  }
  if (e.RESPONSE_CACHE_TTL_MS && e.REDIS_URL && !e.RESPONSE_CACHE_SECRET) {
    throw new ConfigError(
      'Invalid configuration:\n  RESPONSE_CACHE_SECRET: required when REDIS_URL and RESPONSE_CACHE_TTL_MS are set (every instance must derive the same cache scope from the same credentials)',
    );
  }
  const governance = governanceConfig(
    e,
    SOURCES.map((s) => sources[s].tokenHeader),
  );
  if (governance.problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n${governance.problems.map((p) => `  ${p}`).join('\n')}`);
  }
  const sharing = upstreamSharingConfig(e);
  if (sharing.problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n${sharing.problems.map((p) => `  ${p}`).join('\n')}`);
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
    maxUpstreamCalls: e.MAX_UPSTREAM_CALLS,
    maxDocumentBytes: e.MAX_DOCUMENT_BYTES,
    maxBatchOperations: e.MAX_BATCH_OPERATIONS,
    fastPath: e.FAST_PATH ?? true,
    upstreamConcurrency: e.UPSTREAM_CONCURRENCY,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    // Development answers any origin, so a local front end just works; production answers none
    // unless told which.
    corsOrigins: e.CORS_ORIGINS ?? (production ? [] : ['*']),
    circuit: { failures: e.CIRCUIT_FAILURES, cooldownMs: e.CIRCUIT_COOLDOWN_MS },
    persistedOperations: {
      mode: e.PERSISTED_OPERATIONS,
      documents:
        e.PERSISTED_OPERATIONS !== 'off'
          ? readManifest(
              e.PERSISTED_OPERATIONS_MANIFEST
                ? pathToFileURL(resolve(e.PERSISTED_OPERATIONS_MANIFEST))
                : DEFAULT_MANIFEST,
            )
          : new Map(),
    },
    responseCache: e.RESPONSE_CACHE_TTL_MS
      ? {
          ttlMs: e.RESPONSE_CACHE_TTL_MS,
          ttlPerType: e.RESPONSE_CACHE_TTL_PER_TYPE ?? {},
          secret: e.RESPONSE_CACHE_SECRET ? Buffer.from(e.RESPONSE_CACHE_SECRET) : randomBytes(32),
        }
      : null,
    redisUrl: e.REDIS_URL ?? null,
    metricsPort: e.METRICS_PORT ?? null,
    metrics: e.METRICS ?? true,
    tracing: { enabled: tracingEnabled(e), serviceName: e.OTEL_SERVICE_NAME },
    governance: governance.config,
    upstreamSharing: sharing.config,
  };
}

/** Reads a trusted-documents manifest; a missing or malformed one stops the boot, naming the variable. */
function readManifest(file: URL): ReadonlyMap<string, string> {
  const fail = (why: string) =>
    new ConfigError(`Invalid configuration:\n  PERSISTED_OPERATIONS_MANIFEST: ${fileURLToPath(file)} ${why}`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw fail(`cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw fail('is not JSON');
  }
  const manifest = z.record(z.string().min(1), z.string().min(1)).safeParse(json);
  if (!manifest.success || Object.keys(manifest.data).length === 0) {
    throw fail('must be a non-empty JSON object of document id to document text');
  }
  return new Map(Object.entries(manifest.data));
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
