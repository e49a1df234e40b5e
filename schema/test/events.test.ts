import { afterEach, describe, expect, it } from 'vitest';
import { decodeRecord, DecodeError, type EventEnvelope, type LegacyRecord, type LogRecord } from '@shop/event-core';
import { legacyMoney } from '../src/events/common.ts';
import { parseCustomerEvent, toCustomerEvent, upcastLegacyCustomer, type CustomerData } from '../src/events/customers.ts';
import { parseProductEvent, toProductEvent, upcastLegacyProduct, type ProductData } from '../src/events/products.ts';
import { parsePurchaseEvent, toPurchaseEvent, upcastLegacyPurchase } from '../src/events/purchases.ts';

const PRODUCT_ID = 'Yx3K0JrAT0mfb4T6cR2hGw';
const CUSTOMER_ID = 'c9a1_B-2xkQ0m4T6cR2hGw';
const PURCHASE_ID = 'Pq7mZ0JrAT0mfb4T6cR2hG';
const CREATED_AT = '2026-01-01T10:00:00.000Z';
const LATER = '2026-01-02T10:00:00.000Z';
const RECORD_TIME_MS = Date.parse('2017-10-03T08:00:00.000Z');

const productData: ProductData = {
  id: PRODUCT_ID,
  name: 'Butter',
  price: '1.50',
  createdAt: CREATED_AT,
  updatedAt: CREATED_AT,
  deletedAt: null,
};
const customerData: CustomerData = {
  id: CUSTOMER_ID,
  firstName: 'Danny',
  lastName: 'Tester',
  createdAt: CREATED_AT,
  updatedAt: CREATED_AT,
  deletedAt: null,
};
const purchaseData = {
  id: PURCHASE_ID,
  productId: PRODUCT_ID,
  customerId: CUSTOMER_ID,
  total: '1.99',
  transactionDate: CREATED_AT,
};

function envelope(type: string, data: unknown, overrides: Partial<EventEnvelope> = {}): EventEnvelope {
  const entityId = (data as { id?: string } | null)?.id ?? 'x';
  return { id: 'ev-1', type, entityId, version: 1, occurredAt: CREATED_AT, data, meta: {}, ...overrides };
}

function logRecord(topic: string, key: string | null, value: unknown = null, offset = 7): LogRecord {
  return {
    topic,
    partition: 0,
    offset,
    key,
    value: value === null ? null : Buffer.from(JSON.stringify(value), 'utf8'),
    headers: {},
    timestampMs: RECORD_TIME_MS,
  };
}

const legacySet = (payload: Record<string, unknown>): LegacyRecord => ({ eventType: 'set', payload });
const legacyRemove = (payload: Record<string, unknown>): LegacyRecord => ({ eventType: 'remove', payload });

function decodeErrorOf(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DecodeError);
    return error as DecodeError;
  }
  throw new Error('expected a DecodeError, but nothing was thrown');
}

describe('parseProductEvent', () => {
  it.each(['ProductCreated', 'ProductUpdated', 'ProductDeleted'])('accepts a valid %s', (type) => {
    const event = envelope(type, productData);
    expect(parseProductEvent(event)).toEqual(event);
  });

  it('accepts a deleted product with deletedAt set', () => {
    const data = { ...productData, deletedAt: LATER };
    expect(parseProductEvent(envelope('ProductDeleted', data, { version: 2 })).data.deletedAt).toBe(LATER);
  });

  it.each(['ProductRenamed', 'CustomerCreated', 'PurchaseMade'])('rejects the type %s, naming it', (type) => {
    expect(decodeErrorOf(() => parseProductEvent(envelope(type, productData))).message).toMatch(
      new RegExp(`unknown event type "${type}" on the products topic`),
    );
  });

  it.each<[string, Record<string, unknown>]>([
    ['a negative price', { price: '-1.00' }],
    ['a price with one decimal', { price: '1.5' }],
    ['a price with three decimals', { price: '1.500' }],
    ['a numeric price', { price: 1.5 }],
    ['an empty name', { name: '' }],
    ['a name over 200 characters', { name: 'x'.repeat(201) }],
    ['an id with a space', { id: 'not an id' }],
    ['a createdAt that is not a date', { createdAt: 'yesterday' }],
    ['no deletedAt', { deletedAt: undefined }],
  ])('rejects data with %s', (_label, change) => {
    const data = { ...productData, ...change };
    const message = decodeErrorOf(() => parseProductEvent(envelope('ProductCreated', data, { entityId: PRODUCT_ID }))).message;
    expect(message).toMatch(/invalid ProductCreated data/);
  });

  it('rejects data that is not an object', () => {
    expect(
      decodeErrorOf(() => parseProductEvent(envelope('ProductCreated', 'Butter', { entityId: PRODUCT_ID }))).message,
    ).toMatch(/invalid ProductCreated data/);
  });

  it('rejects data whose id is not the entity id, naming both', () => {
    const message = decodeErrorOf(() =>
      parseProductEvent(envelope('ProductUpdated', productData, { entityId: 'other-id' })),
    ).message;
    expect(message).toContain(`"${PRODUCT_ID}"`);
    expect(message).toContain('"other-id"');
  });
});

