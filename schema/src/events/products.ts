import { z } from 'zod';
import {
  DecodeError,
  defineEventVersions,
  type Decoded,
  type EventEnvelope,
  type LegacyRecord,
  type LogRecord,
} from '@shop/event-core';
import { entityId, isoDate, legacyEntityId, legacyEventId, legacyMoney, legacyTime, moneyString, parseData } from './common.ts';

/** A product as carried by every product event: the whole entity after the change. */
export const productDataSchema = z.object({
  id: entityId,
  name: z.string().min(1).max(200),
  price: moneyString,
  createdAt: isoDate,
  updatedAt: isoDate,
  deletedAt: isoDate.nullable(),
});
export type ProductData = z.infer<typeof productDataSchema>;

export type ProductCreated = EventEnvelope<'ProductCreated', ProductData>;
export type ProductUpdated = EventEnvelope<'ProductUpdated', ProductData>;
export type ProductDeleted = EventEnvelope<'ProductDeleted', ProductData>;
export type ProductEvent = ProductCreated | ProductUpdated | ProductDeleted;

export const PRODUCT_EVENT_TYPES = ['ProductCreated', 'ProductUpdated', 'ProductDeleted'] as const;

/**
 * Schema versions of the products topic's event types (see docs/history.md, "Adding an event
 * version"). Version 0 is the original system's `set`/`remove` record, upcast with the reader's
 * state by {@link upcastLegacyProduct}; envelopes start at 1.
 */
export const PRODUCT_EVENT_VERSIONS = defineEventVersions<ProductEvent['type']>({
  current: { ProductCreated: 1, ProductUpdated: 1, ProductDeleted: 1 },
});

/** Narrows a decoded envelope of any schema version to a current product event with valid data; {@link DecodeError} otherwise. */
export function parseProductEvent(written: EventEnvelope): ProductEvent {
  const event = PRODUCT_EVENT_VERSIONS.upcast(written);
  if (!(PRODUCT_EVENT_TYPES as readonly string[]).includes(event.type)) {
    throw new DecodeError(`unknown event type "${event.type}" on the products topic`);
  }
  return { ...event, data: parseData(productDataSchema, event) } as ProductEvent;
}

/**
 * Upcasts a record of the original system (`set`/`remove` with `{id,name,price}`) given the
 * current version of that product (0 when unknown).
 */
export function upcastLegacyProduct(
  legacy: LegacyRecord,
  record: LogRecord,
  current: ProductData | undefined,
  currentVersion: number,
): ProductEvent {
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
    if (!current) throw new DecodeError(`legacy remove of unknown product "${id}"`);
    return { ...base, type: 'ProductDeleted', data: { ...current, updatedAt: at, deletedAt: at } };
  }
  const { name, price } = legacy.payload;
  const data = productDataSchema.safeParse({
    id,
    name,
    price: legacyMoney(price),
    createdAt: current?.createdAt ?? at,
    updatedAt: at,
    deletedAt: null,
  });
  if (!data.success) throw new DecodeError(`invalid legacy product: ${z.prettifyError(data.error)}`);
  // The original's `set` was an upsert, so a `set` after a `remove` brings the product back.
  return current
    ? { ...base, type: 'ProductUpdated', data: data.data }
    : { ...base, type: 'ProductCreated', version: 1, data: data.data };
}

/** What a reader knows of a product already: needed to upcast the original's records, which have no version. */
export interface KnownProduct {
  readonly data: ProductData;
  readonly version: number;
}

/** A current product event from any decoded record on the products topic; {@link DecodeError} if it is none. */
export function toProductEvent(
  decoded: Decoded,
  record: LogRecord,
  known: (id: string) => KnownProduct | undefined,
): ProductEvent {
  if (decoded.format === 'envelope') return parseProductEvent(decoded.event);
  const id = decoded.legacy.payload.id;
  if (typeof id !== 'string') throw new DecodeError('legacy product record without an id');
  const current = known(id);
  return upcastLegacyProduct(decoded.legacy, record, current?.data, current?.version ?? 0);
}
