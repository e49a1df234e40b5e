import { z } from 'zod';

/**
 * The event envelope of DESIGN §3: the value of every record on an `eventbus.*` topic.
 * `data` is the whole entity after the event, so a compacted topic still rebuilds the same state.
 */
export interface EventMeta {
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly idempotencyKey?: string;
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

export const eventMetaSchema = z
  .object({
    correlationId: z.string().max(200).optional(),
    causationId: z.string().max(200).optional(),
    idempotencyKey: z.string().max(200).optional(),
    actor: z.string().max(200).optional(),
  })
  .loose();

export const envelopeSchema = z.object({
  id: z.string().min(1).max(100),
  type: z.string().regex(/^[A-Z][A-Za-z0-9]{1,80}$/, 'type must be a PascalCase event name'),
  entityId: z.string().min(1).max(100),
  version: z.number().int().positive(),
  occurredAt: z.iso.datetime({ offset: true }),
  data: z.unknown(),
  meta: eventMetaSchema.default({}),
  schemaVersion: z.number().int().positive().max(1000).optional(),
});
