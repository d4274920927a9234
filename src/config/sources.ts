import { z } from 'zod';
import { REGISTRY, SOURCES, type SourceName } from '../sources/registry.js';
import { count, headerName, httpUrl, nonEmpty, timeout } from './fields.js';

/** 5 MiB: a matatika account's whole profile list of several thousand profiles still fits. */
const DEFAULT_MAX_RESPONSE_BYTES = 5 * 1024 * 1024;

/** One source's variables, named without their <SOURCE>_ prefix. */
const sourceEnv = z.object({
  API_URL: httpUrl.optional(),
  TOKEN_HEADER: headerName('x-cadenya-authorization').optional(),
  API_TOKEN: nonEmpty.optional(),
  TIMEOUT_MS: timeout.default(10_000),
  MAX_RESPONSE_BYTES: count(1024, 1_073_741_824).default(DEFAULT_MAX_RESPONSE_BYTES),
  AUTH_URL: httpUrl.optional(),
});
type SourceEnv = z.output<typeof sourceEnv>;
type Suffix = keyof SourceEnv;

const prefixOf = (source: SourceName) => `${source.toUpperCase()}_`;

/** The suffixes `source` reads: AUTH_URL only for a source that exchanges its API token. */
function suffixes(source: SourceName): Suffix[] {
  const all = Object.keys(sourceEnv.shape) as Suffix[];
  return REGISTRY[source].exchange ? all : all.filter((k) => k !== 'AUTH_URL');
}

/** Every variable `source` reads, prefixed: MATATIKA_API_URL, … */
export function sourceVariables(source: SourceName): string[] {
  return suffixes(source).map((k) => prefixOf(source) + k);
}

function sourceConfig(source: SourceName, e: SourceEnv) {
  return {
    /** Origin plus optional path prefix, without a trailing slash; null when the source is not configured. */
    url: e.API_URL ?? null,
    /** Lower-cased name of the incoming header that carries the caller's credential for this source. */
    tokenHeader: e.TOKEN_HEADER ?? REGISTRY[source].tokenHeader,
    /** Server-side credential used when a request carries none. */
    apiToken: e.API_TOKEN ?? null,
    /** Where the API token is exchanged for a bearer (upsun's token endpoint below it); null for others. */
    authUrl: e.AUTH_URL ?? null,
    /** Budget for one upstream call, retries included. */
    timeoutMs: e.TIMEOUT_MS,
    /** The largest upstream body read; a larger one is UPSTREAM_ERROR. */
    maxResponseBytes: e.MAX_RESPONSE_BYTES,
  };
}

export type SourceConfig = ReturnType<typeof sourceConfig>;

/** Each source's settings from the environment; a bad value adds a problem (`VARIABLE: message`). */
export function sourceConfigs(
  env: Record<string, string>,
  problems: string[],
): Record<SourceName, SourceConfig> {
  const configs = {} as Record<SourceName, SourceConfig>;
  for (const source of SOURCES) {
    const prefix = prefixOf(source);
    const own = Object.fromEntries(
      suffixes(source).flatMap((k) => (env[prefix + k] === undefined ? [] : [[k, env[prefix + k]]])),
    );
    const parsed = sourceEnv.safeParse(own);
    if (parsed.success) configs[source] = sourceConfig(source, parsed.data);
    else
      for (const issue of parsed.error.issues)
        problems.push(`${prefix}${issue.path.join('.')}: ${issue.message}`);
  }
  return configs;
}
