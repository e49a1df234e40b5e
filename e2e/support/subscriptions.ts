import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventLog } from '@shop/event-core';
import { eventTopics } from '@shop/schema';
import type { RunningSystem } from '@shop/system';
import { graphql, ok } from './graphql.ts';
import { CREATE_CUSTOMER, CREATE_PRODUCT, CREATE_PURCHASE, DELETE_PRODUCT, UPDATE_PRODUCT } from './operations.ts';
import { startTestSystem, type ScenarioTarget } from './scenario.ts';
import { collect, wsClient } from './ws.ts';

const PURCHASE_MADE = /* GraphQL */ `
  subscription ($productId: ID, $customerId: ID, $after: String) {
    purchaseMade(productId: $productId, customerId: $customerId, after: $after) {
      kind
      position
      occurredAt
      purchase {
        id
        total
        product {
          id
          name
          totalSpent
          purchaseCount
        }
        customer {
          id
          firstName
          purchaseCount
          totalSpent
        }
      }
    }
  }
`;

const PRODUCT_CHANGED = /* GraphQL */ `
  subscription ($id: ID, $after: String) {
    productChanged(id: $id, after: $after) {
      kind
      position
      product {
        id
        name
        price
        version
        deletedAt
      }
    }
  }
`;

interface PurchasePayload {
  purchaseMade: {
    kind: string;
    position: string;
    purchase: {
      id: string;
      total: string;
      product: { id: string; name: string; totalSpent: string; purchaseCount: number };
      customer: { id: string; firstName: string; purchaseCount: number; totalSpent: string };
    };
  };
}

const cents = (money: string): number => Math.round(Number(money) * 100);

/**
 * Live federated subscriptions end to end: payloads hydrated across the three subgraphs and
 * consistent with their position, resumable with `after`, filtered, and refused cleanly.
 */
