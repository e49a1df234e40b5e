import { describe, expect, it } from 'vitest';
import { at } from '@shop/event-core/testing';
import {
  decodeRecord,
  DomainError,
  encodeEvent,
  MAX_CENTS,
  parseMoney,
  type ApplyOutcome,
  type EventEnvelope,
  type EventMeta,
  type LogRecord,
} from '@shop/event-core';
import {
  TOPICS,
  type CustomerData,
  type CustomerEvent,
  type ProductData,
  type ProductEvent,
  type PurchaseEvent,
} from '@shop/schema';
import { decide, evolve, type DecisionView, type MakePurchase } from '../src/domain.ts';
import { PurchasesReadModel } from '../src/read-model.ts';

const T0 = '2026-01-01T10:00:00.000Z';
const T1 = '2026-01-02T10:00:00.000Z';
const T2 = '2026-01-03T10:00:00.000Z';

const view = (productPriceCents: number | undefined = 150, customerExists = true): DecisionView => ({
  productPriceCents,
  customerExists,
});
const buy = (change: Partial<MakePurchase> = {}): MakePurchase => ({
  type: 'MakePurchase',
  id: 'u1',
  productId: 'p1',
  customerId: 'c1',
  ...change,
});

function refusal(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected the command to be refused, but it was decided');
}

describe('MakePurchase', () => {
  it('records PurchaseMade at version 1 with the whole purchase, dated now', () => {
    const context = at(T1, { idempotencyKey: 'k-1' });
    expect(decide(view(150), buy({ totalCents: 199 }), context)).toEqual({
      id: context.eventId,
      type: 'PurchaseMade',
      entityId: 'u1',
      version: 1,
      occurredAt: T1,
      data: { id: 'u1', productId: 'p1', customerId: 'c1', total: '1.99', transactionDate: T1 },
      meta: { idempotencyKey: 'k-1' },
      schemaVersion: 1,
    });
  });

  it('defaults the total to the product price', () => {
    expect(decide(view(150), buy(), at(T1)).data.total).toBe('1.50');
    expect(decide(view(150), buy({ totalCents: null }), at(T1)).data.total).toBe('1.50');
  });

  it('allows an explicit total of 0', () => {
    expect(decide(view(150), buy({ totalCents: 0 }), at(T1)).data.total).toBe('0.00');
  });

  it('rejects an unknown or deleted product with NOT_FOUND naming the product', () => {
    const error = refusal(() => decide({ productPriceCents: undefined, customerExists: true }, buy(), at(T1)));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.details).toEqual({ id: 'p1' });
    expect(error.message).toMatch(/product/);
  });

  it('rejects an unknown or deleted customer with NOT_FOUND naming the customer', () => {
    const error = refusal(() => decide(view(150, false), buy(), at(T1)));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.details).toEqual({ id: 'c1' });
    expect(error.message).toMatch(/customer/);
  });

  it.each([
    ['a negative total', -1],
    ['a fractional cent', 1.5],
    ['a total above MAX_CENTS', MAX_CENTS + 1],
    ['NaN', Number.NaN],
  ])('rejects %s with BAD_USER_INPUT on field total', (_label, totalCents) => {
    const error = refusal(() => decide(view(), buy({ totalCents }), at(T1)));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.details).toEqual({ field: 'total' });
  });

  it('accepts a total of exactly MAX_CENTS', () => {
    expect(decide(view(), buy({ totalCents: MAX_CENTS }), at(T1)).data.total).toBe('1000000000.00');
  });
});

describe('evolve', () => {
  it('gives the purchase with its total in cents', () => {
    expect(evolve(undefined, decide(view(150), buy({ totalCents: 1999 }), at(T1)))).toEqual({
      id: 'u1',
      productId: 'p1',
      customerId: 'c1',
      totalCents: 1999,
      transactionDate: T1,
    });
  });
});

// ---------------------------------------------------------------------------------------------

const productData = (id: string, price: string, deletedAt: string | null = null): ProductData => ({
  id,
  name: `Product ${id}`,
  price,
  createdAt: T0,
  updatedAt: T0,
  deletedAt,
});
const productEvent = (
  type: ProductEvent['type'],
  id: string,
  version: number,
  price: string,
  deletedAt: string | null = null,
): ProductEvent =>
  ({
    id: `ev-${type}-${id}-${version}`,
    type,
    entityId: id,
    version,
    occurredAt: T0,
    data: productData(id, price, deletedAt),
    meta: {},
  }) as ProductEvent;

