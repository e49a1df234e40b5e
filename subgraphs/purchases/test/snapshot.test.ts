import { deserialize, serialize } from 'node:v8';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DecodeError,
  decodeRecord,
  encodeEvent,
  positionAfter,
  type EventEnvelope,
  type LogRecord,
  type Position,
} from '@shop/event-core';
import { TOPICS } from '@shop/schema';
import { PurchasesReadModel, type PurchasesSnapshot } from '../src/read-model.ts';

const T0 = Date.parse('2026-01-01T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** One step of a random history: what a shop's three topics could hold, rejections included. */
type Step =
  | { readonly kind: 'product'; readonly id: number; readonly version: number; readonly name: string; readonly deleted: boolean }
  | { readonly kind: 'customer'; readonly id: number; readonly version: number; readonly name: string; readonly deleted: boolean }
  | {
      readonly kind: 'purchase';
      readonly id: number;
      readonly product: number;
      readonly customer: number;
      readonly cents: number;
      readonly minute: number;
      readonly key: number | undefined;
      readonly partition: number;
      /** As the original system wrote it (`{eventType, payload}`, .NET dates, amounts as numbers). */
      readonly legacy: boolean;
    }
  /** A record on the purchases topic that is no event: the projector logs it and goes on. */
  | { readonly kind: 'poison'; readonly value: string; readonly partition: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('product' as const, 'customer' as const),
    id: fc.nat(4),
    // Wrong versions (conflicts, lost races) as well as right ones.
    version: fc.integer({ min: 1, max: 4 }),
    name: fc.constantFrom('Butter', 'Peanut Butter', 'Bread', 'Jam'),
    deleted: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('purchase' as const),
    // Repeated ids: a purchase that already exists is a CONFLICT.
    id: fc.nat(60),
    product: fc.nat(4),
    customer: fc.nat(4),
    cents: fc.constantFrom(0, 99, 150, 1000),
    minute: fc.nat(300),
    // Repeated keys: an idempotent retry appends a duplicate.
    key: fc.option(fc.nat(10), { nil: undefined }),
    partition: fc.nat(1),
    legacy: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('poison' as const),
    value: fc.constantFrom(
      'not json',
      '{}',
      '{"eventType":"set","payload":{}}',
      JSON.stringify({ id: 'x', type: 'PurchaseMade' }),
    ),
    partition: fc.nat(1),
  }),
);

/** The records a history of steps makes, at dense offsets per topic and partition. */
function recordsOf(steps: readonly Step[]): LogRecord[] {
  const offsets = new Map<string, number>();
  return steps.map((s, n) => {
    const occurredAt = iso(T0 + n * 1000);
    let topic: string;
    let event: EventEnvelope;
    let partition = 0;
    if (s.kind === 'poison' || (s.kind === 'purchase' && s.legacy)) {
      topic = TOPICS.purchases;
      partition = s.partition;
      const value =
        s.kind === 'poison'
          ? s.value
          : JSON.stringify({
              eventType: 'set',
              payload: {
                id: `u${s.id}`,
                productId: `p${s.product}`,
                customerId: `c${s.customer}`,
                total: s.cents / 100,
                transactionDate: iso(T0 + s.minute * 60_000).slice(0, -1),
              },
            });
      const slot = `${topic}/${partition}`;
      const offset = offsets.get(slot) ?? 0;
      offsets.set(slot, offset + 1);
      const key = s.kind === 'poison' ? null : `u${s.id}`;
      return { topic, partition, offset, key, value: Buffer.from(value), headers: {}, timestampMs: T0 + n * 1000 };
    }
    if (s.kind === 'purchase') {
      topic = TOPICS.purchases;
      partition = s.partition;
      const id = `u${s.id}`;
      event = {
        id: `e${n}`,
        type: 'PurchaseMade',
        entityId: id,
        version: 1,
        occurredAt,
        data: {
          id,
          productId: `p${s.product}`,
          customerId: `c${s.customer}`,
          total: (s.cents / 100).toFixed(2),
          transactionDate: iso(T0 + s.minute * 60_000),
        },
        meta: s.key === undefined ? {} : { idempotencyKey: `k${s.key}` },
      };
    } else {
      const product = s.kind === 'product';
      topic = product ? TOPICS.products : TOPICS.customers;
      const id = `${product ? 'p' : 'c'}${s.id}`;
      const type = s.version === 1 ? 'Created' : s.deleted ? 'Deleted' : 'Updated';
      // A createdAt that moves with the version: a writer that got it wrong, whose entity must keep its place.
      const common = {
        id,
        createdAt: iso(T0 + s.version * 5),
        updatedAt: occurredAt,
        deletedAt: type === 'Deleted' ? occurredAt : null,
      };
      event = {
        id: `e${n}`,
        type: `${product ? 'Product' : 'Customer'}${type}`,
        entityId: id,
        version: s.version,
        occurredAt,
        data: product ? { ...common, name: s.name, price: '1.00' } : { ...common, firstName: s.name, lastName: 'X' },
        meta: {},
      };
    }
    const slot = `${topic}/${partition}`;
    const offset = offsets.get(slot) ?? 0;
    offsets.set(slot, offset + 1);
    const encoded = encodeEvent(event);
    return { topic, partition, offset, key: encoded.key, value: Buffer.from(encoded.value), headers: {}, timestampMs: T0 };
  });
}

