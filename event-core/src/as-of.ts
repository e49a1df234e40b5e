import { badInput } from './errors.ts';
import { decodePosition, encodePosition, InvalidPositionError, type Position } from './position.ts';

/**
 * What a time-travel argument (`asOf`) asks for: the state after every event that occurred at or
 * before an instant, or the state at a position of the log (every record before it applied).
 */
export type AsOf =
  { readonly kind: 'instant'; readonly atMs: number } | { readonly kind: 'position'; readonly position: Position };

/** ISO-8601 with a zone: `2026-01-31T12:00:00Z`, `…T12:00:00.123+01:00`. A zone-less time is ambiguous and refused. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * Parses the one `asOf` argument every time-travel field takes: an ISO-8601 instant, or a position
 * token (a history entry's `position`, a subscription payload's `position`, an
 * `X-Consistency-Token`, or an entity's `asOf`). Throws BAD_USER_INPUT saying which forms work.
 */
export function parseAsOf(value: string): AsOf {
  const text = value.trim();
  if (/^\d{4}-/.test(text)) {
    const atMs = ISO_INSTANT.test(text) ? Date.parse(text) : Number.NaN;
    if (Number.isNaN(atMs)) {
      throw badInput(
        `asOf "${text.slice(0, 40)}" is not an ISO-8601 instant with a zone, such as "2026-01-31T12:00:00Z"`,
        'asOf',
      );
    }
    return { kind: 'instant', atMs };
  }
  try {
    return { kind: 'position', position: decodePosition(text) };
  } catch (error) {
    if (!(error instanceof InvalidPositionError)) throw error;
    throw badInput(
      `asOf must be an ISO-8601 instant such as "2026-01-31T12:00:00Z" or a position token from this API (${error.message})`,
      'asOf',
    );
  }
}

/** The canonical text of an `asOf`: instants as ISO-8601 UTC with milliseconds, positions as tokens. */
export function formatAsOf(asOf: AsOf): string {
  switch (asOf.kind) {
    case 'instant':
      return new Date(asOf.atMs).toISOString();
    case 'position':
      return encodePosition(asOf.position);
    default: {
      const unknown: never = asOf;
      throw new Error(`unknown asOf ${JSON.stringify(unknown)}`);
    }
  }
}

/** An `asOf` argument ready to be answered. */
export interface PointInTime {
  readonly asOf: AsOf;
  /** Its canonical text ({@link formatAsOf}): what an entity's `asOf` field and its references carry. */
  readonly text: string;
}

/**
 * Parses an `asOf` argument and, for a position, waits until this subgraph has applied it (bounded
 * like `X-Consistency-Token`, then CONSISTENCY_TIMEOUT): a position a client just received from a
 * mutation or a history entry is answered with that event in it, never without.
 */
export async function pointInTime(
  text: string,
  projector: { waitFor(position: Position, timeoutMs: number): Promise<void> },
  timeoutMs: number,
): Promise<PointInTime> {
  const asOf = parseAsOf(text);
  if (asOf.kind === 'position') await projector.waitFor(asOf.position, timeoutMs);
  return { asOf, text: formatAsOf(asOf) };
}