const customerData = (id: string, deletedAt: string | null = null): CustomerData => ({
  id,
  firstName: 'Danny',
  lastName: id,
  createdAt: T0,
  updatedAt: T0,
  deletedAt,
});
const customerEvent = (
  type: CustomerEvent['type'],
  id: string,
  version: number,
  deletedAt: string | null = null,
): CustomerEvent =>
  ({
    id: `ev-${type}-${id}-${version}`,
    type,
    entityId: id,
    version,
    occurredAt: T0,
    data: customerData(id, deletedAt),
    meta: {},
  }) as CustomerEvent;

let offset = 0;
function feed(
  model: PurchasesReadModel,
  topic: string,
  event: EventEnvelope | object,
  key: string | null = (event as EventEnvelope).entityId ?? null,
): ApplyOutcome {
  const value =
    'type' in event ? Buffer.from(encodeEvent(event as EventEnvelope).value) : Buffer.from(JSON.stringify(event), 'utf8');
  const record: LogRecord = { topic, partition: 0, offset: offset++, key, value, headers: {}, timestampMs: Date.parse(T2) };
  return model.apply(topic, decodeRecord(record), record);
}

/** The view the purchases subgraph decides on, read from its mirrors as its resolvers do. */
function viewOf(model: PurchasesReadModel, productId: string, customerId: string): DecisionView {
  const product = model.products.table.getLive(productId);
  return {
    productPriceCents: product && parseMoney(product.data.price, 'price'),
    customerExists: model.customers.table.getLive(customerId) !== undefined,
  };
}

/** Decides a purchase on the model's current view and applies it, as a mutation would. */
function purchase(
  model: PurchasesReadModel,
  id: string,
  productId: string,
  customerId: string,
  totalCents?: number,
  meta: EventMeta = {},
): PurchaseEvent {
  const event = decide(
    viewOf(model, productId, customerId),
    { type: 'MakePurchase', id, productId, customerId, totalCents },
    at(T1, meta),
  );
  expect(feed(model, TOPICS.purchases, event)).toEqual({ ok: true, entityId: id });
  return event;
}

function givenShop(): PurchasesReadModel {
  const model = new PurchasesReadModel();
  feed(model, TOPICS.products, productEvent('ProductCreated', 'p1', 1, '0.10'));
  feed(model, TOPICS.products, productEvent('ProductCreated', 'p2', 1, '0.20'));
  feed(model, TOPICS.customers, customerEvent('CustomerCreated', 'c1', 1));
  feed(model, TOPICS.customers, customerEvent('CustomerCreated', 'c2', 1));
  return model;
}

