import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodePosition,
  encodePosition,
  hasReached,
  InvalidPositionError,
  mergePositions,
  positionAfter,
  positionToken,
  type Position,
} from '../src/position.ts';

const token = (raw: unknown): string => Buffer.from(JSON.stringify(raw), 'utf8').toString('base64url');

const positionArb: fc.Arbitrary<Position> = fc.dictionary(
  fc.constantFrom('eventbus.products', 'eventbus.customers', 'eventbus.purchases', 'other'),
  fc.dictionary(fc.integer({ min: 0, max: 63 }).map(String), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
) as fc.Arbitrary<Position>;

describe('positionAfter', () => {
  it('points one past the record', () => {
    expect(positionAfter('eventbus.products', 2, 41)).toEqual({ 'eventbus.products': { 2: 42 } });
  });
});

describe('encodePosition / decodePosition', () => {
  it('round-trips a position', () => {
    const position: Position = { 'eventbus.products': { 0: 12, 1: 3 }, 'eventbus.purchases': { 0: 0 } };
    expect(decodePosition(encodePosition(position))).toEqual(position);
  });

  it('round-trips any position of safe, non-negative offsets', () => {
    fc.assert(
      fc.property(positionArb, (position) => {
        expect(decodePosition(encodePosition(position))).toEqual(position);
      }),
      { numRuns: 200 },
    );
  });

  it('writes a URL-safe token', () => {
    const encoded = encodePosition({ 'eventbus.products?&/': { 0: 2 ** 40 } });
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('round-trips an empty position', () => {
    expect(decodePosition(encodePosition({}))).toEqual({});
  });

  it.each([
    ['empty', ''],
    ['plain text with a space', 'not a token'],
    ['standard base64 with padding', Buffer.from('{"t":{"0":1}}').toString('base64')],
    ['base64 with +/', 'ab+/cd'],
    ['base64url that is not JSON', Buffer.from('garbage{').toString('base64url')],
    ['a JSON array', token([1, 2])],
    ['JSON null', token(null)],
    ['a JSON number', token(7)],
    ['a topic with an array of offsets', token({ t: [1, 2] })],
    ['a topic with null partitions', token({ t: null })],
    ['a topic with a number instead of partitions', token({ t: 5 })],
    ['a negative offset', token({ t: { 0: -1 } })],
    ['a float offset', token({ t: { 0: 1.5 } })],
    ['a string offset', token({ t: { 0: '1' } })],
    ['an offset beyond 2^53', token({ t: { 0: 2 ** 60 } })],
    ['a non-numeric partition', token({ t: { zero: 1 } })],
    ['a negative partition', token({ t: { '-1': 1 } })],
    ['a fractional partition', token({ t: { '1.5': 1 } })],
    ['an oversize token', token({ t: Object.fromEntries(Array.from({ length: 600 }, (_, i) => [i, i])) })],
  ])('rejects %s', (_label, value) => {
    expect(() => decodePosition(value)).toThrow(InvalidPositionError);
  });

  it('accepts a token of exactly the maximum length and rejects one character more', () => {
    // Pad a topic name until the token is 4096 characters (a multiple of 4, so no partial quantum).
    let name = 't';
    while (token({ [name]: { 0: 1 } }).length < 4096) name += 'x';
    const exact = token({ [name]: { 0: 1 } });
    expect(exact.length).toBe(4096);
    expect(decodePosition(exact)).toEqual({ [name]: { 0: 1 } });
    expect(() => decodePosition(`${exact}A`)).toThrow(InvalidPositionError);
  });
});

describe('mergePositions', () => {
  it('takes the larger offset per partition', () => {
    expect(mergePositions({ t: { 0: 5, 1: 2 } }, { t: { 0: 3, 1: 9 } })).toEqual({ t: { 0: 5, 1: 9 } });
  });

  it('keeps partitions and topics that only one side has', () => {
    expect(mergePositions({ a: { 0: 1 } }, { a: { 1: 4 }, b: { 0: 7 } })).toEqual({ a: { 0: 1, 1: 4 }, b: { 0: 7 } });
  });

  it('does not mix the same partition number of different topics', () => {
    expect(mergePositions({ a: { 0: 10 } }, { b: { 0: 2 } })).toEqual({ a: { 0: 10 }, b: { 0: 2 } });
  });

  it('does not change its arguments', () => {
    const a: Position = { t: { 0: 1 } };
    const b: Position = { t: { 0: 2 } };
    mergePositions(a, b);
    expect(a).toEqual({ t: { 0: 1 } });
    expect(b).toEqual({ t: { 0: 2 } });
  });

  it('is commutative and reaches both inputs', () => {
    fc.assert(
      fc.property(positionArb, positionArb, (a, b) => {
        const merged = mergePositions(a, b);
        expect(mergePositions(b, a)).toEqual(merged);
        expect(hasReached(merged, a)).toBe(true);
        expect(hasReached(merged, b)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('hasReached', () => {
  it('is true when every wanted partition is at or past its offset', () => {
    expect(hasReached({ t: { 0: 5, 1: 3 } }, { t: { 0: 5, 1: 2 } })).toBe(true);
  });

  it('is false when one partition is behind', () => {
    expect(hasReached({ t: { 0: 5, 1: 1 } }, { t: { 0: 5, 1: 2 } })).toBe(false);
  });

  it('treats a partition it has never seen as offset 0', () => {
    expect(hasReached({}, { t: { 0: 0 } })).toBe(true);
    expect(hasReached({}, { t: { 0: 1 } })).toBe(false);
    expect(hasReached({ t: { 0: 9 } }, { t: { 1: 1 } })).toBe(false);
  });

  it('is true for an empty wanted position', () => {
    expect(hasReached({}, {})).toBe(true);
  });

  it('ignores topics outside the given set', () => {
    const applied = { mine: { 0: 3 } };
    const wanted = { mine: { 0: 3 }, theirs: { 0: 100 } };
    expect(hasReached(applied, wanted)).toBe(false);
    expect(hasReached(applied, wanted, new Set(['mine']))).toBe(true);
  });

  it('still checks topics inside the given set', () => {
    expect(hasReached({ mine: { 0: 2 } }, { mine: { 0: 3 } }, new Set(['mine']))).toBe(false);
  });
});

describe('positionToken', () => {
  it('gives the token encodePosition gives, the same for the same position object', () => {
    const position = { 'shop.eventbus.purchases': { 0: 12, 1: 7 } };
    expect(positionToken(position)).toBe(encodePosition(position));
    expect(positionToken(position)).toBe(positionToken(position));
    expect(decodePosition(positionToken(position))).toEqual(position);
  });
});
