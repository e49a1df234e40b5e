import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SortedIndex } from '../src/readmodel/sorted-index.ts';

/** Entries sorted by a value that can change between removal and insertion, ties by the entry itself. */
function indexOver(values: Map<number, number>, maxBlock?: number): SortedIndex {
  return new SortedIndex((a, b) => values.get(a)! - values.get(b)! || a - b, maxBlock);
}

const naive = (values: Map<number, number>, live: Set<number>): number[] =>
  [...live].sort((a, b) => values.get(a)! - values.get(b)! || a - b);

describe('SortedIndex', () => {
  it('keeps the same order, ranks and walks as a naive sort through inserts, updates and removals', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('put' as const), entry: fc.nat(300), value: fc.integer({ min: -5, max: 5 }) }),
      fc.record({ kind: fc.constant('remove' as const), entry: fc.nat(300) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 1500 }), (ops) => {
        const values = new Map<number, number>();
        const live = new Set<number>();
        // Blocks of 4 entries: splits, and blocks emptied and removed, at every few steps.
        const index = indexOver(values, 4);
        for (const step of ops) {
          if (live.has(step.entry)) {
            expect(index.remove(step.entry)).toBe(true);
            live.delete(step.entry);
          } else if (step.kind === 'remove') {
            expect(index.remove(step.entry)).toBe(false);
          }
          if (step.kind === 'put') {
            values.set(step.entry, step.value);
            index.insert(step.entry);
            live.add(step.entry);
          }
          // A read between writes: ranks are brought up to date lazily, and must stay right.
          if (live.size > 0 && step.entry % 3 === 0) {
            const rank = step.entry % live.size;
            expect(index.at(rank)).toBe(naive(values, live)[rank]);
          }
        }
        const expected = naive(values, live);
        expect(index.size).toBe(expected.length);
        expect(index.toArray()).toEqual(expected);
        for (let rank = 0; rank < expected.length; rank += 7) expect(index.at(rank)).toBe(expected[rank]);
        if (expected.length > 0) {
          const from = Math.floor(expected.length / 3);
          expect([...index.walk(from)]).toEqual(expected.slice(from));
          expect([...index.walk(from, true)]).toEqual(expected.slice(0, from + 1).reverse());
          const pivot = values.get(expected[from]!)!;
          const firstAbove = expected.findIndex((entry) => values.get(entry)! > pivot);
          expect(index.rankWhere((entry) => values.get(entry)! > pivot)).toBe(firstAbove < 0 ? expected.length : firstAbove);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('made of entries in no order, sorts them at the first read, inserts and removals before it included', () => {
    const op = fc.record({ entry: fc.nat(200), value: fc.integer({ min: -5, max: 5 }), read: fc.boolean() });
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(200), { maxLength: 100 }), fc.array(op, { maxLength: 200 }), (start, ops) => {
        const values = new Map<number, number>(start.map((entry) => [entry, entry % 7]));
        const live = new Set(start);
        const entries = Int32Array.from(start);
        const index = SortedIndex.unsorted((a, b) => values.get(a)! - values.get(b)! || a - b, entries, 4);
        expect(index.size).toBe(start.length);
        for (const step of ops) {
          if (live.has(step.entry)) {
            expect(index.remove(step.entry)).toBe(true);
            live.delete(step.entry);
          } else {
            values.set(step.entry, step.value);
            index.insert(step.entry);
            live.add(step.entry);
          }
          if (step.read && live.size > 0)
            expect(index.at(step.entry % live.size)).toBe(naive(values, live)[step.entry % live.size]);
        }
        expect(index.toArray()).toEqual(naive(values, live));
        // The entries it was made with are read, never written.
        expect([...entries]).toEqual(start);
      }),
      { numRuns: 100 },
    );
  });

  it('splits and merges blocks correctly across many thousands of entries in and out of order', () => {
    const values = new Map<number, number>();
    const index = indexOver(values);
    for (let entry = 0; entry < 20_000; entry++) {
      // Mostly ascending, every tenth far back: both the append path and block splits.
      values.set(entry, entry % 10 === 0 ? entry % 977 : entry);
      index.insert(entry);
    }
    const live = new Set(values.keys());
    for (let entry = 0; entry < 20_000; entry += 3) {
      expect(index.remove(entry)).toBe(true);
      live.delete(entry);
    }
    const expected = naive(values, live);
    expect(index.toArray()).toEqual(expected);
    for (let rank = 0; rank < expected.length; rank += 101) expect(index.at(rank)).toBe(expected[rank]);
    expect(() => index.at(expected.length)).toThrow(RangeError);
  });

  it('keeps ranks right when a block is emptied between two reads', () => {
    const index = new SortedIndex((a, b) => a - b, 4);
    for (const entry of [10, 20, 30, 40, 50, 60, 70, 80, 90, 15, 16]) index.insert(entry);
    // Blocks now [10 15] [16 20 30 40] [50 60 70 80] [90].
    index.remove(10);
    expect(index.at(0)).toBe(15);
    index.remove(15);
    expect(index.at(0)).toBe(16);
    expect(index.at(4)).toBe(50);
    expect(index.rankWhere((entry) => entry > 40)).toBe(4);
  });

  it('built from entries already in order, answers and goes on like the index they came from', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.nat(500), { maxLength: 300 }),
        fc.uniqueArray(fc.nat(500), { maxLength: 50 }),
        (first, later) => {
          const values = new Map([...first, ...later].map((entry) => [entry, entry % 7]));
          const original = indexOver(values, 4);
          for (const entry of first) original.insert(entry);
          const rebuilt = SortedIndex.fromSorted((a, b) => values.get(a)! - values.get(b)! || a - b, original.toArray(), 4);
          expect(rebuilt.size).toBe(original.size);
          expect(rebuilt.toArray()).toEqual(original.toArray());
          for (const entry of later.filter((e) => !first.includes(e))) {
            original.insert(entry);
            rebuilt.insert(entry);
          }
          const half = first[0];
          if (half !== undefined) expect(rebuilt.remove(half)).toBe(original.remove(half));
          expect(rebuilt.toArray()).toEqual(original.toArray());
          for (let rank = 0; rank < original.size; rank++) expect(rebuilt.at(rank)).toBe(original.at(rank));
        },
      ),
    );
  });

  it('walks nothing from a rank outside the index', () => {
    const index = indexOver(new Map([[1, 1]]));
    index.insert(1);
    expect([...index.walk(1)]).toEqual([]);
    expect([...index.walk(-1, true)]).toEqual([]);
    expect(new SortedIndex((a, b) => a - b).rankWhere(() => true)).toBe(0);
  });
});