export function describeSubscriptionScenario(name: string, target: ScenarioTarget): void {
  describe(`subscriptions end to end on ${name}`, () => {
    const topics = eventTopics(`subs.${randomUUID().slice(0, 8)}.`);
    let log: EventLog;
    let system: RunningSystem;
    let url: string;
    const client = () => wsClient(url);
    const newProduct = async (productName: string, price: string) =>
      (await ok(url, CREATE_PRODUCT, { input: { name: productName, price } })).createProduct.id as string;
    const newCustomer = async (firstName: string) =>
      (await ok(url, CREATE_CUSTOMER, { input: { firstName, lastName: 'Sub' } })).createCustomer.id as string;
    const buy = (productId: string, customerId: string, total?: string) =>
      ok(url, CREATE_PURCHASE, { input: { productId, customerId, ...(total ? { total } : {}) } });

    /**
     * Waits until the gateway holds `count` subscriptions: a live subscription gets only the
     * changes made after it is held, so a test writes only then (never after a guessed delay).
     */
    const held = (count: number) =>
      expect
        .poll(() => system.gateway.subscriptionStats().active, { timeout: 30_000, interval: 20 })
        .toBeGreaterThanOrEqual(count);

    beforeAll(async () => {
      log = target.openLog();
      system = await startTestSystem(log, topics);
      url = system.gateway.url;
    });
    // Each test starts with none held, so `held` counts its own.
    afterEach(async () => {
      await expect.poll(() => system.gateway.subscriptionStats().active, { timeout: 30_000, interval: 20 }).toBe(0);
    });
    afterAll(async () => {
      await system?.close();
      await log?.close();
    });

    it('delivers each purchase once, in order, hydrated from all three subgraphs with aggregates that include it', async () => {
      const product = await newProduct('Milk', '1.10');
      const customer = await newCustomer('Ada');
      const ws = client();
      const sub = collect<PurchasePayload>(ws, PURCHASE_MADE, { customerId: customer });
      await held(1);
      for (let i = 0; i < 5; i++) await buy(product, customer);
      await sub.waitFor(5);
      // A sixth purchase as a sentinel: delivered in log order, so a duplicate of the first five would come before it.
      await buy(product, customer);
      const results = (await sub.waitFor(6)).slice(0, 5);
      sub.dispose();
      await ws.dispose();
      expect(sub.results).toHaveLength(6);
      results.forEach(({ purchaseMade }, i) => {
        expect(purchaseMade.kind).toBe('CREATED');
        expect(purchaseMade.purchase.product.name).toBe('Milk');
        expect(purchaseMade.purchase.customer).toMatchObject({
          firstName: 'Ada',
          purchaseCount: i + 1,
          totalSpent: ((i + 1) * 1.1).toFixed(2),
        });
        expect(purchaseMade.purchase.product.purchaseCount).toBe(i + 1);
      });
    });

    it('gives 200 concurrent purchases to a subscriber in log order, each consistent with its position', async () => {
      const products = [await newProduct('Bread', '2.00'), await newProduct('Jam', '3.50')];
      const customers = [await newCustomer('Bo'), await newCustomer('Cy'), await newCustomer('Di')];
      const ws = client();
      const sub = collect<PurchasePayload>(ws, PURCHASE_MADE);
      await held(1);
      const baseline = new Set<string>();
      const made = await Promise.all(
        Array.from({ length: 200 }, (_, i) => buy(products[i % 2]!, customers[i % 3]!, `${(i % 7) + 1}.0${i % 10}`)),
      );
      made.forEach((m) => baseline.add(m.createPurchase.id));
      const results = await sub.waitFor(200, 60_000);
      sub.dispose();
      await ws.dispose();
      expect(results.map((r) => r.purchaseMade.purchase.id).sort()).toEqual([...baseline].sort());
      // Log order: positions strictly increase.
      const offsets = results.map(
        (r) =>
          Object.values(
            JSON.parse(Buffer.from(r.purchaseMade.position, 'base64url').toString()) as Record<string, Record<string, number>>,
          )[0]!['0']!,
      );
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
      expect(new Set(offsets).size).toBe(200);
      // Each payload's aggregates are exactly those after its own purchase: replay them in order.
      const count = new Map<string, number>();
      const spent = new Map<string, number>();
      for (const { purchaseMade } of results) {
        const { customer, product, total } = purchaseMade.purchase;
        count.set(customer.id, (count.get(customer.id) ?? 0) + 1);
        count.set(product.id, (count.get(product.id) ?? 0) + 1);
        spent.set(customer.id, (spent.get(customer.id) ?? 0) + cents(total));
        spent.set(product.id, (spent.get(product.id) ?? 0) + cents(total));
        expect(customer.purchaseCount).toBe(count.get(customer.id));
        expect(cents(customer.totalSpent)).toBe(spent.get(customer.id));
        expect(product.purchaseCount).toBe(count.get(product.id));
        expect(cents(product.totalSpent)).toBe(spent.get(product.id));
      }
    });

    it('resumes after a disconnect with `after`: exactly the missed purchases, then live ones', async () => {
      const product = await newProduct('Tea', '0.30');
      const customer = await newCustomer('Ed');
      let ws = client();
      let sub = collect<PurchasePayload>(ws, PURCHASE_MADE, { productId: product });
      await held(1);
      await buy(product, customer);
      const [first] = await sub.waitFor(1);
      sub.dispose();
      await ws.dispose();

      const missed = [];
      for (let i = 0; i < 10; i++) missed.push((await buy(product, customer)).createPurchase.id as string);

      ws = client();
      sub = collect<PurchasePayload>(ws, PURCHASE_MADE, { productId: product, after: first!.purchaseMade.position });
      const replayed = await sub.waitFor(10);
      expect(replayed.map((r) => r.purchaseMade.purchase.id)).toEqual(missed);
      expect(replayed.map((r) => r.purchaseMade.purchase.customer.purchaseCount)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      const live = (await buy(product, customer)).createPurchase.id;
      await sub.waitFor(11);
      // A sentinel: anything delivered twice would come before it.
      const sentinel = (await buy(product, customer)).createPurchase.id;
      const all = await sub.waitFor(12);
      expect(all.map((r) => r.purchaseMade.purchase.id)).toEqual([...missed, live, sentinel]);
      sub.dispose();
      await ws.dispose();
    });

    it('filters by entity and reports a deleted product as DELETED', async () => {
      const watched = await newProduct('Watched', '1.00');
      const other = await newProduct('Other', '1.00');
      const ws = client();
      const sub = collect<{
        productChanged: { kind: string; product: { id: string; name: string; version: number; deletedAt: string | null } };
      }>(ws, PRODUCT_CHANGED, { id: watched });
      await held(1);
      await ok(url, UPDATE_PRODUCT, { id: other, input: { name: 'Other 2' } });
      await ok(url, UPDATE_PRODUCT, { id: watched, input: { name: 'Watched 2' } });
      await ok(url, DELETE_PRODUCT, { id: other });
      await ok(url, DELETE_PRODUCT, { id: watched });
      // In log order: a change of the other product, had the filter let it through, would come first.
      const results = await sub.waitFor(2);
      sub.dispose();
      await ws.dispose();
      expect(
        results.map((r) => [r.productChanged.kind, r.productChanged.product.name, r.productChanged.product.version]),
      ).toEqual([
        ['UPDATED', 'Watched 2', 2],
        ['DELETED', 'Watched 2', 3],
      ]);
      expect(results[1]!.productChanged.product.deletedAt).not.toBeNull();
    });

    it('replays a product’s whole history from the start with after on an empty position', async () => {
      const id = await newProduct('History', '5.00');
      await ok(url, UPDATE_PRODUCT, { id, input: { price: '6.00' } });
      const ws = client();
      // Position "e30" is the empty position {}: everything from the beginning.
      const sub = collect<{ productChanged: { kind: string } }>(ws, PRODUCT_CHANGED, {
        id,
        after: Buffer.from('{}').toString('base64url'),
      });
      const results = await sub.waitFor(2);
      sub.dispose();
      await ws.dispose();
      expect(results.map((r) => r.productChanged.kind)).toEqual(['CREATED', 'UPDATED']);
    });

    it('hydrates once for many subscribers with the same selection, and never for filtered-out changes', async () => {
      const product = await newProduct('Shared', '1.00');
      const ignored = await newProduct('Ignored', '1.00');
      const customer = await newCustomer('Fay');
      const ws = client();
      const same = Array.from({ length: 20 }, () => collect<PurchasePayload>(ws, PURCHASE_MADE, { productId: product }));
      await held(20);
      const before = system.gateway.subscriptionStats();
      for (let i = 0; i < 5; i++) await buy(ignored, customer);
      await buy(product, customer);
      // The five ignored purchases come first in the log: when every subscriber has the sixth, they are done with.
      for (const sub of same) await sub.waitFor(1);
      const after = system.gateway.subscriptionStats();
      // 20 subscribers, 6 purchases, 5 of them filtered out: one hydration in all.
      expect(after.hydrations - before.hydrations).toBe(1);
      expect(after.delivered - before.delivered).toBe(20);
      for (const sub of same) sub.dispose();
      await ws.dispose();
    });

    it('refuses an invalid selection or argument with a GraphQL error, not a hang', async () => {
      const ws = client();
      const unknownField = collect(ws, `subscription { purchaseMade { purchase { nope } } }`);
      expect(JSON.stringify(await unknownField.failure())).toMatch(/Cannot query field .{1,3}nope/);
      const twoFields = collect(ws, `subscription { purchaseMade { kind } productChanged { kind } }`);
      expect(JSON.stringify(await twoFields.failure())).toMatch(/must select only one top level field/);
      const badAfter = collect(ws, `subscription { productChanged(after: "???") { kind } }`);
      expect(JSON.stringify(await badAfter.failure())).toMatch(/after/);
      await ws.dispose();
      // The HTTP endpoint still works, and so does a query over the socket.
      expect(
        (
          await graphql(
            url,
            `
              {
                products {
                  totalCount
                }
              }
            `,
          )
        ).errors,
      ).toBeUndefined();
    });

    it('enforces the per-connection subscription limit, also against 101 subscribes sent in one burst', async () => {
      const ws = client();
      // All sent at once, before any is held: the limit must count the ones still being set up.
      const subs = Array.from({ length: 100 }, () => collect(ws, `subscription { productChanged { kind } }`));
      const over = collect(ws, `subscription { productChanged { kind } }`);
      expect(JSON.stringify(await over.failure())).toMatch(/at most 100 subscriptions/);
      await held(100);
      expect(system.gateway.subscriptionStats().active).toBe(100);
      expect(subs.filter((sub) => sub.error !== undefined)).toHaveLength(0);
      for (const sub of subs) sub.dispose();
      await ws.dispose();
    });
  });
}