describe('PurchasesReadModel aggregates', () => {
  it('starts every product and customer at zero', () => {
    const model = givenShop();
    expect(model.productStats('p1')).toEqual({ purchaseCount: 0, customerCount: 0, totalCents: 0n });
    expect(model.customerStats('c1')).toEqual({ purchaseCount: 0, totalCents: 0n });
    expect(model.productStats('never-heard-of')).toEqual({ purchaseCount: 0, customerCount: 0, totalCents: 0n });
  });

  it('sums 0.10 and 0.20 to exactly 30 cents', () => {
    const model = givenShop();
    purchase(model, 'u1', 'p1', 'c1');
    purchase(model, 'u2', 'p2', 'c1');
    expect(model.customerStats('c1')).toEqual({ purchaseCount: 2, totalCents: 30n });
  });

  it('updates product and customer aggregates with every purchase', () => {
    const model = givenShop();

    purchase(model, 'u1', 'p1', 'c1');
    expect(model.productStats('p1')).toEqual({ purchaseCount: 1, customerCount: 1, totalCents: 10n });
    expect(model.customerStats('c1')).toEqual({ purchaseCount: 1, totalCents: 10n });

    purchase(model, 'u2', 'p1', 'c1', 250);
    expect(model.productStats('p1')).toEqual({ purchaseCount: 2, customerCount: 1, totalCents: 260n });
    expect(model.customerStats('c1')).toEqual({ purchaseCount: 2, totalCents: 260n });

    purchase(model, 'u3', 'p1', 'c2', 0);
    expect(model.productStats('p1')).toEqual({ purchaseCount: 3, customerCount: 2, totalCents: 260n });
    expect(model.customerStats('c2')).toEqual({ purchaseCount: 1, totalCents: 0n });
    expect(model.productStats('p2')).toEqual({ purchaseCount: 0, customerCount: 0, totalCents: 0n });
  });

  it('counts customers of a product once however often they buy it', () => {
    const model = givenShop();
    for (let i = 0; i < 5; i++) purchase(model, `u${i}`, 'p1', i % 2 === 0 ? 'c1' : 'c2');
    expect(model.productStats('p1')).toMatchObject({ purchaseCount: 5, customerCount: 2 });
  });

  it('keeps totals exact as bigint when they pass 2^53 cents', () => {
    const model = givenShop();
    // Odd: sums of even amounts stay exact as doubles a little past 2^53, and would hide a lost carry.
    const big = MAX_CENTS - 1;
    const n = Math.ceil(Number.MAX_SAFE_INTEGER / big) + 1;
    const record = { topic: TOPICS.purchases, partition: 0, offset: 0, key: null, value: null, headers: {}, timestampMs: 0 };
    for (let i = 0; i < n; i++) {
      // Decoded directly rather than through JSON: ~90,000 events, and the codec is covered elsewhere.
      const event = decide(view(), buy({ id: `big${i}`, totalCents: big }), at(T1));
      model.apply(TOPICS.purchases, { format: 'envelope', event }, { ...record, offset: i });
    }
    expect(model.productStats('p1').purchaseCount).toBe(n);
    expect(model.productStats('p1').totalCents).toBe(BigInt(big) * BigInt(n));
    expect(model.productStats('p1').totalCents > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);

    // A restore adds the same sums up its own way (in plain arrays, handed over before 2^53).
    const restored = new PurchasesReadModel();
    restored.restore(model.toSnapshot());
    for (const [id, stats] of [
      ['p1', restored.productStats('p1')],
      ['c1', restored.customerStats('c1')],
    ] as const) {
      expect(stats.totalCents, id).toBe(BigInt(big) * BigInt(n));
    }
    expect(restored.salesAt().totalCents).toBe(BigInt(big) * BigInt(n));
    expect(restored.overTime.range({ bucket: 'DAY' })).toEqual(model.overTime.range({ bucket: 'DAY' }));
  });

  it('answers a repeated idempotency key with the first purchase and counts it once', () => {
    const model = givenShop();
    purchase(model, 'u1', 'p1', 'c1', undefined, { idempotencyKey: 'k' });
    const retry = decide(viewOf(model, 'p1', 'c1'), buy({ id: 'u2' }), at(T1, { idempotencyKey: 'k' }));
    expect(feed(model, TOPICS.purchases, retry)).toEqual({ ok: true, entityId: 'u1', duplicate: true });
    expect(model.purchase('u2')).toBeUndefined();
    expect(model.productStats('p1')).toEqual({ purchaseCount: 1, customerCount: 1, totalCents: 10n });
    expect(model.entityForKey('k')).toBe('u1');
  });

  it('rejects a purchase that reuses an idempotency key for another input, and counts the first once', () => {
    const model = givenShop();
    purchase(model, 'u1', 'p1', 'c1', undefined, { idempotencyKey: 'k', inputDigest: '0000000000abc' });
    const other = decide(
      viewOf(model, 'p1', 'c1'),
      buy({ id: 'u2' }),
      at(T1, { idempotencyKey: 'k', inputDigest: '0000000000def' }),
    );
    const outcome = feed(model, TOPICS.purchases, other);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error).toMatchObject({ code: 'CONFLICT', details: { field: 'idempotencyKey' } });
    const same = decide(
      viewOf(model, 'p1', 'c1'),
      buy({ id: 'u3' }),
      at(T1, { idempotencyKey: 'k', inputDigest: '0000000000abc' }),
    );
    expect(feed(model, TOPICS.purchases, same)).toEqual({ ok: true, entityId: 'u1', duplicate: true });
    expect(model.productStats('p1').purchaseCount).toBe(1);
    expect(model.inputDigestForKey('k')).toBe('0000000000abc');
  });

  it('rejects a second purchase with the same id with CONFLICT and counts it once', () => {
    const model = givenShop();
    purchase(model, 'u1', 'p1', 'c1');
    const outcome = feed(model, TOPICS.purchases, decide(viewOf(model, 'p1', 'c1'), buy({ id: 'u1', totalCents: 500 }), at(T1)));
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error.code).toBe('CONFLICT');
    expect(model.purchase('u1')?.totalCents).toBe(10);
    expect(model.customerStats('c1')).toEqual({ purchaseCount: 1, totalCents: 10n });
  });

  it('refuses a PurchaseMade with invalid data and counts nothing', () => {
    const model = givenShop();
    const bad = {
      ...decide(view(), buy(), at(T1)),
      data: { id: 'u1', productId: 'p1', customerId: 'c1', total: '-1.00', transactionDate: T1 },
    };
    expect(() => feed(model, TOPICS.purchases, bad)).toThrow(/invalid PurchaseMade data/);
    expect(model.productStats('p1').purchaseCount).toBe(0);
  });

  it("reads the original system's purchase records into the aggregates", () => {
    const model = givenShop();
    const legacy = {
      eventType: 'set',
      payload: { id: 'u9', productId: 'p1', customerId: 'c2', total: 1.99, transactionDate: '2017-10-03T12:00:00.000Z' },
    };
    expect(feed(model, TOPICS.purchases, legacy, 'u9')).toEqual({ ok: true, entityId: 'u9' });
    expect(model.purchase('u9')).toMatchObject({ totalCents: 199, transactionDate: '2017-10-03T12:00:00.000Z' });
    expect(model.customerStats('c2')).toEqual({ purchaseCount: 1, totalCents: 199n });
  });
});

