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
  isEntityIdText,
  isIsoDateText,
  isMoneyText,
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

/**
 * `data` if it satisfies {@link purchaseDataSchema} and belongs to entity `entityId`, checked by
 * hand; undefined if not, and the caller asks the schema why. Every purchase of a replay passes
 * here, and this costs a small fraction of the schema's check; a test holds both to the same
 * verdicts. Like the schema, it keeps the purchase's own fields only.
 */
export function wellFormedPurchaseData(data: unknown, entityId: string): PurchaseData | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const { id, productId, customerId, total, transactionDate } = data as Record<string, unknown>;
  const valid =
    isEntityIdText(id) &&
    id === entityId &&
    isEntityIdText(productId) &&
    isEntityIdText(customerId) &&
    isMoneyText(total) &&
    isIsoDateText(transactionDate);
  return valid ? { id, productId, customerId, total, transactionDate } : undefined;
}

/** Narrows a decoded envelope of any schema version to a current purchase event; {@link DecodeError} otherwise. */
export function parsePurchaseEvent(written: EventEnvelope): PurchaseEvent {
  const event = PURCHASE_EVENT_VERSIONS.upcast(written);
  if (event.type !== 'PurchaseMade') throw new DecodeError(`unknown event type "${event.type}" on the purchases topic`);
  if (event.version !== 1) throw new DecodeError(`PurchaseMade must have version 1, got ${event.version}`);
  const data = wellFormedPurchaseData(event.data, event.entityId) ?? parseData(purchaseDataSchema, event);
  return { ...event, type: 'PurchaseMade', data };
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
