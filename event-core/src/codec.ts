import { z } from 'zod';
import { envelopeSchema, wellFormedEnvelope, type EventEnvelope } from './envelope.ts';
import type { LogRecord, OutgoingRecord } from './log/port.ts';

/** Why a record could not become an event. The consumer logs it and moves on. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

/**
 * A record of the original C# system: `{"eventType":"set"|"remove","payload":{...whole entity...}}`.
 * It has no version and no event id; the upcaster derives both from the record's position.
 */
export interface LegacyRecord {
  readonly eventType: 'set' | 'remove';
  readonly payload: Readonly<Record<string, unknown>>;
}

const legacySchema = z.object({
  eventType: z.enum(['set', 'remove']),
  payload: z.record(z.string(), z.unknown()),
});

/** What a decoded record is: a current envelope, or a legacy record still to be upcast by its topic. */
export type Decoded =
  { readonly format: 'envelope'; readonly event: EventEnvelope } | { readonly format: 'legacy'; readonly legacy: LegacyRecord };

/** Largest record value we accept, in bytes; bigger values are poison, not events. */
export const MAX_EVENT_BYTES = 256 * 1024;

/** Decodes a record value; throws {@link DecodeError} with a reason a log line can carry. */
export function decodeRecord(record: Pick<LogRecord, 'key' | 'value'>): Decoded {
  if (record.value === null) throw new DecodeError('tombstone record (null value)');
  if (record.value.length > MAX_EVENT_BYTES) {
    throw new DecodeError(`value of ${record.value.length} bytes exceeds ${MAX_EVENT_BYTES}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(record.value.toString('utf8'));
  } catch (error) {
    throw new DecodeError(`value is not JSON: ${(error as Error).message}`);
  }
  if (json !== null && typeof json === 'object' && 'eventType' in json) {
    const legacy = legacySchema.safeParse(json);
    if (!legacy.success) throw new DecodeError(`invalid legacy record: ${z.prettifyError(legacy.error)}`);
    return { format: 'legacy', legacy: legacy.data };
  }
  const event = wellFormedEnvelope(json) ?? parseEnvelope(json);
  if (record.key !== null && record.key !== event.entityId) {
    throw new DecodeError(`record key "${record.key}" does not match entityId "${event.entityId}"`);
  }
  return { format: 'envelope', event };
}

/** The schema's verdict on what the fast check refused: the envelope after all, or why not. */
function parseEnvelope(json: unknown): EventEnvelope {
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) throw new DecodeError(`invalid envelope: ${z.prettifyError(parsed.error)}`);
  return parsed.data as EventEnvelope;
}

/** Encodes an event as the record that carries it: key = entity id, JSON value, typed headers. */
export function encodeEvent(event: EventEnvelope): OutgoingRecord {
  return {
    key: event.entityId,
    value: Buffer.from(JSON.stringify(event), 'utf8'),
    headers: { 'content-type': 'application/json', 'event-type': event.type },
  };
}