describe('parseCustomerEvent', () => {
  it.each(['CustomerCreated', 'CustomerUpdated', 'CustomerDeleted'])('accepts a valid %s', (type) => {
    const event = envelope(type, customerData);
    expect(parseCustomerEvent(event)).toEqual(event);
  });

  it.each(['CustomerRenamed', 'ProductCreated'])('rejects the type %s', (type) => {
    expect(decodeErrorOf(() => parseCustomerEvent(envelope(type, customerData))).message).toMatch(
      /unknown event type .* on the customers topic/,
    );
  });

  it.each<[string, Record<string, unknown>]>([
    ['an empty firstName', { firstName: '' }],
    ['an empty lastName', { lastName: '' }],
    ['a lastName over 100 characters', { lastName: 'x'.repeat(101) }],
    ['a bad id', { id: 'a/b' }],
  ])('rejects data with %s', (_label, change) => {
    const data = { ...customerData, ...change };
    expect(decodeErrorOf(() => parseCustomerEvent(envelope('CustomerCreated', data, { entityId: CUSTOMER_ID }))).message).toMatch(
      /invalid CustomerCreated data/,
    );
  });

  it('rejects data whose id is not the entity id', () => {
    expect(
      decodeErrorOf(() => parseCustomerEvent(envelope('CustomerCreated', customerData, { entityId: 'other-id' }))).message,
    ).toMatch(/does not match entityId/);
  });
});

describe('parsePurchaseEvent', () => {
  it('accepts a valid PurchaseMade', () => {
    const event = envelope('PurchaseMade', purchaseData);
    expect(parsePurchaseEvent(event)).toEqual(event);
  });

  it('accepts a total of 0.00', () => {
    expect(parsePurchaseEvent(envelope('PurchaseMade', { ...purchaseData, total: '0.00' })).data.total).toBe('0.00');
  });

  it.each(['PurchaseCancelled', 'ProductCreated'])('rejects the type %s', (type) => {
    expect(decodeErrorOf(() => parsePurchaseEvent(envelope(type, purchaseData))).message).toMatch(
      /unknown event type .* on the purchases topic/,
    );
  });

  it('rejects a PurchaseMade with a version other than 1', () => {
    expect(decodeErrorOf(() => parsePurchaseEvent(envelope('PurchaseMade', purchaseData, { version: 2 }))).message).toMatch(
      /version 1/,
    );
  });

  it.each<[string, Record<string, unknown>]>([
    ['a negative total', { total: '-1.99' }],
    ['a numeric total', { total: 1.99 }],
    ['a bad productId', { productId: 'no such id!' }],
    ['no customerId', { customerId: undefined }],
    ['a transactionDate that is not a date', { transactionDate: '03/10/2017' }],
  ])('rejects data with %s', (_label, change) => {
    const data = { ...purchaseData, ...change };
    expect(decodeErrorOf(() => parsePurchaseEvent(envelope('PurchaseMade', data, { entityId: PURCHASE_ID }))).message).toMatch(
      /invalid PurchaseMade data/,
    );
  });

  it('rejects data whose id is not the entity id', () => {
    expect(
      decodeErrorOf(() => parsePurchaseEvent(envelope('PurchaseMade', purchaseData, { entityId: 'other-id' }))).message,
    ).toMatch(/does not match entityId/);
  });
});

