import { describe, expect, it } from 'vitest';
import { TOPICS } from '@shop/schema';
import { purchase, shop } from './support/model.ts';

describe('aggregates as of a position (X-Read-At)', () => {
  it('counts only the purchases before the position, however many came after', () => {
    const model = shop();
    purchase(model, 'p1', 'c1', '0.10');
    const second = purchase(model, 'p1', 'c1', '0.20');
    purchase(model, 'p1', 'c2', '5.00');
    purchase(model, 'p2', 'c1', '1.00');
    expect(model.customerStats('c1', second)).toEqual({ purchaseCount: 2, totalCents: 30n });
    expect(model.productStats('p1', second)).toEqual({ purchaseCount: 2, customerCount: 1, totalCents: 30n });
    expect(model.customerStats('c1')).toEqual({ purchaseCount: 3, totalCents: 130n });
    expect(model.productStats('p1')).toEqual({ purchaseCount: 3, customerCount: 2, totalCents: 530n });
  });

  it('pages a purchase list as of the position, totalCount included', () => {
    const model = shop();
    purchase(model, 'p1', 'c1', '1.00');
    const cut = purchase(model, 'p1', 'c1', '2.00');
    purchase(model, 'p1', 'c1', '3.00');
    const page = model.page({ customerId: 'c1' }, cut);
    expect(page.totalCount).toBe(2);
    expect(page.nodes.map((p) => p.totalCents)).toEqual([100, 200]);
  });

  it('pages a list by product and customer as of the position, totalCount included', () => {
    const model = shop();
    purchase(model, 'p1', 'c1', '1.00');
    purchase(model, 'p2', 'c1', '2.00');
    const cut = purchase(model, 'p1', 'c1', '4.00');
    purchase(model, 'p1', 'c1', '8.00');
    purchase(model, 'p1', 'c2', '16.00');
    const page = model.page({ productId: 'p1', customerId: 'c1', first: 1 }, cut);
    expect(page.totalCount).toBe(2);
    expect(page.nodes.map((p) => p.totalCents)).toEqual([100]);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const rest = model.page({ productId: 'p1', customerId: 'c1', after: page.pageInfo.endCursor }, cut);
    expect(rest.nodes.map((p) => p.totalCents)).toEqual([400]);
    expect(rest.pageInfo.hasNextPage).toBe(false);
    expect(model.page({ productId: 'p1', customerId: 'c1' }).totalCount).toBe(3);
  });

  it('is exact across partitions: each partition is cut at its own offset', () => {
    const model = shop();
    const a = purchase(model, 'p1', 'c1', '1.00', 0);
    purchase(model, 'p1', 'c1', '2.00', 1);
    const b = purchase(model, 'p1', 'c1', '4.00', 1);
    purchase(model, 'p1', 'c1', '8.00', 0);
    const readAt = { [TOPICS.purchases]: { ...a[TOPICS.purchases], ...b[TOPICS.purchases] } };
    // Partition 0 up to its first purchase, partition 1 up to its second: 1 + 2 + 4.
    expect(model.customerStats('c1', readAt)).toEqual({ purchaseCount: 3, totalCents: 700n });
  });

  it('pages the whole list as of a position across partitions, never listing a later purchase', () => {
    const model = shop();
    const a = purchase(model, 'p1', 'c1', '1.00', 0);
    purchase(model, 'p2', 'c2', '2.00', 1);
    const b = purchase(model, 'p1', 'c2', '4.00', 1);
    purchase(model, 'p2', 'c1', '8.00', 0);
    purchase(model, 'p2', 'c1', '16.00', 1);
    const readAt = { [TOPICS.purchases]: { ...a[TOPICS.purchases], ...b[TOPICS.purchases] } };
    const all = model.page({}, readAt);
    expect(all.totalCount).toBe(3);
    expect(all.nodes.map((p) => p.totalCents)).toEqual([100, 200, 400]);
    const first = model.page({ first: 2 }, readAt);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = model.page({ first: 2, after: first.pageInfo.endCursor }, readAt);
    expect(rest.nodes.map((p) => p.totalCents)).toEqual([400]);
    expect(rest.pageInfo.hasNextPage).toBe(false);
    expect(model.page({}, { [TOPICS.purchases]: { 0: 0, 1: 0 } }).totalCount).toBe(0);
  });

  it('ignores a position on other topics', () => {
    const model = shop();
    purchase(model, 'p1', 'c1', '1.00');
    expect(model.customerStats('c1', { [TOPICS.products]: { 0: 0 } })).toEqual({ purchaseCount: 1, totalCents: 100n });
  });
});
