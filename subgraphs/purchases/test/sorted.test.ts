import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { everyPage } from '@shop/event-core/testing';
import { compareKeys, type Position } from '@shop/event-core';
import { TOPICS } from '@shop/schema';
import type { PurchaseOrder, PurchasesReadModel } from '../src/read-model.ts';
import { feed, madeIds, purchase, shop, T0 } from './support/model.ts';

const PRODUCTS = ['p1', 'p2', 'p3'];
const CUSTOMERS = ['c1', 'c2', 'c3'];
const DATES = ['2026-01-01T10:00:00.000Z', '2026-01-01T10:00:30.000Z', '2026-01-01T11:59:00.000Z', '2026-01-03T08:00:00.000Z'];

interface Made {
  readonly id: string;
  readonly productId: string;
  readonly customerId: string;
  readonly cents: number;
  readonly date: string;
  readonly partition: number;
  readonly at: Position;
}

const step = fc.record({
  productId: fc.constantFrom(...PRODUCTS),
  customerId: fc.constantFrom(...CUSTOMERS),
  cents: fc.constantFrom(0, 100, 150, 999),
  date: fc.constantFrom(...DATES),
  partition: fc.constantFrom(0, 1),
});

function made(model: PurchasesReadModel, steps: readonly Omit<Made, 'at' | 'id'>[]): Made[] {
  return steps.map((s) => {
    const at = purchase(model, s.productId, s.customerId, (s.cents / 100).toFixed(2), s.partition, s.date);
    return { ...s, at, id: madeIds.at(-1)! };
  });
}

/** Was `purchase` made before `cut` (a position just after some purchase)? */
const before = (purchase: Made, cut: Position | undefined): boolean => {
  const offsets = cut?.[TOPICS.purchases];
  if (!offsets) return true;
  const end = offsets[purchase.partition];
  const own = purchase.at[TOPICS.purchases]![purchase.partition]!;
  return end === undefined || own <= end;
};

