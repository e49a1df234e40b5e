import { describe, expect, it } from 'vitest';
import { IdNumbers } from '../src/readmodel/id-numbers.ts';

describe('IdNumbers', () => {
  it('numbers ids densely in order of first sight, both ways', () => {
    const ids = new IdNumbers();
    expect(ids.intern('b')).toBe(0);
    expect(ids.intern('a')).toBe(1);
    expect(ids.intern('b')).toBe(0);
    expect(ids.size).toBe(2);
    expect([ids.id(0), ids.id(1)]).toEqual(['b', 'a']);
    expect(ids.find('a')).toBe(1);
    expect(ids.find('c')).toBeUndefined();
  });

  it('adds an id only once', () => {
    const ids = new IdNumbers();
    expect(ids.add('x')).toBe(0);
    expect(ids.add('x')).toBeUndefined();
    expect(ids.add('y')).toBe(1);
  });

  it('keeps every id apart, prefixes and the empty id included', () => {
    const ids = new IdNumbers();
    const all = ['', 'a', 'ab', 'abc', ...Array.from({ length: 5_000 }, (_, i) => `id-${i.toString(36)}_${'x'.repeat(i % 64)}`)];
    all.forEach((id, n) => expect(ids.add(id)).toBe(n));
    expect(ids.size).toBe(all.length);
    all.forEach((id, n) => {
      expect(ids.find(id)).toBe(n);
      expect(ids.id(n)).toBe(id);
    });
    expect(ids.find('id-')).toBeUndefined();
  });

  it('says which numbers it does not have', () => {
    expect(() => new IdNumbers().id(0)).toThrow(RangeError);
  });
});