describe('legacyMoney', () => {
  it.each<[unknown, string]>([
    [1.5, '1.50'],
    [1.99, '1.99'],
    [2, '2.00'],
    [0, '0.00'],
    ['1.5', '1.50'],
    ['3', '3.00'],
  ])('reads the legacy amount %j as %j', (value, expected) => {
    expect(legacyMoney(value)).toBe(expected);
  });

  it.each([1.234, -1, -0.5, '1.234', 1e21, Number.NaN, null, undefined, '', 'abc', {}])(
    'rejects the legacy amount %j',
    (value) => {
      expect(decodeErrorOf(() => legacyMoney(value)).message).toMatch(/legacy amount/);
    },
  );
});

describe('legacy products', () => {
  const topic = 'eventbus.products';

  it('upcasts a set of an unknown product to ProductCreated version 1', () => {
    const event = upcastLegacyProduct(
      legacySet({ id: PRODUCT_ID, name: 'Butter', price: 1.5 }),
      logRecord(topic, PRODUCT_ID),
      undefined,
      0,
    );
    const at = new Date(RECORD_TIME_MS).toISOString();
    expect(event).toEqual({
      id: `legacy:${topic}:0:7`,
      type: 'ProductCreated',
      entityId: PRODUCT_ID,
      version: 1,
      occurredAt: at,
      data: { id: PRODUCT_ID, name: 'Butter', price: '1.50', createdAt: at, updatedAt: at, deletedAt: null },
      meta: { actor: 'legacy' },
    });
  });

  it('upcasts a set of a known product to ProductUpdated at the next version, keeping createdAt', () => {
    const event = upcastLegacyProduct(
      legacySet({ id: PRODUCT_ID, name: 'Salted butter', price: 2 }),
      logRecord(topic, PRODUCT_ID),
      productData,
      3,
    );
    const at = new Date(RECORD_TIME_MS).toISOString();
    expect(event.type).toBe('ProductUpdated');
    expect(event.version).toBe(4);
    expect(event.data).toEqual({ ...productData, name: 'Salted butter', price: '2.00', updatedAt: at });
  });

  it('upcasts a remove of a known product to ProductDeleted with deletedAt at the record time', () => {
    const event = upcastLegacyProduct(legacyRemove({ id: PRODUCT_ID }), logRecord(topic, PRODUCT_ID), productData, 2);
    const at = new Date(RECORD_TIME_MS).toISOString();
    expect(event.type).toBe('ProductDeleted');
    expect(event.version).toBe(3);
    expect(event.data).toEqual({ ...productData, updatedAt: at, deletedAt: at });
  });

  it('refuses a remove of an unknown product', () => {
    expect(
      decodeErrorOf(() => upcastLegacyProduct(legacyRemove({ id: PRODUCT_ID }), logRecord(topic, PRODUCT_ID), undefined, 0))
        .message,
    ).toMatch(/unknown product/);
  });

  it('refuses a legacy price with three decimals', () => {
    expect(() =>
      upcastLegacyProduct(
        legacySet({ id: PRODUCT_ID, name: 'Butter', price: 1.234 }),
        logRecord(topic, PRODUCT_ID),
        undefined,
        0,
      ),
    ).toThrow(DecodeError);
  });

  it('refuses a negative legacy price', () => {
    expect(() =>
      upcastLegacyProduct(legacySet({ id: PRODUCT_ID, name: 'Butter', price: -1 }), logRecord(topic, PRODUCT_ID), undefined, 0),
    ).toThrow(DecodeError);
  });

  it('refuses a legacy product without a name', () => {
    expect(
      decodeErrorOf(() =>
        upcastLegacyProduct(legacySet({ id: PRODUCT_ID, price: 1 }), logRecord(topic, PRODUCT_ID), undefined, 0),
      ).message,
    ).toMatch(/invalid legacy product/);
  });

  it('refuses a legacy record whose key is not the payload id', () => {
    expect(
      decodeErrorOf(() =>
        upcastLegacyProduct(legacySet({ id: PRODUCT_ID, name: 'B', price: 1 }), logRecord(topic, 'other'), undefined, 0),
      ).message,
    ).toMatch(/does not match payload id/);
  });

  it('refuses a legacy payload without a valid id', () => {
    expect(() => upcastLegacyProduct(legacySet({ name: 'B', price: 1 }), logRecord(topic, null), undefined, 0)).toThrow(
      DecodeError,
    );
    expect(() =>
      upcastLegacyProduct(legacySet({ id: 'a b', name: 'B', price: 1 }), logRecord(topic, null), undefined, 0),
    ).toThrow(DecodeError);
  });

  it('gives two records of the same product different event ids', () => {
    const first = upcastLegacyProduct(
      legacySet({ id: PRODUCT_ID, name: 'A', price: 1 }),
      logRecord(topic, PRODUCT_ID, null, 1),
      undefined,
      0,
    );
    const second = upcastLegacyProduct(
      legacySet({ id: PRODUCT_ID, name: 'B', price: 1 }),
      logRecord(topic, PRODUCT_ID, null, 2),
      first.data,
      1,
    );
    expect(first.id).not.toBe(second.id);
  });

  it('reads a legacy record straight off the log through decodeRecord and toProductEvent', () => {
    const raw = logRecord(topic, PRODUCT_ID, { eventType: 'set', payload: { id: PRODUCT_ID, name: 'Butter', price: 1.5 } });
    const created = toProductEvent(decodeRecord(raw), raw, () => undefined);
    expect(created).toMatchObject({ type: 'ProductCreated', version: 1, data: { price: '1.50' } });

    const removal = logRecord(
      topic,
      PRODUCT_ID,
      { eventType: 'remove', payload: { id: PRODUCT_ID, name: 'Butter', price: 1.5 } },
      8,
    );
    const deleted = toProductEvent(decodeRecord(removal), removal, () => ({ data: created.data, version: 1 }));
    expect(deleted).toMatchObject({ type: 'ProductDeleted', version: 2 });
    expect(deleted.data.deletedAt).not.toBeNull();
  });

  it('passes a current envelope through toProductEvent with validation', () => {
    const event = envelope('ProductCreated', productData);
    const raw = logRecord(topic, PRODUCT_ID, event);
    expect(toProductEvent(decodeRecord(raw), raw, () => undefined)).toEqual(event);
    const bad = logRecord(topic, PRODUCT_ID, envelope('ProductCreated', { ...productData, price: '-1.00' }));
    expect(() => toProductEvent(decodeRecord(bad), bad, () => undefined)).toThrow(DecodeError);
  });
});

