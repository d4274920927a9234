// The stores behind the response cache and the APQ registry, on their own: their bounds. Each test
// names the row of issue 15 it covers.
import { describe, expect, it } from 'vitest';
import { memoryOperationStore } from '../src/cache/operation-store.js';

describe('the in-memory APQ registry (issue 15, row 1)', () => {
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
