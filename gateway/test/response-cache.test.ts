import { describe, expect, it } from 'vitest';
import { ResponseCache, type CachedResponse } from '../src/response-cache.ts';

const answer = (body: string): CachedResponse => ({
  status: 200,
  headers: [['content-type', 'application/json; charset=utf-8']],
  body,
});

describe('the response cache', () => {
  it('serves an answer while nothing it read has changed', () => {
    const cache = new ResponseCache();
    expect(cache.get('q')).toBeUndefined();
    cache.set('q', cache.mark(), ['a'], answer('{"data":1}'));
    cache.changed(['b']);
    expect(cache.get('q')?.body).toBe('{"data":1}');
    expect(cache.stats()).toMatchObject({ entries: 1, hits: 1, misses: 1, changes: 1 });
  });

  it('serves nothing once a change touched one of its reads, and drops it', () => {
    const cache = new ResponseCache();
    cache.set('q', cache.mark(), ['a', 'b'], answer('{"data":1}'));
    cache.changed(['c', 'b']);
    expect(cache.get('q')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ entries: 0, invalidated: 1 });
  });

  it('does not store an answer whose reads changed while it was being made', () => {
    const cache = new ResponseCache();
    const mark = cache.mark();
    cache.changed(['a']);
    cache.set('q', mark, ['a'], answer('{"data":"old"}'));
    expect(cache.get('q')).toBeUndefined();
    expect(cache.stats().entries).toBe(0);
  });

  it('keeps an answer made after a change of its reads', () => {
    const cache = new ResponseCache();
    cache.changed(['a']);
    cache.set('q', cache.mark(), ['a'], answer('{"data":"new"}'));
    expect(cache.get('q')?.body).toBe('{"data":"new"}');
  });

  it('counts a read whose last change it forgot as changed when the latest forgotten one was', () => {
    const cache = new ResponseCache({ maxTrackedReads: 2 });
    cache.changed(['a']);
    const early = cache.mark();
    cache.set('early', early, ['a'], answer('early'));
    cache.changed(['b']);
    cache.set('later', cache.mark(), ['a'], answer('later'));
    // Forgets `a` (changed at 1) and then `b` (changed at 2): both may have changed as late as 2.
    cache.changed(['c', 'd']);
    expect(cache.get('early')).toBeUndefined();
    expect(cache.get('later')?.body).toBe('later');
  });

  it('keeps at most maxEntries, evicting the least recently used', () => {
    const cache = new ResponseCache({ maxEntries: 2 });
    cache.set('a', 0, [], answer('a'));
    cache.set('b', 0, [], answer('b'));
    expect(cache.get('a')?.body).toBe('a');
    cache.set('c', 0, [], answer('c'));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.body).toBe('a');
    expect(cache.get('c')?.body).toBe('c');
    expect(cache.stats().entries).toBe(2);
  });

  it('keeps its bodies within maxBytes, and never stores one larger than that', () => {
    const cache = new ResponseCache({ maxBytes: 10_000 });
    for (let i = 0; i < 100; i++) cache.set(`q${i}`, 0, ['a'], answer('x'.repeat(1_000)));
    expect(cache.stats().bytes).toBeLessThanOrEqual(10_000);
    expect(cache.stats().entries).toBeGreaterThan(0);
    expect(cache.get('q99')).toBeDefined();
    cache.set('huge', 0, [], answer('x'.repeat(10_000)));
    expect(cache.get('huge')).toBeUndefined();
  });

  it('replaces an entry stored twice without counting its bytes twice', () => {
    const cache = new ResponseCache();
    cache.set('q', 0, ['a'], answer('first'));
    const bytes = cache.stats().bytes;
    cache.set('q', 0, ['b'], answer('later'));
    expect(cache.stats()).toMatchObject({ entries: 1, bytes });
    expect(cache.get('q')?.body).toBe('later');
  });

  it('forgets a tenth of its bound at a time, the reads changed longest ago first', () => {
    const cache = new ResponseCache({ maxTrackedReads: 100 });
    for (let i = 0; i < 100; i++) cache.changed([`r${i}`]);
    cache.set('recent', cache.mark(), ['r95'], answer('recent'));
    cache.set('old', cache.mark(), ['r5'], answer('old'));
    // One read over the bound: r0..r10 are forgotten (changed at 1..11), the rest kept.
    cache.changed(['r100']);
    expect(cache.get('recent')?.body).toBe('recent');
    expect(cache.get('old')?.body).toBe('old');
    cache.changed(['r50']);
    expect(cache.get('recent')?.body).toBe('recent');
    // A forgotten read counts as changed as late as the latest forgotten one: after 'old' was made.
    cache.set('after', 5, ['r3'], answer('after'));
    expect(cache.get('after')).toBeUndefined();
  });
});