describe('purchase lists in order', () => {
  it('page by transaction date or total, either way, of all or one product or customer, now and as of a point, like a naive sort', () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 60 }),
        fc.constantFrom<PurchaseOrder>('TRANSACTION_DATE', 'TOTAL'),
        fc.boolean(),
        fc.constantFrom<'all' | 'product' | 'customer' | 'both'>('all', 'product', 'customer', 'both'),
        fc.integer({ min: 1, max: 5 }),
        fc.option(fc.nat(), { nil: undefined }),
        (steps, order, descending, filter, first, cutAt) => {
          const model = shop(PRODUCTS, CUSTOMERS);
          const purchases = made(model, steps);
          const cut = cutAt === undefined ? undefined : purchases[cutAt % purchases.length]!.at;
          const productId = filter === 'product' || filter === 'both' ? 'p1' : undefined;
          const customerId = filter === 'customer' || filter === 'both' ? 'c1' : undefined;
          const listed = everyPage((after) => model.page({ first, after, order, descending, productId, customerId }, cut));
          const key = (p: Made) => [order === 'TOTAL' ? p.cents : Date.parse(p.date), p.id];
          const expected = purchases
            .filter((p) => (!productId || p.productId === productId) && (!customerId || p.customerId === customerId))
            .filter((p) => before(p, cut))
            .sort((a, b) => compareKeys(key(a), key(b)));
          if (descending) expected.reverse();
          expect(listed.map((p) => p.id)).toEqual(expected.map((p) => p.id));
          const page = model.page({ first, offset: 1, order, descending, productId, customerId }, cut);
          expect(page.totalCount).toBe(expected.length);
          expect(page.nodes.map((p) => p.id)).toEqual(expected.slice(1, 1 + first).map((p) => p.id));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('lists products and customers by their sales, with ties in creation order, and follows renames and deletes', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), fc.boolean(), (steps, deleteOne) => {
        const model = shop(PRODUCTS, CUSTOMERS);
        const purchases = made(model, steps);
        feed(model, TOPICS.products, {
          id: 'e-rename',
          type: 'ProductUpdated',
          entityId: 'p2',
          version: 2,
          occurredAt: T0,
          data: { id: 'p2', name: 'Peanut Butter', price: '1.00', createdAt: T0, updatedAt: T0, deletedAt: null },
          meta: {},
        });
        if (deleteOne) {
          feed(model, TOPICS.products, {
            id: 'e-delete',
            type: 'ProductDeleted',
            entityId: 'p3',
            version: 2,
            occurredAt: T0,
            data: { id: 'p3', name: 'p3', price: '1.00', createdAt: T0, updatedAt: T0, deletedAt: T0 },
            meta: {},
          });
        }
        const live = PRODUCTS.filter((id) => !(deleteOne && id === 'p3'));
        const figures = (id: string) => {
          const mine = purchases.filter((p) => p.productId === id);
          return {
            PURCHASE_COUNT: mine.length,
            CUSTOMER_COUNT: new Set(mine.map((p) => p.customerId)).size,
            TOTAL_SPENT: mine.reduce((sum, p) => sum + p.cents, 0),
          };
        };
        for (const order of ['PURCHASE_COUNT', 'CUSTOMER_COUNT', 'TOTAL_SPENT'] as const) {
          // Every product was created at T0: ties fall back to the id.
          const expected = [...live].sort((a, b) => compareKeys([figures(a)[order], a], [figures(b)[order], b])).reverse();
          const listed = everyPage((after) => model.productSales.page({ order, descending: true, first: 2, after }));
          expect(listed.map((ref) => ref.id)).toEqual(expected);
        }
        const butter = model.productSales.page({ order: 'TOTAL_SPENT', descending: true, search: 'butt' });
        expect(butter.nodes.map((ref) => ref.id)).toEqual(['p2']);
        expect(model.productSales.page({ order: 'TOTAL_SPENT', descending: true, search: 'p2' }).totalCount).toBe(0);
        const spent = (id: string) => purchases.filter((p) => p.customerId === id).reduce((sum, p) => sum + p.cents, 0);
        const customers = everyPage((after) =>
          model.customerSales.page({ order: 'TOTAL_SPENT', descending: false, first: 2, after }),
        );
        expect(customers.map((ref) => ref.id)).toEqual([...CUSTOMERS].sort((a, b) => compareKeys([spent(a), a], [spent(b), b])));
      }),
      { numRuns: 150 },
    );
  });

  it('keeps the sales figures and the buckets over time exact, now and as of a point', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), fc.nat(), (steps, cutAt) => {
        const model = shop(PRODUCTS, CUSTOMERS);
        const purchases = made(model, steps);
        const cut = purchases[cutAt % purchases.length]!.at;
        for (const readAt of [undefined, cut]) {
          const kept = purchases.filter((p) => before(p, readAt));
          const sales = model.salesAt(readAt);
          expect(sales.purchaseCount).toBe(kept.length);
          expect(sales.totalCents).toBe(BigInt(kept.reduce((sum, p) => sum + p.cents, 0)));
          // Minutes over the first half-day only (1,000 at most); hours and days over everything.
          for (const [bucket, ms, fromMs, toMs] of [
            ['MINUTE', 60_000, Date.parse('2026-01-01T10:00:00Z'), Date.parse('2026-01-01T21:59:59.999Z')],
            ['HOUR', 3_600_000, undefined, undefined],
            ['DAY', 86_400_000, undefined, undefined],
          ] as const) {
            const expected = new Map<number, { purchaseCount: number; totalCents: number }>();
            for (const p of kept) {
              const time = Date.parse(p.date);
              if ((fromMs !== undefined && time < fromMs) || (toMs !== undefined && time > toMs)) continue;
              const start = Math.floor(time / ms) * ms;
              const entry = expected.get(start) ?? { purchaseCount: 0, totalCents: 0 };
              expected.set(start, { purchaseCount: entry.purchaseCount + 1, totalCents: entry.totalCents + p.cents });
            }
            const { buckets } = model.overTime.range({ bucket, fromMs, toMs }, sales.after);
            expect(buckets).toEqual(
              [...expected.entries()].sort(([a], [b]) => a - b).map(([startMs, figures]) => ({ startMs, ...figures })),
            );
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('picks the finest bucket that keeps a range within 1,000 buckets, and refuses a finer one', () => {
    const model = shop();
    purchase(model, 'p1', 'c1', '1.00', 0, '2026-01-01T00:00:00.000Z');
    purchase(model, 'p1', 'c1', '2.00', 0, '2026-01-20T00:00:00.000Z');
    expect(
      model.overTime.range({ fromMs: Date.parse('2026-01-01T00:00:00Z'), toMs: Date.parse('2026-01-01T10:00:00Z') }).bucket,
    ).toBe('MINUTE');
    expect(model.overTime.range({}).bucket).toBe('HOUR');
    expect(model.overTime.range({ fromMs: 0, toMs: Date.parse('2026-01-20T00:00:00Z') }).bucket).toBe('DAY');
    expect(() => model.overTime.range({ bucket: 'MINUTE' })).toThrow(/more than 1000/);
    expect(() => model.overTime.range({ fromMs: 10, toMs: 5 })).toThrow(/before/);
  });
});