describe('legacy customers', () => {
  const topic = 'eventbus.customers';

  it('upcasts a set of an unknown customer to CustomerCreated version 1', () => {
    const event = upcastLegacyCustomer(
      legacySet({ id: CUSTOMER_ID, firstName: 'Danny', lastName: 'Tester' }),
      logRecord(topic, CUSTOMER_ID),
      undefined,
      0,
    );
    expect(event).toMatchObject({
      type: 'CustomerCreated',
      version: 1,
      data: { firstName: 'Danny', lastName: 'Tester', deletedAt: null },
    });
  });

  it('upcasts a set of a known customer to CustomerUpdated at the next version', () => {
    const event = upcastLegacyCustomer(
      legacySet({ id: CUSTOMER_ID, firstName: 'Ted', lastName: 'Tester' }),
      logRecord(topic, CUSTOMER_ID),
      customerData,
      1,
    );
    expect(event).toMatchObject({ type: 'CustomerUpdated', version: 2, data: { firstName: 'Ted', createdAt: CREATED_AT } });
  });

  it('upcasts a remove of a known customer to CustomerDeleted', () => {
    const event = upcastLegacyCustomer(legacyRemove({ id: CUSTOMER_ID }), logRecord(topic, CUSTOMER_ID), customerData, 1);
    expect(event).toMatchObject({
      type: 'CustomerDeleted',
      version: 2,
      data: { deletedAt: new Date(RECORD_TIME_MS).toISOString() },
    });
  });

  it('refuses a remove of an unknown customer', () => {
    expect(() => upcastLegacyCustomer(legacyRemove({ id: CUSTOMER_ID }), logRecord(topic, CUSTOMER_ID), undefined, 0)).toThrow(
      DecodeError,
    );
  });

  it('refuses a legacy customer with an empty first name', () => {
    expect(() =>
      upcastLegacyCustomer(
        legacySet({ id: CUSTOMER_ID, firstName: '', lastName: 'T' }),
        logRecord(topic, CUSTOMER_ID),
        undefined,
        0,
      ),
    ).toThrow(DecodeError);
  });

  it('reads a legacy record through toCustomerEvent with what the reader knows', () => {
    const raw = logRecord(topic, CUSTOMER_ID, {
      eventType: 'set',
      payload: { id: CUSTOMER_ID, firstName: 'Ted', lastName: 'Tester' },
    });
    const event = toCustomerEvent(decodeRecord(raw), raw, (id) =>
      id === CUSTOMER_ID ? { data: customerData, version: 5 } : undefined,
    );
    expect(event).toMatchObject({ type: 'CustomerUpdated', version: 6 });
  });
});

