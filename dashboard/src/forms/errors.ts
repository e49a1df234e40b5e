import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';

/** What a failed mutation means for a form: messages per field, for the form, or a conflict. */
export interface FormErrors {
  readonly fields: Readonly<Record<string, string>>;
  readonly form?: string;
  /** The entity changed since the form was opened (`expectedVersion` was stale). */
  readonly conflict?: string;
}

/**
 * What a request that got no GraphQL answer means for a person: the server is stopped, restarting
 * or out of reach (the browser only says "Failed to fetch"), or it answered with an HTTP error.
 */
export function unreachable(error: unknown): string {
  if (ServerError.is(error)) return `The server answered with an error (HTTP ${error.statusCode}).`;
  return 'The server cannot be reached: it may be stopped or restarting, or the network is down.';
}

/** `Variable "$input" got invalid value "x" at "input.price"; Money must be ...` → `price`. */
const coercionPath = /got invalid value .* at "(?:[\w$]+\.)*(\w+)"/;

/** Keeps what the scalar said (`Money must be ...`), without the variable plumbing around it. */
function cleanMessage(message: string): string {
  const semicolon = message.indexOf('; ');
  if (!coercionPath.test(message) || semicolon < 0) return message;
  return message.slice(semicolon + 2).replace(/^Expected type "\w+"\.\s*/, '');
}

/**
 * Maps a mutation error to the form's fields. The server names the field in `extensions.field`
 * (BAD_USER_INPUT); variable coercion errors of scalars such as Money only name it in their message
 * path; a NOT_FOUND names the id, which belongs to the field holding it (a purchase's product).
 */
export function formErrors(error: unknown, values: Readonly<Record<string, string>>): FormErrors {
  if (!CombinedGraphQLErrors.is(error)) {
    return {
      fields: {},
      form: `${unreachable(error)} Try again once it is back.`,
    };
  }
  const fields: Record<string, string> = {};
  const form: string[] = [];
  let conflict: string | undefined;
  for (const { message, extensions } of error.errors) {
    const code = extensions?.['code'];
    let field: string | undefined;
    if (code === 'BAD_USER_INPUT') {
      const named = extensions?.['field'];
      field = typeof named === 'string' ? named : coercionPath.exec(message)?.[1];
    } else if (code === 'NOT_FOUND') {
      field = Object.keys(values).find((name) => values[name] && values[name] === extensions?.['id']);
    } else if (code === 'CONFLICT') {
      conflict = message;
      continue;
    }
    // Shown next to its field, a message needs no "price: " in front.
    if (field && field in values && !fields[field]) {
      const text = cleanMessage(message);
      fields[field] = text.startsWith(`${field}: `) ? text.slice(field.length + 2) : text;
    } else form.push(cleanMessage(message));
  }
  return { fields, ...(form.length ? { form: form.join(' ') } : {}), ...(conflict ? { conflict } : {}) };
}
