import { describe, expect, it } from 'vitest';
import { ListRead, ListReads } from '../../src/sources/cache.js';

/** A fetch the test settles by hand, counting how often the list was asked for. */
function deferredFetch<R>() {
  const calls: Array<{ resolve(value: R): void; reject(error: Error): void }> = [];
  const fetch = () =>
    new Promise<R>((resolve, reject) => {
      calls.push({ resolve, reject });
    });
  return { fetch, calls };
}

describe('ListRead: one read of a list per request, joined by every batch that needs it', () => {
  it('reads once however often it is asked, and primes the cache with the result', async () => {
    const { fetch, calls } = deferredFetch<string[]>();
    const primed: string[][] = [];
    const read = new ListRead(fetch, (items) => primed.push(items));
    const a = read.get();
    const b = read.get();
    calls[0]?.resolve(['p1', 'p2']);
    expect(await a).toEqual(['p1', 'p2']);
    expect(await b).toEqual(['p1', 'p2']);
    expect(calls).toHaveLength(1);
    expect(primed).toEqual([['p1', 'p2']]);
  });

  it('starts a read from the threshold on, and has later batches join the one in flight', () => {
    const { fetch } = deferredFetch<string[]>();
    const read = new ListRead(fetch, () => {});
    expect(read.answers(2, 3)).toBe(false);
    expect(read.answers(3, 3)).toBe(true);
    read.get();
    expect(read.answers(1, 3)).toBe(true);
  });

  it('stops answering once its items are cached, so the keys still to come are the ones it lacks', async () => {
    const { fetch, calls } = deferredFetch<string[]>();
    const read = new ListRead(fetch, () => {});
    const pending = read.get();
    calls[0]?.resolve([]);
    await pending;
    expect(read.answers(50, 3)).toBe(false);
  });

  it("answers later batches with a failed read's error rather than reading again", async () => {
    const { fetch, calls } = deferredFetch<string[]>();
    const read = new ListRead(fetch, () => {});
    const first = read.get();
    calls[0]?.reject(new Error('503'));
    await expect(first).rejects.toThrow('503');
    expect(read.joinable).toBe(true);
    await expect(read.get()).rejects.toThrow('503');
    expect(calls).toHaveLength(1);
  });

  it('reads again after a reset (a write), and a prefetch failure surfaces only where the list is used', async () => {
    const { fetch, calls } = deferredFetch<string[]>();
    const read = new ListRead(fetch, () => {});
    read.prefetch();
    calls[0]?.reject(new Error('down'));
    await expect(read.get()).rejects.toThrow('down');
    read.reset();
    expect(read.started).toBe(false);
    const again = read.get();
    calls[1]?.resolve(['p1']);
    expect(await again).toEqual(['p1']);
  });
});

describe('ListReads: reads of one endpoint keyed by their parameters', () => {
  it('keeps one read per key and offers batches only the reads in flight or failed', async () => {
    const pages = deferredFetch<string[]>();
    const reads = new ListReads<string[]>(() => {});
    const one = reads.of('page=1', pages.fetch);
    expect(reads.of('page=1', pages.fetch)).toBe(one);
    const two = reads.of('page=2', pages.fetch);
    one.get();
    two.get();
    expect(reads.joinable()).toHaveLength(2);
    pages.calls[0]?.resolve(['a']);
    await one.get();
    expect(reads.joinable()).toHaveLength(1);
  });
});
