import { badInput } from './errors.ts';

/**
 * Money is exact: integer cents inside, decimal strings with two fraction digits at the edges.
 * Accepts what clients send: `1.5`, `"1.50"`, `2`. Rejects more than two decimals, negatives,
 * exponents and anything beyond {@link MAX_CENTS}.
 */
export const MAX_CENTS = 100_000_000_000; // one billion in currency units, far below 2^53

const DECIMAL = /^(0|[1-9]\d*)(?:\.(\d{1,2}))?$/;

/** Parses a money amount into integer cents; throws BAD_USER_INPUT with a message naming `field`. */
export function parseMoney(value: unknown, field = 'amount'): number {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw badInput(`${field} must be a finite number`, field);
    // A float like 0.1 prints as "0.1"; more than two decimals (0.123) is rejected below.
    text = String(value);
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    throw badInput(`${field} must be a decimal amount such as "1.50"`, field);
  }
  if (text.startsWith('-')) throw badInput(`${field} must not be negative`, field);
  const match = DECIMAL.exec(text);
  if (!match) {
    throw badInput(`${field} must be a decimal amount with at most two decimals, such as "1.50" (got "${text}")`, field);
  }
  const cents = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  if (!Number.isSafeInteger(cents) || cents > MAX_CENTS) {
    throw badInput(`${field} must be at most ${formatMoney(MAX_CENTS)}`, field);
  }
  return cents;
}

/**
 * Formats integer cents as a decimal string with two fraction digits: 150 → "1.50". Sums that
 * may outgrow 2^53 cents (aggregates) are kept as bigint and format the same way.
 */
export function formatMoney(cents: number | bigint): string {
  const value = BigInt(cents);
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}
