import { z } from 'zod';
import {
  DecodeError,
  type Decoded,
  type EventEnvelope,
  type EventVersions,
  type LegacyRecord,
  type LogRecord,
} from '@shop/event-core';
import { legacyEntityId, legacyEventId, legacyTime, parseData } from './common.ts';

/** What every whole-state entity's data has besides its own fields. */
interface Lifecycle {
  readonly id: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly deletedAt: string | null;
}

/** What a reader knows of an entity already: needed to upcast the original's records, which have no version. */
export interface Known<TData> {
  readonly data: TData;
  readonly version: number;
}

export interface WholeStateEventsSpec<TData extends Lifecycle, TType extends string> {
  /** `product`: for messages. */
  readonly entity: string;
  readonly topicName: string;
  readonly types: { readonly created: TType; readonly updated: TType; readonly deleted: TType };
  readonly dataSchema: z.ZodType<TData>;
  readonly versions: EventVersions<TType>;
  /** The entity's own fields from an original `set` payload (before validation). */
  readonly legacyFields: (payload: LegacyRecord['payload']) => Record<string, unknown>;
}

/**
 * The reading rules of an aggregate whose events are `<X>Created`/`Updated`/`Deleted`, each
 * carrying the whole entity: parse (any schema version, validated), upcast the original system's
 * `set`/`remove` records, and turn any decoded record into a current event.
 */
export function wholeStateEvents<TData extends Lifecycle, TType extends string, TEvent extends EventEnvelope<TType, TData>>(
  spec: WholeStateEventsSpec<TData, TType>,
) {
  const { entity, topicName, types, dataSchema, versions } = spec;
  const known = new Set<string>([types.created, types.updated, types.deleted]);

  /** Narrows a decoded envelope of any schema version to a current event with valid data; {@link DecodeError} otherwise. */
  function parse(written: EventEnvelope): TEvent {
    const event = versions.upcast(written);
    if (!known.has(event.type)) throw new DecodeError(`unknown event type "${event.type}" on the ${topicName} topic`);
    return { ...event, data: parseData(dataSchema, event) } as TEvent;
  }

  /** Upcasts a record of the original system given the current state and version of that entity (0 when unknown). */
  function upcastLegacy(legacy: LegacyRecord, record: LogRecord, current: TData | undefined, currentVersion: number): TEvent {
    const id = legacyEntityId(legacy, record);
    const at = legacyTime(record);
    const base = {
      id: legacyEventId(record),
      entityId: id,
      version: currentVersion + 1,
      occurredAt: at,
      meta: { actor: 'legacy' },
    };
    if (legacy.eventType === 'remove') {
      if (!current) throw new DecodeError(`legacy remove of unknown ${entity} "${id}"`);
      return { ...base, type: types.deleted, data: { ...current, updatedAt: at, deletedAt: at } } as TEvent;
    }
    const data = dataSchema.safeParse({
      id,
      ...spec.legacyFields(legacy.payload),
      createdAt: current?.createdAt ?? at,
      updatedAt: at,
      deletedAt: null,
    });
    if (!data.success) throw new DecodeError(`invalid legacy ${entity}: ${z.prettifyError(data.error)}`);
    // The original's `set` was an upsert, so a `set` after a `remove` brings the entity back.
    return (
      current ? { ...base, type: types.updated, data: data.data } : { ...base, type: types.created, version: 1, data: data.data }
    ) as TEvent;
  }

  /** A current event from any decoded record on the topic; {@link DecodeError} if it is none. */
  function toEvent(decoded: Decoded, record: LogRecord, lookup: (id: string) => Known<TData> | undefined): TEvent {
    if (decoded.format === 'envelope') return parse(decoded.event);
    const id = decoded.legacy.payload.id;
    if (typeof id !== 'string') throw new DecodeError(`legacy ${entity} record without an id`);
    const current = lookup(id);
    return upcastLegacy(decoded.legacy, record, current?.data, current?.version ?? 0);
  }

  return { parse, upcastLegacy, toEvent };
}
