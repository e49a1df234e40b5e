import { z } from 'zod';
import {
  DecodeError,
  defineEventVersions,
  type Decoded,
  type EventEnvelope,
  type LegacyRecord,
  type LogRecord,
} from '@shop/event-core';
import {
  entityId,
  isoDate,
  legacyDate,
  legacyEntityId,
  legacyEventId,
  legacyMoney,
  legacyTime,
  moneyString,
  parseData,
} from './common.ts';

/** A purchase is immutable: one event records it whole. */
export const purchaseDataSchema = z.object({
  id: entityId,
  productId: entityId,
  customerId: entityId,
  total: moneyString,
  transactionDate: isoDate,
});
export type PurchaseData = z.infer<typeof purchaseDataSchema>;

export type PurchaseMade = EventEnvelope<'PurchaseMade', PurchaseData>;
export type PurchaseEvent = PurchaseMade;

export const PURCHASE_EVENT_TYPES = ['PurchaseMade'] as const;

/** Schema versions of the purchases topic's event types (see docs/history.md, "Adding an event version"). */
export const PURCHASE_EVENT_VERSIONS = defineEventVersions<PurchaseEvent['type']>({ current: { PurchaseMade: 1 } });

/** Narrows a decoded envelope of any schema version to a current purchase event; {@link DecodeError} otherwise. */
export function parsePurchaseEvent(written: EventEnvelope): PurchaseEvent {
  const event = PURCHASE_EVENT_VERSIONS.upcast(written);
  if (event.type !== 'PurchaseMade') throw new DecodeError(`unknown event type "${event.type}" on the purchases topic`);
  if (event.version !== 1) throw new DecodeError(`PurchaseMade must have version 1, got ${event.version}`);
  return { ...event, type: 'PurchaseMade', data: parseData(purchaseDataSchema, event) };
}

/** Upcasts the original's `{id,productId,customerId,total,transactionDate}` purchase record. */
export function upcastLegacyPurchase(legacy: LegacyRecord, record: LogRecord): PurchaseEvent {
  if (legacy.eventType === 'remove') throw new DecodeError('purchases cannot be removed');
  const id = legacyEntityId(legacy, record);
  const { productId, customerId, total, transactionDate } = legacy.payload;
  const data = purchaseDataSchema.safeParse({
    id,
    productId,
    customerId,
    total: legacyMoney(total),
    transactionDate: legacyDate(transactionDate) ?? legacyTime(record),
  });
  if (!data.success) throw new DecodeError(`invalid legacy purchase: ${z.prettifyError(data.error)}`);
  return {
    id: legacyEventId(record),
    type: 'PurchaseMade',
    entityId: id,
    version: 1,
    occurredAt: legacyTime(record),
    data: data.data,
    meta: { actor: 'legacy' },
  };
}

/** A current purchase event from any decoded record on the purchases topic; {@link DecodeError} if it is none. */
export function toPurchaseEvent(decoded: Decoded, record: LogRecord): PurchaseEvent {
  return decoded.format === 'envelope' ? parsePurchaseEvent(decoded.event) : upcastLegacyPurchase(decoded.legacy, record);
}
