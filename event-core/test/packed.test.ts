import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packIntegers, unpackIntegers } from '../src/snapshot/packed.ts';

const LIMIT = 2 ** 51 - 1;

/** Columns as read models hold them: runs that count up, repeats, small and large jumps, NaN. */
const floatColumn = fc.array(
  fc.oneof(
    fc.integer({ min: -1000, max: 1000 }),
    fc.maxSafeInteger().map((n) => n % LIMIT),
    fc.constantFrom(0, 1, LIMIT, -LIMIT, Number.NaN, 2 ** 31, -(2 ** 31), 2 ** 32),
  ),
  { maxLength: 400 },
);
const intColumn = fc.array(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.integer()), { maxLength: 400 });

const roundTrip = <T extends Int32Array | Float64Array>(values: T, make: (n: number) => T): T | undefined => {
  const packed = packIntegers(values);
  if (!packed) return undefined;
  const out = make(values.length + 3);
  unpackIntegers(packed, out, 2, values.length);
  return out.subarray(2, 2 + values.length) as T;
};

describe('packed integers', () => {
  it.each([
    ['Float64, NaN included', floatColumn, Float64Array],
    ['Int32', intColumn, Int32Array],
  ] as const)('give back every %s column exactly, or decline it', (_, arbitrary, Column) => {
    fc.assert(
      fc.property(arbitrary, (values) => {
        const column = Column.from(values);
        const back = roundTrip(column, (n) => new Column(n));
        if (back) expect([...back]).toEqual([...column]);
      }),
    );
  });

  it('take a column that counts up in about a byte a value', () => {
    const offsets = Float64Array.from({ length: 100_000 }, (_, i) => 5_000_000_000 + i);
    const packed = packIntegers(offsets)!;
    expect(packed.length).toBeLessThan(100_010);
    const rows = Int32Array.from({ length: 100_000 }, (_, i) => i);
    expect(packIntegers(rows)!.length).toBe(100_000);
    const none = new Float64Array(100_000).fill(Number.NaN);
    expect(packIntegers(none)!.length).toBe(100_000);
  });

  it('decline what would not come back with the same bits, and what would not save a quarter', () => {
    for (const odd of [0.5, Number.POSITIVE_INFINITY, -0, 2 ** 51, -(2 ** 51), 2 ** 53]) {
      expect(packIntegers(Float64Array.from([1, 2, odd]))).toBeUndefined();
    }
    const random = Int32Array.from({ length: 1000 }, (_, i) => Math.imul(i + 1, 0x9e3779b1));
    expect(packIntegers(random)).toBeUndefined();
  });

  it('refuse bytes that do not hold exactly the values asked for', () => {
    const packed = packIntegers(Int32Array.from([1, 300, 70_000, 2]))!;
    expect(() => unpackIntegers(packed, new Int32Array(3), 0, 3)).toThrow(/left over/);
    expect(() => unpackIntegers(packed, new Int32Array(5), 0, 5)).toThrow(/end early/);
    expect(() => unpackIntegers(packed, new Int32Array(4), 1, 4)).toThrow(RangeError);
    expect(() =>
      unpackIntegers(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), new Float64Array(1), 0, 1),
    ).toThrow(/8 bytes/);
    const wide = packIntegers(Float64Array.from([2 ** 40]))!;
    expect(() => unpackIntegers(wide, new Int32Array(1), 0, 1)).toThrow(/32-bit/);
  });
});
