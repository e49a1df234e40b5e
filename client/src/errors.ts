import { inspect } from 'node:util';

/** One error as the gateway reports it (GraphQL over HTTP or graphql-ws). */
export interface GraphQLErrorLike {
  readonly message: string;
  readonly path?: readonly (string | number)[];
  readonly extensions?: Readonly<Record<string, unknown>>;
}

/**
 * Base class of every error the client throws on purpose: the server's message and its
 * `extensions.code` (or a client-side code such as `NETWORK_ERROR`), plus the raw extensions.
 */
export class ShopError extends Error {
  override readonly name: string = 'ShopError';
  /** `extensions.code` of the server's error, e.g. `NOT_FOUND`; a client-side code otherwise. */
  readonly code: string;
  /** All extensions the server sent (`id`, `field`, `currentVersion`, ...). */
  readonly extensions: Readonly<Record<string, unknown>>;
  /** The field path of the failed operation, when the server gave one. */
  readonly path: readonly (string | number)[] | undefined;
  /** Every error of the response; `this` describes the first. */
  readonly errors: readonly GraphQLErrorLike[];

  constructor(
    message: string,
    code: string,
    options: {
      extensions?: Record<string, unknown>;
      path?: readonly (string | number)[];
      errors?: readonly GraphQLErrorLike[];
      cause?: unknown;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.extensions = options.extensions ?? {};
    this.path = options.path;
    this.errors = options.errors ?? [{ message, extensions: { code } }];
  }

  /** Short form for the shell: name, code and message, no stack (the stack is our code, not the user's). */
  [inspect.custom](): string {
    return `${this.name} [${this.code}]: ${this.message}`;
  }
}

/** `NOT_FOUND`: the entity does not exist or was deleted. */
export class NotFoundError extends ShopError {
  override readonly name: string = 'NotFoundError';
  /** The id the server could not find, when it said which. */
  get id(): string | undefined {
    return typeof this.extensions.id === 'string' ? this.extensions.id : undefined;
  }
}

/** `CONFLICT`: `expectedVersion` was stale; reload the entity and try again. */
export class ConflictError extends ShopError {
  override readonly name: string = 'ConflictError';
  get expectedVersion(): number | undefined {
    return typeof this.extensions.expectedVersion === 'number' ? this.extensions.expectedVersion : undefined;
  }
  get currentVersion(): number | undefined {
    return typeof this.extensions.currentVersion === 'number' ? this.extensions.currentVersion : undefined;
  }
}

/** `BAD_USER_INPUT` (and GraphQL validation failures): the request was wrong; `field` says where, when known. */
export class ValidationError extends ShopError {
  override readonly name: string = 'ValidationError';
  /** The input field that was wrong (`price`, `name`, ...), when the server said or its message shows it. */
  get field(): string | undefined {
    if (typeof this.extensions.field === 'string') return this.extensions.field;
    // Variable coercion errors (e.g. Money "1.234") come from GraphQL itself, without a `field`
    // extension, but name the path: `Variable "$input" got invalid value ... at "input.price"`.
    const at = /at "([^"]+)"/.exec(this.message)?.[1];
    return at?.split('.').at(-1);
  }
}

/** `UNAVAILABLE` or the gateway could not be reached (after the client's retries). */
export class UnavailableError extends ShopError {
  override readonly name: string = 'UnavailableError';
}

/** `CONSISTENCY_TIMEOUT`: a projection did not catch up with the client's consistency token in time. */
export class ConsistencyTimeoutError extends ShopError {
  override readonly name: string = 'ConsistencyTimeoutError';
}

/** `UNAUTHENTICATED`: no token or an unknown one; set `GATEWAY_TOKEN`. */
export class UnauthenticatedError extends ShopError {
  override readonly name: string = 'UnauthenticatedError';
}

/** `FORBIDDEN`: the token's role may not do this (e.g. a viewer mutating). */
export class ForbiddenError extends ShopError {
  override readonly name: string = 'ForbiddenError';
}

type ShopErrorClass = new (...args: ConstructorParameters<typeof ShopError>) => ShopError;

const BY_CODE: Readonly<Record<string, ShopErrorClass>> = {
  NOT_FOUND: NotFoundError,
  CONFLICT: ConflictError,
  BAD_USER_INPUT: ValidationError,
  GRAPHQL_VALIDATION_FAILED: ValidationError,
  GRAPHQL_PARSE_FAILED: ValidationError,
  UNAVAILABLE: UnavailableError,
  CONSISTENCY_TIMEOUT: ConsistencyTimeoutError,
  UNAUTHENTICATED: UnauthenticatedError,
  FORBIDDEN: ForbiddenError,
};

/** The typed error for a server error code: `NOT_FOUND` → {@link NotFoundError}, unknown codes → {@link ShopError}. */
export function errorClassFor(code: string): ShopErrorClass {
  return BY_CODE[code] ?? ShopError;
}

/**
 * The one mapping from a GraphQL response's `errors` to a typed error: the first error decides the
 * class and message, all of them stay in `errors`.
 */
export function errorFromGraphQL(errors: readonly GraphQLErrorLike[]): ShopError {
  const first = errors[0] ?? { message: 'the gateway answered with an empty error list' };
  const code = typeof first.extensions?.code === 'string' ? first.extensions.code : 'INTERNAL_SERVER_ERROR';
  const ErrorClass = errorClassFor(code);
  return new ErrorClass(first.message, code, {
    extensions: { ...first.extensions },
    ...(first.path ? { path: first.path } : {}),
    errors,
  });
}

/** True for failures worth retrying with the same idempotency key: the log or the network was briefly unavailable. */
export function isTransient(error: unknown): boolean {
  return error instanceof UnavailableError;
}
