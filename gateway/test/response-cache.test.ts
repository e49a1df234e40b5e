import { describe, expect, it } from 'vitest';
import { ResponseCache, type CachedResponse } from '../src/response-cache.ts';

const answer = (body: string): CachedResponse => ({
  status: 200,
  headers: [['content-type', 'application/json; charset=utf-8']],
  body,
});

describe('the response cache', () => {
  it('serves an answer in the generation it was stored in', () => {
    const cache = new ResponseCache();
    expect(cache.get('q', 5)).toBeUndefined();
    cache.set('q', 5, answer('{"data":1}'));
    expect(cache.get('q', 5)?.body).toBe('{"data":1}');
    expect(cache.stats()).toMatchObject({ entries: 1, hits: 1, misses: 1, generation: 5 });
  });

  it('serves nothing stored before the log moved, and drops it', () => {
    const cache = new ResponseCache();
    cache.set('q', 5, answer('{"data":1}'));
    expect(cache.get('q', 6)).toBeUndefined();
    expect(cache.stats().entries).toBe(0);
    // Nor an older generation once a newer one was seen.
    expect(cache.get('q', 5)).toBeUndefined();
  });

  it('drops an answer made in a generation that has already passed', () => {
    const cache = new ResponseCache();
    expect(cache.get('other', 7)).toBeUndefined();
    cache.set('q', 6, answer('{"data":"old"}'));
    expect(cache.get('q', 7)).toBeUndefined();
    expect(cache.stats().entries).toBe(0);
  });

  it('keeps at most maxEntries, evicting the least recently used', () => {
    const cache = new ResponseCache({ maxEntries: 2 });
    cache.set('a', 1, answer('a'));
    cache.set('b', 1, answer('b'));
    expect(cache.get('a', 1)?.body).toBe('a');
    cache.set('c', 1, answer('c'));
    expect(cache.get('b', 1)).toBeUndefined();
    expect(cache.get('a', 1)?.body).toBe('a');
    expect(cache.get('c', 1)?.body).toBe('c');
    expect(cache.stats().entries).toBe(2);
  });

  it('keeps its bodies within maxBytes, and never stores one larger than that', () => {
    const cache = new ResponseCache({ maxBytes: 10_000 });
    for (let i = 0; i < 100; i++) cache.set(`q${i}`, 1, answer('x'.repeat(1_000)));
    expect(cache.stats().bytes).toBeLessThanOrEqual(10_000);
    expect(cache.stats().entries).toBeGreaterThan(0);
    expect(cache.get('q99', 1)).toBeDefined();
    cache.set('huge', 1, answer('x'.repeat(10_000)));
    expect(cache.get('huge', 1)).toBeUndefined();
  });

  it('replaces an entry stored twice without counting its bytes twice', () => {
    const cache = new ResponseCache();
    cache.set('q', 1, answer('first'));
    const bytes = cache.stats().bytes;
    cache.set('q', 1, answer('later'));
    expect(cache.stats()).toMatchObject({ entries: 1, bytes });
    expect(cache.get('q', 1)?.body).toBe('later');
  });
});
