import { z } from 'zod';
import { defineEventVersions, type Decoded, type EventEnvelope, type LegacyRecord, type LogRecord } from '@shop/event-core';
import { entityId, isoDate, legacyMoney, moneyString } from './common.ts';
import { wholeStateEvents, type Known } from './whole-state.ts';

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

const productEvents = wholeStateEvents<ProductData, ProductEvent['type'], ProductEvent>({
  entity: 'product',
  topicName: 'products',
  types: { created: 'ProductCreated', updated: 'ProductUpdated', deleted: 'ProductDeleted' },
  dataSchema: productDataSchema,
  versions: PRODUCT_EVENT_VERSIONS,
  legacyFields: ({ name, price }) => ({ name, price: legacyMoney(price) }),
});

/** Narrows a decoded envelope of any schema version to a current product event with valid data; {@link DecodeError} otherwise. */
export const parseProductEvent: (written: EventEnvelope) => ProductEvent = productEvents.parse;

/** Upcasts a record of the original system (`set`/`remove` with `{id,name,price}`) given the current version of that product (0 when unknown). */
export const upcastLegacyProduct: (
  legacy: LegacyRecord,
  record: LogRecord,
  current: ProductData | undefined,
  currentVersion: number,
) => ProductEvent = productEvents.upcastLegacy;

/** What a reader knows of a product already: needed to upcast the original's records, which have no version. */
export type KnownProduct = Known<ProductData>;

/** A current product event from any decoded record on the products topic; {@link DecodeError} if it is none. */
export const toProductEvent: (
  decoded: Decoded,
  record: LogRecord,
  known: (id: string) => KnownProduct | undefined,
) => ProductEvent = productEvents.toEvent;
