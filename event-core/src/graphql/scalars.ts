import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import type { DomainError } from '../errors.ts';
import { formatMoney, parseMoney } from '../money.ts';

function moneyInput(value: unknown): number {
  try {
    return parseMoney(value, 'Money');
  } catch (error) {
    throw new GraphQLError((error as DomainError).message, { extensions: { code: 'BAD_USER_INPUT' } });
  }
}

/**
 * `Money`: a decimal string with two fraction digits out ("1.50"); Int, Float or String in, at most
 * two decimals, never negative. Inside resolvers it is integer cents.
 */
export const MoneyScalar = new GraphQLScalarType<number | bigint, string>({
  name: 'Money',
  description: 'An exact amount: "1.50" out; Int, Float or String in, at most 2 decimals, >= 0.',
  serialize: (value) => {
    if (typeof value === 'bigint') return formatMoney(value);
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new GraphQLError('Money must be held as integer cents');
    return formatMoney(value);
  },
  parseValue: moneyInput,
  parseLiteral: (ast) => {
    // A literal's source text is exact (1.10 stays "1.10"), so parse it as text, never as a float.
    if (ast.kind === Kind.INT || ast.kind === Kind.FLOAT || ast.kind === Kind.STRING) return moneyInput(ast.value);
    throw new GraphQLError('Money must be an Int, Float or String such as "1.50"', { extensions: { code: 'BAD_USER_INPUT' } });
  },
});

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

function dateInput(value: unknown): string {
  if (typeof value !== 'string' || !ISO_UTC.test(value) || Number.isNaN(Date.parse(value))) {
    throw new GraphQLError('DateTime must be an ISO-8601 UTC string such as "2026-01-31T12:00:00Z"', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return new Date(value).toISOString();
}

/** `DateTime`: ISO-8601 UTC strings both ways. */
export const DateTimeScalar = new GraphQLScalarType<string, string>({
  name: 'DateTime',
  description: 'An instant as an ISO-8601 UTC string, e.g. "2026-01-31T12:00:00.000Z".',
  serialize: (value) => {
    if (value instanceof Date) return value.toISOString();
    if (typeof value === 'string') return value;
    throw new GraphQLError('DateTime must be a string or a Date');
  },
  parseValue: dateInput,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string', { extensions: { code: 'BAD_USER_INPUT' } });
    return dateInput(ast.value);
  },
});
