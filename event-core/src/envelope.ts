import { z } from 'zod';

/**
 * The event envelope: the value of every record on an `eventbus.*` topic.
 * `data` is the whole entity after the event, so a compacted topic still rebuilds the same state.
 */
export interface EventMeta {
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly idempotencyKey?: string;
  /** With an idempotency key: a digest of the mutation's input, so a key reused for another input is refused (`idempotency.ts`). */
  readonly inputDigest?: string;
  readonly actor?: string;
}

export interface EventEnvelope<TType extends string = string, TData = unknown> {
  /** Unique id of this event (UUID). */
  readonly id: string;
  /** Past-tense event name, e.g. `ProductCreated`. */
  readonly type: TType;
  /** The aggregate this event belongs to; also the record key. */
  readonly entityId: string;
  /** Entity version after this event; 1 for a create. */
  readonly version: number;
  /** ISO-8601 UTC. */
  readonly occurredAt: string;
  readonly data: TData;
  readonly meta: EventMeta;
  /**
   * Version of this event type's schema (`data` and meaning) it was written with; absent = 1, as
   * written before versions were recorded. Readers upcast older versions to the current one
   * (`defineEventVersions`); writers stamp the current one.
   */
  readonly schemaVersion?: number;
}

const MAX_ID_LENGTH = 100;
const MAX_META_LENGTH = 200;
const MAX_SCHEMA_VERSION = 1000;
const EVENT_TYPE = /^[A-Z][A-Za-z0-9]{1,80}$/;

export const eventMetaSchema = z
  .object({
    correlationId: z.string().max(MAX_META_LENGTH).optional(),
    causationId: z.string().max(MAX_META_LENGTH).optional(),
    idempotencyKey: z.string().max(MAX_META_LENGTH).optional(),
    inputDigest: z.string().max(MAX_META_LENGTH).optional(),
    actor: z.string().max(MAX_META_LENGTH).optional(),
  })
  .loose();

export const envelopeSchema = z.object({
  id: z.string().min(1).max(MAX_ID_LENGTH),
  type: z.string().regex(EVENT_TYPE, 'type must be a PascalCase event name'),
  entityId: z.string().min(1).max(MAX_ID_LENGTH),
  version: z.number().int().positive(),
  occurredAt: z.iso.datetime({ offset: true }),
  data: z.unknown(),
  meta: eventMetaSchema.default({}),
  schemaVersion: z.number().int().positive().max(MAX_SCHEMA_VERSION).optional(),
});

/** The pattern of `z.iso.datetime({ offset: true })`, taken from the envelope's own schema so the two cannot drift. */
export const ISO_DATETIME: RegExp = envelopeSchema.shape.occurredAt._zod.pattern;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown, min: number, max: number): value is string =>
  typeof value === 'string' && value.length >= min && value.length <= max;
const isOptionalText = (value: unknown, max: number): boolean => value === undefined || isText(value, 0, max);
const isCount = (value: unknown, max = Number.MAX_SAFE_INTEGER): value is number =>
  Number.isSafeInteger(value) && (value as number) > 0 && (value as number) <= max;

/**
 * The envelope `json` holds if it satisfies {@link envelopeSchema}, checked by hand; undefined if
 * it does not, and the caller asks the schema why. A replay decodes every record of every topic,
 * and this check costs a small fraction of the schema's. The schema stays the definition (and the
 * error messages); a test holds both to the same verdicts. Like the schema, it keeps the
 * envelope's own fields only, and `meta` as it is (unknown keys too).
 */
export function wellFormedEnvelope(json: unknown): EventEnvelope | undefined {
  if (!isObject(json)) return undefined;
  const { id, type, entityId, version, occurredAt, data, meta, schemaVersion } = json;
  const valid =
    isText(id, 1, MAX_ID_LENGTH) &&
    typeof type === 'string' &&
    EVENT_TYPE.test(type) &&
    isText(entityId, 1, MAX_ID_LENGTH) &&
    isCount(version) &&
    typeof occurredAt === 'string' &&
    ISO_DATETIME.test(occurredAt) &&
    'data' in json &&
    (schemaVersion === undefined || isCount(schemaVersion, MAX_SCHEMA_VERSION)) &&
    (meta === undefined ||
      (isObject(meta) &&
        isOptionalText(meta.correlationId, MAX_META_LENGTH) &&
        isOptionalText(meta.causationId, MAX_META_LENGTH) &&
        isOptionalText(meta.idempotencyKey, MAX_META_LENGTH) &&
        isOptionalText(meta.inputDigest, MAX_META_LENGTH) &&
        isOptionalText(meta.actor, MAX_META_LENGTH)));
  if (!valid) return undefined;
  const envelope: EventEnvelope = { id, type, entityId, version, occurredAt, data, meta: (meta ?? {}) as EventMeta };
  return schemaVersion === undefined ? envelope : { ...envelope, schemaVersion };
}
