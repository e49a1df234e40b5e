import { decodeRecord, encodeEvent, positionAfter, type EventEnvelope, type LogRecord } from '@shop/event-core';
import { TOPICS } from '@shop/schema';
import { PurchasesReadModel } from '../../src/read-model.ts';

export const T0 = '2026-01-01T10:00:00.000Z';
const offsets = new Map<string, number>();
/** The ids of the purchases made since the last `shop()`, in the order they were made. */
export const madeIds: string[] = [];

/** Applies an event as the record at the next offset of `partition`, like the log would. */
export function feed(model: PurchasesReadModel, topic: string, event: EventEnvelope, partition = 0): LogRecord {
  const slot = `${topic}/${partition}`;
  const offset = offsets.get(slot) ?? 0;
  offsets.set(slot, offset + 1);
  const encoded = encodeEvent(event);
  const record: LogRecord = {
    topic,
    partition,
    offset,
    key: encoded.key,
    value: Buffer.from(encoded.value),
    headers: {},
    timestampMs: Date.parse(T0),
  };
  model.apply(topic, decodeRecord(record), record);
  return record;
}

/** A purchases read model fed event by event, as the projector would from the log, with products and customers named by their ids. */
export function shop(products = ['p1', 'p2'], customers = ['c1', 'c2']): PurchasesReadModel {
  offsets.clear();
  madeIds.length = 0;
  const model = new PurchasesReadModel();
  for (const id of products) {
    feed(model, TOPICS.products, {
      id: `e-${id}`,
      type: 'ProductCreated',
      entityId: id,
      version: 1,
      occurredAt: T0,
      data: { id, name: id, price: '1.00', createdAt: T0, updatedAt: T0, deletedAt: null },
      meta: {},
    });
  }
  for (const id of customers) {
    feed(model, TOPICS.customers, {
      id: `e-${id}`,
      type: 'CustomerCreated',
      entityId: id,
      version: 1,
      occurredAt: T0,
      data: { id, firstName: id, lastName: 'X', createdAt: T0, updatedAt: T0, deletedAt: null },
      meta: {},
    });
  }
  return model;
}

let n = 0;
/** Applies a purchase (at T0 unless `transactionDate` says otherwise); returns the position just after it. */
export const purchase = (
  model: PurchasesReadModel,
  productId: string,
  customerId: string,
  total: string,
  partition = 0,
  transactionDate = T0,
) => {
  // All made at T0: lists order them by id, so ids sort in the order they are made.
  const id = `u${String(++n).padStart(6, '0')}`;
  madeIds.push(id);
  const record = feed(
    model,
    TOPICS.purchases,
    {
      id: `e-${id}`,
      type: 'PurchaseMade',
      entityId: id,
      version: 1,
      occurredAt: T0,
      data: { id, productId, customerId, total, transactionDate },
      meta: {},
    },
    partition,
  );
  return positionAfter(record.topic, record.partition, record.offset);
};
