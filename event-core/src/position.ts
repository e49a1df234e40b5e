import type { PartitionOffsets } from './log/port.ts';

/**
 * A position in the log: for each topic and partition, the offset of the next record to read.
 * "Applied up to a position" means every record below those offsets has been applied.
 * Clients see it as an opaque token (HTTP header `X-Consistency-Token`, subscription `after`).
 */
export type Position = Readonly<Record<string, PartitionOffsets>>;

export class InvalidPositionError extends Error {
  override readonly name = 'InvalidPositionError';
}

/** The position just after a record: what a reader must have applied to have seen it. */
export function positionAfter(topic: string, partition: number, offset: number): Position {
  return { [topic]: { [partition]: offset + 1 } };
}

/** The later of two positions, partition by partition. */
export function mergePositions(a: Position, b: Position): Position {
  const merged: Record<string, Record<number, number>> = {};
  for (const source of [a, b]) {
    for (const [topic, partitions] of Object.entries(source)) {
      const target = (merged[topic] ??= {});
      for (const [partition, offset] of Object.entries(partitions)) {
        const p = Number(partition);
        target[p] = Math.max(target[p] ?? 0, offset);
      }
    }
  }
  return merged;
}

/** True when `applied` has reached `wanted` in every partition of `wanted` (restricted to `topics` when given). */
export function hasReached(applied: Position, wanted: Position, topics?: ReadonlySet<string>): boolean {
  for (const [topic, partitions] of Object.entries(wanted)) {
    if (topics && !topics.has(topic)) continue;
    for (const [partition, offset] of Object.entries(partitions)) {
      if ((applied[topic]?.[Number(partition)] ?? 0) < offset) return false;
    }
  }
  return true;
}

/** Encodes a position as an opaque, URL-safe token. */
export function encodePosition(position: Position): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

const tokens = new WeakMap<Position, string>();

/**
 * {@link encodePosition}, remembered per position object: for a position many requests or
 * payloads carry (a query plan's fetches, a change sent to a thousand subscribers).
 */
export function positionToken(position: Position): string {
  let token = tokens.get(position);
  if (token === undefined) tokens.set(position, (token = encodePosition(position)));
  return token;
}

const MAX_TOKEN_LENGTH = 4096;

/** Decodes a token from {@link encodePosition}; throws {@link InvalidPositionError} with the reason. */
export function decodePosition(token: string): Position {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) {
    throw new InvalidPositionError('position token is not a token this service issued');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidPositionError('position token is not a token this service issued');
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InvalidPositionError('position token does not hold a position');
  }
  const position: Record<string, Record<number, number>> = {};
  for (const [topic, partitions] of Object.entries(raw)) {
    if (partitions === null || typeof partitions !== 'object' || Array.isArray(partitions)) {
      throw new InvalidPositionError(`position token has no partitions for topic "${topic}"`);
    }
    const target: Record<number, number> = {};
    for (const [partition, offset] of Object.entries(partitions as Record<string, unknown>)) {
      const p = Number(partition);
      if (
        !/^\d{1,9}$/.test(partition) ||
        !Number.isSafeInteger(p) ||
        p < 0 ||
        !Number.isSafeInteger(offset) ||
        (offset as number) < 0
      ) {
        throw new InvalidPositionError(`position token has an invalid offset for "${topic}"`);
      }
      target[p] = offset as number;
    }
    position[topic] = target;
  }
  return position;
}
