import { describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import {
  ConflictError,
  ConsistencyTimeoutError,
  ForbiddenError,
  NotFoundError,
  ShopError,
  UnauthenticatedError,
  UnavailableError,
  ValidationError,
  errorFromGraphQL,
} from '../src/index.ts';

describe('errorFromGraphQL', () => {
  it.each([
    ['NOT_FOUND', NotFoundError],
    ['CONFLICT', ConflictError],
    ['BAD_USER_INPUT', ValidationError],
    ['GRAPHQL_VALIDATION_FAILED', ValidationError],
    ['UNAVAILABLE', UnavailableError],
    ['CONSISTENCY_TIMEOUT', ConsistencyTimeoutError],
    ['UNAUTHENTICATED', UnauthenticatedError],
    ['FORBIDDEN', ForbiddenError],
  ])('maps %s to its own class, keeping the server’s message and code', (code, ErrorClass) => {
    const error = errorFromGraphQL([{ message: `server says ${code}`, extensions: { code } }]);
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toBeInstanceOf(ShopError);
    expect(error.message).toBe(`server says ${code}`);
    expect(error.code).toBe(code);
  });

  it('falls back to ShopError for unknown codes and errors without a code', () => {
    const unknown = errorFromGraphQL([{ message: 'boom', extensions: { code: 'TEAPOT' } }]);
    expect(unknown.constructor).toBe(ShopError);
    expect(unknown.code).toBe('TEAPOT');
    expect(errorFromGraphQL([{ message: 'plain' }]).code).toBe('INTERNAL_SERVER_ERROR');
  });

  it('exposes the details a caller acts on', () => {
    const conflict = errorFromGraphQL([
      { message: 'stale', path: ['updateProduct'], extensions: { code: 'CONFLICT', expectedVersion: 1, currentVersion: 2 } },
      { message: 'second' },
    ]) as ConflictError;
    expect([conflict.expectedVersion, conflict.currentVersion, conflict.path]).toEqual([1, 2, ['updateProduct']]);
    expect(conflict.errors).toHaveLength(2);
    const notFound = errorFromGraphQL([{ message: 'gone', extensions: { code: 'NOT_FOUND', id: 'abc' } }]) as NotFoundError;
    expect(notFound.id).toBe('abc');
  });

  it('gives ValidationError a field, from the extension or from a variable coercion message', () => {
    const explicit = errorFromGraphQL([
      { message: 'name must not be empty', extensions: { code: 'BAD_USER_INPUT', field: 'name' } },
    ]);
    expect((explicit as ValidationError).field).toBe('name');
    const coercion = errorFromGraphQL([
      {
        message: 'Variable "$input" got invalid value "1.234" at "input.price"; Money must be ...',
        extensions: { code: 'BAD_USER_INPUT' },
      },
    ]);
    expect((coercion as ValidationError).field).toBe('price');
    expect(
      (errorFromGraphQL([{ message: 'bad', extensions: { code: 'BAD_USER_INPUT' } }]) as ValidationError).field,
    ).toBeUndefined();
  });

  it('prints as one line in the shell: class, code, message', () => {
    expect(inspect(errorFromGraphQL([{ message: 'Product "x" does not exist', extensions: { code: 'NOT_FOUND' } }]))).toBe(
      'NotFoundError [NOT_FOUND]: Product "x" does not exist',
    );
  });
});
