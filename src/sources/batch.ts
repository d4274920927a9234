import { type ErrorCode, UpstreamError } from '../errors.js';
import { idProblem } from './paths.js';
import type { SourceName } from './registry.js';

/**
 * Loads a batch keyed by ids, after checking each id on its own: an invalid id (empty, `..`, over-long,
 * a lone surrogate) answers its own BAD_USER_INPUT and never reaches `load`, so it can neither fail its
 * neighbours nor push a batch over a list threshold.
 */
export async function withValidIds<V>(
  source: SourceName,
  ids: readonly string[],
  load: (valid: readonly string[]) => Promise<Array<V | Error>>,
): Promise<Array<V | Error>> {
  const problems = ids.map((id) => idProblem(id, source));
  if (problems.every((p) => p === null)) return load(ids);
  const valid = ids.filter((_, i) => problems[i] === null);
  const loaded = valid.length > 0 ? await load(valid) : [];
  let next = 0;
  return ids.map((_, i) => problems[i] ?? (loaded[next++] as V | Error));
}

/** Runs `load` for every key and keeps each failure, thrown or rejected, as that key's Error. */
export function settleEach<K, V>(
  keys: readonly K[],
  load: (key: K) => Promise<V>,
): Promise<Array<V | Error>> {
  return Promise.all(
    keys.map((key) => {
      try {
        return load(key).catch(toError);
      } catch (error) {
        return toError(error);
      }
    }),
  );
}

const LIST_SPECIFIC_REFUSALS = new Set<ErrorCode>(['FORBIDDEN', 'NOT_FOUND', 'BAD_USER_INPUT']);

/**
 * Answers keys from a list, falling back to `single` for keys the list lacks. When the list itself is
 * refused (403, 404, 400), the refusal may be about the list endpoint alone, so each key gets its own
 * GET; when the upstream is unreachable, slow or rejects the credential, a GET per key would fare no
 * better, and every key fails with the list's error instead.
 */
export async function fromListOrSingle<V>(
  keys: readonly string[],
  list: Promise<V[]>,
  keyOf: (item: V) => string,
  single: (key: string) => Promise<V>,
): Promise<Array<V | Error>> {
  let items: V[];
  try {
    items = await list;
  } catch (error) {
    if (error instanceof UpstreamError && LIST_SPECIFIC_REFUSALS.has(error.code))
      return settleEach(keys, single);
    return keys.map(() => toError(error));
  }
  const byKey = new Map(items.map((item) => [keyOf(item), item]));
  return settleEach(keys, (key) => {
    const found = byKey.get(key);
    return found === undefined ? single(key) : Promise.resolve(found);
  });
}

export function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

export function unwrap<V>(result: V | Error): V {
  if (result instanceof Error) throw result;
  return result;
}

/**
 * What a list saved a batch, for the metrics: `fromList` keys found in a list this batch read (one call
 * instead of one per key), or in one the request had already started (no call of their own).
 */
export function listSavings(listRead: boolean, fromList: number): { batch?: number; listCoverage?: number } {
  return listRead ? { listCoverage: fromList } : { batch: Math.max(0, fromList - 1) };
}