describe('legacy purchases', () => {
  const topic = 'eventbus.purchases';
  const payload = {
    id: PURCHASE_ID,
    productId: PRODUCT_ID,
    customerId: CUSTOMER_ID,
    total: 1.99,
    transactionDate: '2017-10-03T12:34:56.789Z',
  };
  const originalTz = process.env.TZ;
  afterEach(() => {
    if (originalTz === undefined) delete process.env.TZ;
    else process.env.TZ = originalTz;
  });

  it('upcasts a legacy purchase to PurchaseMade with its transactionDate', () => {
    const event = upcastLegacyPurchase(legacySet(payload), logRecord(topic, PURCHASE_ID));
    expect(event).toEqual({
      id: `legacy:${topic}:0:7`,
      type: 'PurchaseMade',
      entityId: PURCHASE_ID,
      version: 1,
      occurredAt: new Date(RECORD_TIME_MS).toISOString(),
      data: {
        id: PURCHASE_ID,
        productId: PRODUCT_ID,
        customerId: CUSTOMER_ID,
        total: '1.99',
        transactionDate: '2017-10-03T12:34:56.789Z',
      },
      meta: { actor: 'legacy' },
    });
  });

  it('normalises a transactionDate with an offset to UTC', () => {
    const event = upcastLegacyPurchase(
      legacySet({ ...payload, transactionDate: '2017-10-03T14:34:56+02:00' }),
      logRecord(topic, PURCHASE_ID),
    );
    expect(event.data.transactionDate).toBe('2017-10-03T12:34:56.000Z');
  });

  it('falls back to the record time when the transactionDate is missing or unreadable', () => {
    const { transactionDate: _dropped, ...withoutDate } = payload;
    expect(upcastLegacyPurchase(legacySet(withoutDate), logRecord(topic, PURCHASE_ID)).data.transactionDate).toBe(
      new Date(RECORD_TIME_MS).toISOString(),
    );
    expect(
      upcastLegacyPurchase(legacySet({ ...payload, transactionDate: 'soon' }), logRecord(topic, PURCHASE_ID)).data
        .transactionDate,
    ).toBe(new Date(RECORD_TIME_MS).toISOString());
  });

  it('reads a transactionDate without an offset the same in every time zone (replicas must agree)', () => {
    const record = legacySet({ ...payload, transactionDate: '2017-10-03T12:34:56' });
    process.env.TZ = 'UTC';
    const inUtc = upcastLegacyPurchase(record, logRecord(topic, PURCHASE_ID)).data.transactionDate;
    process.env.TZ = 'Asia/Tokyo';
    const inTokyo = upcastLegacyPurchase(record, logRecord(topic, PURCHASE_ID)).data.transactionDate;
    expect(inTokyo).toBe(inUtc);
  });

  it('reads a legacy total of 2 as "2.00" and refuses one of 1.234', () => {
    expect(upcastLegacyPurchase(legacySet({ ...payload, total: 2 }), logRecord(topic, PURCHASE_ID)).data.total).toBe('2.00');
    expect(() => upcastLegacyPurchase(legacySet({ ...payload, total: 1.234 }), logRecord(topic, PURCHASE_ID))).toThrow(
      DecodeError,
    );
  });

  it('refuses a legacy remove of a purchase', () => {
    expect(
      decodeErrorOf(() => upcastLegacyPurchase(legacyRemove({ id: PURCHASE_ID }), logRecord(topic, PURCHASE_ID))).message,
    ).toMatch(/cannot be removed/);
  });

  it('refuses a legacy purchase without a productId', () => {
    const { productId: _dropped, ...rest } = payload;
    expect(decodeErrorOf(() => upcastLegacyPurchase(legacySet(rest), logRecord(topic, PURCHASE_ID))).message).toMatch(
      /invalid legacy purchase/,
    );
  });

  it('reads a legacy record straight off the log through toPurchaseEvent', () => {
    const raw = logRecord(topic, PURCHASE_ID, { eventType: 'set', payload });
    expect(toPurchaseEvent(decodeRecord(raw), raw)).toMatchObject({ type: 'PurchaseMade', data: { total: '1.99' } });
  });
});
