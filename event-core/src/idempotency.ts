import { createHash } from 'node:crypto';
import { DomainError } from './errors.ts';

/**
 * Idempotency keys say "this request again": a retry with the same key returns the first result
 * and appends nothing. A key sent again with another input is not a retry but a client's mistake
 * (a key reused for a new request); answering it with the first result would hide that the new
 * request was never carried out. So the event a keyed mutation appends carries a digest of its
 * input (`meta.inputDigest`), the read models keep it with the key, and a key that comes back with
 * another input is refused with CONFLICT, as payment APIs do.
 */

/**
 * A short digest of a mutation's input: 52 bits of the SHA-256 of its canonical JSON (keys sorted),
 * as 13 hex digits, so that it also fits a double exactly ({@link digestValue}). Values are compared
 * as the resolvers parsed them (`"1.50"` and `1.5` are the same price).
 */
export function inputDigest(input: unknown): string {
  return createHash('sha256').update(canonicalJson(input)).digest('hex').slice(0, 13);
}

/** A digest as a number, for a typed column (NaN for none). */
export const digestValue = (digest: string | undefined): number =>
  digest === undefined ? Number.NaN : Number.parseInt(digest, 16);

/** Do two digests say the inputs differ? Unknown on either side (an event from before digests) is no difference. */
export const inputsDiffer = (a: string | number | undefined, b: string | number | undefined): boolean =>
  a !== undefined && b !== undefined && !Number.isNaN(a) && !Number.isNaN(b) && a !== b;

export function reusedKey(key: string): DomainError {
  return new DomainError(
    'CONFLICT',
    `idempotencyKey "${key.slice(0, 80)}" was used before for another input: a retry must send the same input, a new request a new key`,
    { field: 'idempotencyKey' },
  );
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return typeof value === 'bigint' ? `"${value}n"` : (JSON.stringify(value) ?? 'null');
}
