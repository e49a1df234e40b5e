import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { DomainError, type ErrorCode } from '../errors.ts';
import { InvalidPositionError } from '../position.ts';

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  UNAVAILABLE: 503,
  CONSISTENCY_TIMEOUT: 503,
};

/** The one mapping from domain failures to GraphQL errors with `extensions.code`. */
export function toGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  if (error instanceof DomainError) {
    const status = HTTP_STATUS[error.code];
    return new GraphQLError(error.message, {
      extensions: { code: error.code, ...error.details, ...(status ? { http: { status } } : {}) },
    });
  }
  if (error instanceof InvalidPositionError) {
    return new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
  }
  return new GraphQLError('Internal server error', {
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
    originalError: error as Error,
  });
}

const ANSI_ESCAPE = new RegExp(`${String.fromCharCode(0x1b)}\\[[0-9;]*[A-Za-z]`);
const ANSI_ESCAPES = new RegExp(ANSI_ESCAPE.source, 'g');

/**
 * Apollo Server `formatError`: public codes pass through; anything else loses its message and
 * stack in production so internals stay hidden.
 */
export function formatError(production: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof DomainError) {
      const mapped = toGraphQLError(original);
      return { ...formatted, message: mapped.message, extensions: { ...mapped.extensions, http: undefined } };
    }
    // Some libraries colour their messages for terminals (util.inspect): not for clients.
    if (ANSI_ESCAPE.test(formatted.message)) formatted = { ...formatted, message: formatted.message.replace(ANSI_ESCAPES, '') };
    const code = formatted.extensions?.code;
    if (production && (code === 'INTERNAL_SERVER_ERROR' || code === undefined)) {
      return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    }
    if (!production) return formatted;
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  };
}
