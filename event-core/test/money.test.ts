import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../src/errors.ts';
import { formatMoney, MAX_CENTS, parseMoney } from '../src/money.ts';

/** Runs `fn` and returns the DomainError it throws; fails the test when it throws nothing else. */
function domainErrorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected a DomainError, but nothing was thrown');
}

describe('parseMoney', () => {
  it('adds 0.10 and 0.20 to exactly 30 cents', () => {
    expect(parseMoney('0.10') + parseMoney('0.20')).toBe(30);
    expect(parseMoney(0.1) + parseMoney(0.2)).toBe(30);
    expect(formatMoney(parseMoney('0.10') + parseMoney('0.20'))).toBe('0.30');
  });

  it('reads one decimal as tens of cents', () => {
    expect(parseMoney('1.5')).toBe(150);
    expect(parseMoney(1.5)).toBe(150);
  });

  it('reads a whole number as whole units', () => {
    expect(parseMoney(2)).toBe(200);
    expect(parseMoney('2')).toBe(200);
    expect(parseMoney(0)).toBe(0);
  });

  it('reads a two-decimal string exactly', () => {
    expect(parseMoney('1.50')).toBe(150);
    expect(parseMoney('0.01')).toBe(1);
    expect(parseMoney('19.99')).toBe(1999);
    expect(parseMoney(19.99)).toBe(1999);
  });

  it('ignores whitespace around a string amount', () => {
    expect(parseMoney(' 1.50 ')).toBe(150);
  });

  it('accepts exactly MAX_CENTS', () => {
    expect(parseMoney(formatMoney(MAX_CENTS))).toBe(MAX_CENTS);
  });

  it.each(['-1', '-0.01', '-0', ' -1.50'])('rejects the negative amount %j', (value) => {
    const error = domainErrorOf(() => parseMoney(value, 'price'));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.details).toEqual({ field: 'price' });
    expect(error.message).toMatch(/price must not be negative/);
  });

  it('rejects a negative number', () => {
    expect(domainErrorOf(() => parseMoney(-1.5)).code).toBe('BAD_USER_INPUT');
  });

  it.each(['1.234', '0.001', 1.234, 0.005])('rejects three decimals in %j', (value) => {
    const error = domainErrorOf(() => parseMoney(value, 'total'));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.details).toEqual({ field: 'total' });
    expect(error.message).toMatch(/at most two decimals/);
  });

  it.each(['1e2', '1E2', '1.5e1', 1e21, 1e-7])('rejects exponent notation %j', (value) => {
    expect(domainErrorOf(() => parseMoney(value)).code).toBe('BAD_USER_INPUT');
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])('rejects the non-finite number %s', (value) => {
    const error = domainErrorOf(() => parseMoney(value, 'price'));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(/finite/);
  });

  it.each(['NaN', 'Infinity', '', ' ', '.5', '1.', '01.50', '+1.50', '1,50', '0x10', 'abc'])(
    'rejects the malformed string %j',
    (value) => {
      expect(domainErrorOf(() => parseMoney(value)).code).toBe('BAD_USER_INPUT');
    },
  );

  it.each([null, undefined, true, {}, [], [1], 150n])('rejects the non-string, non-number %s', (value) => {
    const error = domainErrorOf(() => parseMoney(value, 'price'));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.details).toEqual({ field: 'price' });
  });

  it('rejects one cent above MAX_CENTS', () => {
    const error = domainErrorOf(() => parseMoney(formatMoney(MAX_CENTS + 1), 'price'));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.message).toContain(formatMoney(MAX_CENTS));
  });

  it('rejects amounts far beyond 2^53 cents instead of rounding them', () => {
    expect(domainErrorOf(() => parseMoney('123456789012345678901234567890')).code).toBe('BAD_USER_INPUT');
    expect(domainErrorOf(() => parseMoney(Number.MAX_SAFE_INTEGER)).code).toBe('BAD_USER_INPUT');
  });

  it('names the field "amount" when no field is given', () => {
    expect(domainErrorOf(() => parseMoney('x')).details).toEqual({ field: 'amount' });
  });

  it('parses what formatMoney prints, for every cent amount up to MAX_CENTS', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_CENTS }), (cents) => parseMoney(formatMoney(cents)) === cents),
      { numRuns: 500 },
    );
  });

  it('parses a client float with at most two decimals to the cents it names', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (cents) => parseMoney(cents / 100) === cents),
      { numRuns: 500 },
    );
  });
});

describe('formatMoney', () => {
  it('prints cents with two fraction digits', () => {
    expect(formatMoney(0)).toBe('0.00');
    expect(formatMoney(1)).toBe('0.01');
    expect(formatMoney(10)).toBe('0.10');
    expect(formatMoney(150)).toBe('1.50');
    expect(formatMoney(200)).toBe('2.00');
    expect(formatMoney(123_456)).toBe('1234.56');
  });

  it('prints bigint cents the same way as number cents', () => {
    expect(formatMoney(150n)).toBe('1.50');
    expect(formatMoney(0n)).toBe('0.00');
  });

  it('prints sums beyond 2^53 cents exactly', () => {
    const sum = BigInt(Number.MAX_SAFE_INTEGER) * 1000n + 7n; // far beyond what a double holds exactly
    expect(formatMoney(sum)).toBe('90071992547409910.07');
    expect(formatMoney(2n ** 64n + 1n)).toBe('184467440737095516.17');
  });

  it('prints a negative amount with a leading minus', () => {
    expect(formatMoney(-5)).toBe('-0.05');
    expect(formatMoney(-12_345n)).toBe('-123.45');
  });

  it('never loses a cent: the printed digits are the cents', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 96n }), (cents) => {
        const text = formatMoney(cents);
        return /^\d+\.\d{2}$/.test(text) && BigInt(text.replace('.', '')) === cents;
      }),
      { numRuns: 500 },
    );
  });
});
