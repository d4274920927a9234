import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../src/errors.js';
import { fromListOrSingle, settleEach, withValidIds } from '../../src/sources/batch.js';

const refused = (code: 'FORBIDDEN' | 'UPSTREAM_UNAVAILABLE') => new UpstreamError(code, 'matatika', code);

describe('batch loading: each key gets its own answer', () => {
  it('keeps every failure, thrown or rejected, as that key’s error and the rest as values', async () => {
    const results = await settleEach(['a', 'b', 'c'], (key) => {
      if (key === 'b') throw new Error('thrown');
      return key === 'c' ? Promise.reject(new Error('rejected')) : Promise.resolve(key.toUpperCase());
    });
    expect(results.map((r) => (r instanceof Error ? r.message : r))).toEqual(['A', 'thrown', 'rejected']);
  });

  it('answers an invalid id on its own and never lets it reach the load', async () => {
    const loaded: string[][] = [];
    const results = await withValidIds('matatika', ['p1', '..', 'p2'], async (valid) => {
      loaded.push([...valid]);
      return valid.map((id) => id.toUpperCase());
    });
    expect(loaded).toEqual([['p1', 'p2']]);
    expect(results[0]).toBe('P1');
    expect(results[1]).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(results[2]).toBe('P2');
  });

  it('takes keys from the list and falls back to a single read for the ones it lacks', async () => {
    const singles: string[] = [];
    const results = await fromListOrSingle(
      ['p1', 'p9'],
      Promise.resolve([{ id: 'p1' }, { id: 'p2' }]),
      (item) => item.id,
      async (id) => {
        singles.push(id);
        return { id };
      },
    );
    expect(results).toEqual([{ id: 'p1' }, { id: 'p9' }]);
    expect(singles).toEqual(['p9']);
  });

  it('reads each key on its own when the list alone is refused (403, 404, 400)', async () => {
    const singles: string[] = [];
    await fromListOrSingle(['p1', 'p2'], Promise.reject(refused('FORBIDDEN')), String, async (id) => {
      singles.push(id);
      return id;
    });
    expect(singles).toEqual(['p1', 'p2']);
  });

  it('fails every key with the list’s error when the upstream itself is down, calling nothing more', async () => {
    const singles: string[] = [];
    const results = await fromListOrSingle(
      ['p1', 'p2'],
      Promise.reject(refused('UPSTREAM_UNAVAILABLE')),
      String,
      async (id) => {
        singles.push(id);
        return id;
      },
    );
    expect(singles).toEqual([]);
    expect(results.map((r) => (r as UpstreamError).code)).toEqual([
      'UPSTREAM_UNAVAILABLE',
      'UPSTREAM_UNAVAILABLE',
    ]);
  });
});