/** Applies each record as the projector does: one that is no event is skipped. */
function applyAll(model: PurchasesReadModel, records: readonly LogRecord[]): void {
  for (const record of records) {
    try {
      model.apply(record.topic, decodeRecord(record), record);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
    }
  }
}

/** Everything the model answers, in every order, now and as of `at`. */
function answers(model: PurchasesReadModel, at: Position | undefined) {
  const ids = <T extends { id: string }>(page: { nodes: readonly T[]; totalCount: number }) => ({
    ids: page.nodes.map((n) => n.id),
    total: page.totalCount,
  });
  const products = ['p0', 'p1', 'p2', 'p3', 'p4'];
  const customers = ['c0', 'c1', 'c2', 'c3', 'c4'];
  return {
    byDate: ids(model.page({ first: 500 }, at)),
    byTotal: ids(model.page({ first: 500, order: 'TOTAL', descending: true }, at)),
    ofProduct: products.map((productId) => ids(model.page({ first: 500, productId, order: 'TOTAL' }, at))),
    ofCustomer: customers.map((customerId) => ids(model.page({ first: 500, customerId }, at))),
    productStats: products.map((id) => model.productStats(id, at)),
    customerStats: customers.map((id) => model.customerStats(id, at)),
    sales: model.salesAt(at),
    buckets: model.overTime.range({ bucket: 'HOUR' }, model.salesAt(at).after),
    productSales: (['PURCHASE_COUNT', 'CUSTOMER_COUNT', 'TOTAL_SPENT'] as const).map((order) =>
      ids(model.productSales.page({ order, descending: true, first: 500 })),
    ),
    customerSales: ids(model.customerSales.page({ order: 'TOTAL_SPENT', descending: false, first: 500, search: 'butter' })),
    purchases: [...Array(61).keys()].map((n) => model.purchase(`u${n}`)),
    product: products.map((id) => model.products.table.get(id)),
    customerKeys: [...Array(11).keys()].map((n) => model.entityForKey(`k${n}`)),
  };
}

/**
 * For any history, split anywhere and asked as of any record: `build` makes a model from the
 * records and the split by some other way than applying each in turn, which must answer as a
 * model that did (the full replay), caught up.
 */
function holdsToFullReplay(build: (records: readonly LogRecord[], split: number) => PurchasesReadModel): void {
  fc.assert(
    fc.property(fc.array(step, { minLength: 1, maxLength: 80 }), fc.nat(), fc.nat(), (steps, cutAt, asOfAt) => {
      const records = recordsOf(steps);
      const full = new PurchasesReadModel();
      applyAll(full, records);
      full.caughtUp();
      const other = build(records, cutAt % (records.length + 1));
      expect(other.toSnapshot()).toEqual(full.toSnapshot());
      const at = records[asOfAt % records.length]!;
      const position = { [at.topic]: positionAfter(at.topic, at.partition, at.offset)[at.topic]! };
      expect(answers(other, undefined)).toEqual(answers(full, undefined));
      expect(answers(other, position)).toEqual(answers(full, position));
    }),
    { numRuns: 500 },
  );
}

describe('a purchases read model replayed from the start', () => {
  it('answers everything as one that indexes each purchase as it comes, once caught up and after', () => {
    holdsToFullReplay((records, split) => {
      // Stores only until caught up at `split`, then applies the rest live.
      const deferred = new PurchasesReadModel();
      deferred.replayingFromStart();
      applyAll(deferred, records.slice(0, split));
      expect(() => deferred.toSnapshot()).toThrow(/replaying/);
      deferred.caughtUp();
      applyAll(deferred, records.slice(split));
      return deferred;
    });
  });
});

describe('a purchases read model restored from a snapshot', () => {
  it('answers everything as a full replay does, after any history and any tail, whatever the model applied after the capture', () => {
    holdsToFullReplay((records, split) => {
      const before = new PurchasesReadModel();
      applyAll(before, records.slice(0, split));
      const captured = before.toSnapshot();
      // The service goes on applying while the snapshot is encoded in the background: what was
      // captured must not move (columns are captured as views of what they held).
      applyAll(before, records.slice(split));
      // Through the same serialization a stored snapshot takes.
      const snapshot = deserialize(serialize(captured)) as PurchasesSnapshot;
      const restored = new PurchasesReadModel();
      restored.restore(snapshot);
      applyAll(restored, records.slice(split));
      restored.caughtUp();
      return restored;
    });
  });
});