describe('PurchasesReadModel storage', () => {
  it('gives back every field of a purchase as applied, transaction dates exactly as written', () => {
    const model = givenShop();
    const dates = [
      '2026-01-01T10:00:00.000Z',
      '2026-01-01T12:00:00+02:00',
      '2026-01-01T10:00:00Z',
      '2024-02-29T23:59:59.123456Z',
    ];
    dates.forEach((transactionDate, i) => {
      const made = decide(view(), buy({ id: `d${i}`, totalCents: 100 + i }), at(T1));
      expect(feed(model, TOPICS.purchases, { ...made, data: { ...made.data, transactionDate } }).ok).toBe(true);
    });
    expect(dates.map((_, i) => model.purchase(`d${i}`))).toEqual(
      dates.map((transactionDate, i) => ({
        id: `d${i}`,
        productId: 'p1',
        customerId: 'c1',
        totalCents: 100 + i,
        transactionDate,
        partition: 0,
        offset: expect.any(Number),
      })),
    );
  });

  it('answers for ids it never saw with nothing', () => {
    const model = givenShop();
    expect(model.purchase('nope')).toBeUndefined();
    expect(model.page({ productId: 'nope' }).totalCount).toBe(0);
    expect(model.page({ customerId: 'nope' }).nodes).toEqual([]);
    expect(model.page({ productId: 'p1', customerId: 'nope' }).totalCount).toBe(0);
    expect(model.customerStats('nope')).toEqual({ purchaseCount: 0, totalCents: 0n });
  });
});

describe('PurchasesReadModel lists', () => {
  it('pages purchases oldest first, filtered by product, customer or both', () => {
    const model = givenShop();
    purchase(model, 'u1', 'p1', 'c1');
    purchase(model, 'u2', 'p2', 'c1');
    purchase(model, 'u3', 'p1', 'c2');
    purchase(model, 'u4', 'p1', 'c1');
    const idsOf = (args: Parameters<PurchasesReadModel['page']>[0]) => model.page(args).nodes.map((p) => p.id);
    expect(idsOf({})).toEqual(['u1', 'u2', 'u3', 'u4']);
    expect(idsOf({ productId: 'p1' })).toEqual(['u1', 'u3', 'u4']);
    expect(idsOf({ customerId: 'c1' })).toEqual(['u1', 'u2', 'u4']);
    expect(idsOf({ productId: 'p1', customerId: 'c1' })).toEqual(['u1', 'u4']);
    expect(idsOf({ productId: 'p2', customerId: 'c2' })).toEqual([]);
    expect(model.page({ productId: 'p1' }).totalCount).toBe(3);
    const first = model.page({ customerId: 'c1', first: 2 });
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(model.page({ customerId: 'c1', first: 2, after: first.pageInfo.endCursor }).nodes.map((p) => p.id)).toEqual(['u4']);
  });
});

