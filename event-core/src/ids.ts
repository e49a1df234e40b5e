import { randomBytes, randomUUID } from 'node:crypto';

/**
 * Entity ids are 22-character URL-safe base64 strings of 16 random bytes, the same shape as the
 * original system's GUIDs, so old and new ids look alike and old topics can be taken over.
 */
export function newEntityId(): string {
  return randomBytes(16).toString('base64url');
}

/** Event ids are UUIDs. */
export function newEventId(): string {
  return randomUUID();
}

/** What an id may look like: URL-safe characters, 1 to 64 of them. */
export const ENTITY_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function isEntityId(value: string): boolean {
  return ENTITY_ID_PATTERN.test(value);
}
