import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  decodeRecord,
  DecodeError,
  defineEventVersions,
  encodeEvent,
  type EventEnvelope,
  type LogRecord,
} from '@shop/event-core';
import { CUSTOMER_EVENT_VERSIONS, parseCustomerEvent } from '../src/events/customers.ts';
import { parseProductEvent, PRODUCT_EVENT_VERSIONS, productDataSchema, type ProductEvent } from '../src/events/products.ts';
import { PURCHASE_EVENT_VERSIONS } from '../src/events/purchases.ts';

const T0 = '2026-01-01T10:00:00.000Z';
const data = { id: 'p1', name: 'Butter', price: '1.50', createdAt: T0, updatedAt: T0, deletedAt: null };

/** The record a writer of some version put on the products topic. */
function recordOf(event: EventEnvelope, offset = 0): LogRecord {
  const { key, value, headers = {} } = encodeEvent(event);
  return {
    topic: 'eventbus.products',
    partition: 0,
    offset,
    key,
    value: Buffer.from(value),
    headers,
    timestampMs: Date.parse(T0),
  };
}

const created = (overrides: Partial<EventEnvelope> = {}): EventEnvelope => ({
  id: 'e1',
  type: 'ProductCreated',
  entityId: 'p1',
  version: 1,
  occurredAt: T0,
  data,
  meta: {},
  ...overrides,
});

describe('the schema versions of the event topics', () => {
  it('are at version 1 for every event type, with nothing to upcast yet', () => {
    expect(PRODUCT_EVENT_VERSIONS.current).toEqual({ ProductCreated: 1, ProductUpdated: 1, ProductDeleted: 1 });
    expect(CUSTOMER_EVENT_VERSIONS.current).toEqual({ CustomerCreated: 1, CustomerUpdated: 1, CustomerDeleted: 1 });
    expect(PURCHASE_EVENT_VERSIONS.current).toEqual({ PurchaseMade: 1 });
  });

  it('reads an envelope written before versions were recorded (no schemaVersion) as version 1', () => {
    const decoded = decodeRecord(recordOf(created()));
    if (decoded.format !== 'envelope') throw new Error('expected an envelope');
    expect(decoded.event.schemaVersion).toBeUndefined();
    expect(parseProductEvent(decoded.event).data).toEqual(data);
  });

  it('reads an envelope stamped with the current version', () => {
    const decoded = decodeRecord(recordOf(PRODUCT_EVENT_VERSIONS.stamp(created() as ProductEvent)));
    if (decoded.format !== 'envelope') throw new Error('expected an envelope');
    expect(decoded.event.schemaVersion).toBe(1);
    expect(parseProductEvent(decoded.event).data).toEqual(data);
  });

  it('refuses an envelope from a newer writer as undecodable (skipped and logged, never misread)', () => {
    const decoded = decodeRecord(recordOf(created({ schemaVersion: 2 })));
    if (decoded.format !== 'envelope') throw new Error('expected an envelope');
    expect(() => parseProductEvent(decoded.event)).toThrow(DecodeError);
    expect(() => parseCustomerEvent({ ...decoded.event, type: 'CustomerCreated' })).toThrow(/newer than this service reads/);
  });

  it('refuses a schema version that is not a positive integer at decode time', () => {
    expect(() => decodeRecord(recordOf(created({ schemaVersion: 0 })))).toThrow(DecodeError);
    expect(() => decodeRecord(recordOf(created({ schemaVersion: 1.5 })))).toThrow(DecodeError);
  });
});

/**
 * The recipe of docs/history.md ("Adding an event version"), worked through: product events gain
 * a `currency`, so their schema version becomes 2, and events written before default to EUR.
 */
describe('adding an event version: the worked example of docs/history.md', () => {
  const addCurrency = (event: EventEnvelope): EventEnvelope => ({
    ...event,
    data: { ...(event.data as object), currency: 'EUR' },
  });
  const V2 = defineEventVersions<ProductEvent['type']>({
    current: { ProductCreated: 2, ProductUpdated: 2, ProductDeleted: 2 },
    upcasters: { ProductCreated: { 1: addCurrency }, ProductUpdated: { 1: addCurrency }, ProductDeleted: { 1: addCurrency } },
  });
  const v2DataSchema = productDataSchema.extend({ currency: z.enum(['EUR', 'USD']) });
  const parseV2 = (written: EventEnvelope) => {
    const event = V2.upcast(written);
    return { ...event, data: v2DataSchema.parse(event.data) };
  };
  const read = (event: EventEnvelope) => {
    const decoded = decodeRecord(recordOf(event));
    if (decoded.format !== 'envelope') throw new Error('expected an envelope');
    return parseV2(decoded.event);
  };

  it('upcasts a version-1 record, old (no schemaVersion) or stamped, to version 2', () => {
    for (const old of [
      created(),
      created({ schemaVersion: 1 }),
      created({ type: 'ProductDeleted', version: 2, data: { ...data, deletedAt: T0 } }),
    ]) {
      const event = read(old);
      expect(event.schemaVersion).toBe(2);
      expect(event.data).toEqual({ ...(old.data as object), currency: 'EUR' });
      expect({ id: event.id, type: event.type, version: event.version }).toEqual({
        id: old.id,
        type: old.type,
        version: old.version,
      });
    }
  });

  it('reads what a version-2 writer wrote as it is', () => {
    const written = V2.stamp({
      ...created(),
      type: 'ProductCreated',
      data: { ...data, currency: 'USD' },
    } as unknown as ProductEvent);
    expect(read(written).data.currency).toBe('USD');
  });

  it('cannot be declared without the upcaster from version 1', () => {
    expect(() => defineEventVersions({ current: { ProductCreated: 2 } })).toThrow(
      /ProductCreated: no upcaster from schema version 1 to 2/,
    );
  });
});
