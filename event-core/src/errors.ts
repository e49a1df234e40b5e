/**
 * Error codes of the public contract. Every failure a client can see carries one,
 * and one function ({@link toGraphQLError} in `graphql/errors.ts`) maps them to `extensions.code`.
 */
export type ErrorCode =
  'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'UNAVAILABLE' | 'CONSISTENCY_TIMEOUT';

/** A failure with a public code and a message that says what was wrong and what to do. */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra public details, e.g. `{ field: 'price' }` or `{ currentVersion: 3 }`. */
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

export const badInput = (message: string, field?: string): DomainError =>
  new DomainError('BAD_USER_INPUT', message, field ? { field } : {});

export const notFound = (kind: string, id: string): DomainError =>
  new DomainError('NOT_FOUND', `${kind} "${id}" does not exist`, { id });

export const conflict = (kind: string, id: string, expected: number, current: number): DomainError =>
  new DomainError('CONFLICT', `${kind} "${id}" is at version ${current}, not ${expected}: reload it and try again`, {
    id,
    expectedVersion: expected,
    currentVersion: current,
  });
