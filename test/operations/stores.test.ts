// The stores behind the response cache and the APQ registry, on their own: their bounds, and what a
// failed invalidation does.
import type { Cache } from '@envelop/response-cache';
import type { ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { memoryResponseCache } from '../../src/stores/memory-response-cache.js';
import { memoryOperationStore } from '../../src/stores/operation-store.js';
import { createResponseStore } from '../../src/stores/response-store.js';
import { createMetrics } from '../../src/telemetry/metrics.js';

const answer = (text: string): ExecutionResult => ({ data: { text } });
/** A response key of caller `scope` (one letter, repeated into a scope's 43 characters). */
const key = (scope: string, n = 0) => `${scope.repeat(43)}.${n.toString(16).padStart(64, '0')}`;

describe('the in-memory APQ registry', () => {
  it('is bounded by bytes as well as by count, least recently used first out', async () => {
    const store = memoryOperationStore({ maxEntries: 100, maxBytes: 1_000 });
    for (const n of [1, 2, 3]) await store.set(`h${n}`, `{ a${n} ${'x'.repeat(400)} }`);
    expect(await store.get('h1')).toBeNull();
    expect(await store.get('h2')).toContain('a2');
    expect(await store.get('h3')).toContain('a3');
    // Larger than the whole budget: not kept at all, and nothing else is pushed out for it.
    await store.set('huge', 'x'.repeat(2_000));
    expect(await store.get('huge')).toBeNull();
    expect(await store.get('h3')).toContain('a3');
  });
});

describe('the in-memory response cache', () => {
  it('is bounded by bytes, and its entity index follows the answers out', async () => {
    const cache = memoryResponseCache({ maxEntries: 100, maxBytes: 1_000 });
    const big = (n: number) => answer(`${n}${'x'.repeat(400)}`);
    await cache.set(key('a', 1), big(1), [{ typename: 'Profile', id: 'p1' }], 60_000);
    await cache.set(key('a', 2), big(2), [{ typename: 'Profile', id: 'p2' }], 60_000);
    await cache.set(key('a', 3), big(3), [{ typename: 'Profile', id: 'p3' }], 60_000);
    expect(await cache.get(key('a', 1))).toBeNull();
    expect(await cache.get(key('a', 3))).toEqual(big(3));

    // The evicted key, cached again under another entity, is not dropped by its old entity.
    await cache.set(key('a', 1), answer('small'), [{ typename: 'Workspace', id: 'w1' }], 60_000);
    await cache.invalidate([{ typename: 'Profile', id: 'p1' }]);
    expect(await cache.get(key('a', 1))).toEqual(answer('small'));
    // Type-wide invalidation finds every answer holding one of the type.
    await cache.invalidate([{ typename: 'Profile' }]);
    expect(await cache.get(key('a', 3))).toBeNull();
    expect(await cache.get(key('a', 1))).toEqual(answer('small'));
  });
});

/** A backend that counts its calls and whose invalidations fail while `failing` is set. */
function flakyBackend() {
  const inner = memoryResponseCache();
  const calls = { get: 0, set: 0, invalidate: 0 };
  const backend = {
    failing: false,
    calls,
    async get(k: string) {
      calls.get++;
      return inner.get(k);
    },
    async set(...args: Parameters<Cache['set']>) {
      calls.set++;
      return inner.set(...args);
    },
    async invalidate(entities: Parameters<Cache['invalidate']>[0]) {
      calls.invalidate++;
      if (backend.failing) throw new Error('Command timed out');
      return inner.invalidate(entities);
    },
  };
  return backend;
}

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200 && !(await condition()); i++)
    await new Promise((resolve) => setTimeout(resolve, 5));
  expect(await condition()).toBe(true);
}

function storeOver(backend: Cache, options: { maxTtlMs: number; retry: { firstMs: number; maxMs: number } }) {
  const metrics = createMetrics(() => ({}) as never);
  const store = createResponseStore({ backend, metrics, logger: createLogger('silent'), ...options });
  const bypassedCallers = async () => (await metrics.responseCacheBypassedCallers.get()).values[0]?.value;
  return { store, bypassedCallers };
}

describe('a failed invalidation', () => {
  const profile = { typename: 'Profile', id: 'p1' };

  it('bypasses its caller until a retry succeeds; other callers keep the cache', async () => {
    const backend = flakyBackend();
    const { store, bypassedCallers } = storeOver(backend, {
      maxTtlMs: 60_000,
      retry: { firstMs: 5, maxMs: 20 },
    });
    await store.set(key('a'), answer('old'), [profile], 60_000);
    await store.set(key('b'), answer('old'), [profile], 60_000);

    backend.failing = true;
    await store.invalidate([profile, { typename: 'Caller', id: 'a'.repeat(43) }]);
    expect(await bypassedCallers()).toBe(1);
    const before = { ...backend.calls };
    // Caller a: nothing read, nothing written under their scope.
    expect(await store.get(key('a'))).toBeNull();
    await store.set(key('a', 1), answer('new'), [profile], 60_000);
    expect(backend.calls).toMatchObject({ get: before.get, set: before.set });
    // Caller b still reads the store, and the stale answer, until a retry succeeds.
    expect(await store.get(key('b'))).toEqual(answer('old'));

    // Retried in the background while the store keeps failing, then until it answers.
    await until(() => backend.calls.invalidate >= before.invalidate + 3);
    expect(await bypassedCallers()).toBe(1);
    backend.failing = false;
    await until(async () => (await bypassedCallers()) === 0);
    expect(await store.get(key('b'))).toBeNull();
    await store.set(key('a', 1), answer('new'), [profile], 60_000);
    expect(await store.get(key('a', 1))).toEqual(answer('new'));
    store.close();
  });

  it('bypasses its caller for the longest TTL at most, even while every retry fails', async () => {
    const backend = flakyBackend();
    const { store } = storeOver(backend, { maxTtlMs: 30, retry: { firstMs: 5, maxMs: 10 } });
    backend.failing = true;
    await store.invalidate([profile, { typename: 'Caller', id: 'a'.repeat(43) }]);
    const read = backend.calls.get;
    expect(await store.get(key('a'))).toBeNull();
    expect(backend.calls.get).toBe(read);
    await new Promise((resolve) => setTimeout(resolve, 60));
    await store.get(key('a'));
    expect(backend.calls.get).toBe(read + 1);
    store.close();
  });
});