describe('PurchasesReadModel mirrors of products and customers', () => {
  it('defaults the total to the price of the latest applied product update', () => {
    const model = givenShop();
    expect(feed(model, TOPICS.products, productEvent('ProductUpdated', 'p1', 2, '0.75')).ok).toBe(true);
    expect(purchase(model, 'u1', 'p1', 'c1').data.total).toBe('0.75');
  });

  it("rejects a product update that lost the race, so the default price stays the winner's", () => {
    const model = givenShop();
    expect(feed(model, TOPICS.products, productEvent('ProductUpdated', 'p1', 2, '0.75')).ok).toBe(true);
    const lost = feed(model, TOPICS.products, productEvent('ProductUpdated', 'p1', 2, '9.99'));
    expect(lost.ok).toBe(false);
    if (!lost.ok) expect(lost.error.code).toBe('CONFLICT');
    expect(model.products.table.get('p1')).toMatchObject({ version: 2, data: { price: '0.75' } });
    expect(purchase(model, 'u1', 'p1', 'c1').data.total).toBe('0.75');
  });

  it('refuses purchases of a deleted product or by a deleted customer with NOT_FOUND', () => {
    const model = givenShop();
    expect(feed(model, TOPICS.products, productEvent('ProductDeleted', 'p1', 2, '0.10', T1)).ok).toBe(true);
    expect(feed(model, TOPICS.customers, customerEvent('CustomerDeleted', 'c2', 2, T1)).ok).toBe(true);
    expect(refusal(() => decide(viewOf(model, 'p1', 'c1'), buy(), at(T2))).code).toBe('NOT_FOUND');
    expect(refusal(() => decide(viewOf(model, 'p2', 'c2'), buy({ productId: 'p2', customerId: 'c2' }), at(T2))).details).toEqual({
      id: 'c2',
    });
    expect(refusal(() => decide(viewOf(model, 'nope', 'c1'), buy({ productId: 'nope' }), at(T2))).details).toEqual({
      id: 'nope',
    });
  });

  it('keeps purchases of a product that was deleted later, and their aggregates', () => {
    const model = givenShop();
    purchase(model, 'u1', 'p1', 'c1');
    feed(model, TOPICS.products, productEvent('ProductDeleted', 'p1', 2, '0.10', T1));
    expect(model.purchase('u1')).toBeDefined();
    expect(model.productStats('p1').purchaseCount).toBe(1);
  });

  it('mirrors products recorded by the original system', () => {
    const model = givenShop();
    expect(feed(model, TOPICS.products, { eventType: 'set', payload: { id: 'p9', name: 'Butter', price: 1.5 } }, 'p9').ok).toBe(
      true,
    );
    expect(purchase(model, 'u1', 'p9', 'c1').data.total).toBe('1.50');
    expect(feed(model, TOPICS.products, { eventType: 'remove', payload: { id: 'p9' } }, 'p9').ok).toBe(true);
    expect(viewOf(model, 'p9', 'c1').productPriceCents).toBeUndefined();
  });

  it('does not mirror a product whose price the products subgraph refuses (above MAX_CENTS)', () => {
    // The products subgraph cannot apply this event (its evolve refuses the price), so it never
    // has the product; the mirror must agree, or purchases could be decided on a product that
    // does not exist for anyone else.
    const model = givenShop();
    const tooDear = productEvent('ProductCreated', 'p3', 1, '1000000000.01');
    try {
      feed(model, TOPICS.products, tooDear);
    } catch {
      // refusing by throwing (the projector skips the record) is as good as a rejection
    }
    expect(model.products.table.get('p3')).toBeUndefined();
  });
});
