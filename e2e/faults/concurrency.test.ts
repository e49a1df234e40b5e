import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKafkaLog, formatMoney, type EventLog } from '@shop/event-core';
import { eventTopics } from '@shop/schema';
import type { RunningSystem } from '@shop/system';
import { recordCount } from '../support/faults.ts';
import { graphql, ok } from '../support/graphql.ts';
import { CREATE_CUSTOMER, CREATE_PRODUCT, DASHBOARD, UPDATE_PRODUCT } from '../support/operations.ts';
import { startTestSystem } from '../support/scenario.ts';

// Many clients at once, on Kafka, through the gateway.

const brokers = inject('kafkaBrokers').split(',');

const CREATE_PURCHASE = /* GraphQL */ `
  mutation ($input: CreatePurchaseInput!, $key: String) {
    createPurchase(input: $input, idempotencyKey: $key) {
      id
      total
    }
  }
`;

const CLIENTS = 50;
const PURCHASES_PER_CLIENT = 20;
const PRICES_CENTS = [150, 99, 1_999, 5, 12_345];
const CUSTOMERS = 10;

describe('concurrent clients on Kafka', () => {
  const topics = eventTopics(`faults.concurrency.${randomUUID().slice(0, 8)}.`);
  let log: EventLog;
  let system: RunningSystem;
  let url: string;

  beforeAll(async () => {
    log = createKafkaLog({ brokers, clientId: `faults-concurrency-${randomUUID().slice(0, 8)}` });
    system = await startTestSystem(log, topics);
    url = system.gateway.url;
  });

  afterAll(async () => {
    await system?.close();
    await log?.close();
  });

  it(`records ${CLIENTS * PURCHASES_PER_CLIENT} purchases from ${CLIENTS} concurrent clients with exact counts and totals`, async () => {
    const products: string[] = [];
    for (const [i, cents] of PRICES_CENTS.entries())
      products.push((await ok(url, CREATE_PRODUCT, { input: { name: `P${i}`, price: formatMoney(cents) } })).createProduct.id);
    const customers: string[] = [];
    for (let i = 0; i < CUSTOMERS; i++)
      customers.push((await ok(url, CREATE_CUSTOMER, { input: { firstName: `C${i}`, lastName: 'Load' } })).createCustomer.id);

    // Each purchase is decided up front, so the expected aggregates are known exactly.
    const plan = Array.from({ length: CLIENTS }, (_, client) =>
      Array.from({ length: PURCHASES_PER_CLIENT }, (_, n) => {
        const product = (client + n) % PRICES_CENTS.length;
        const customer = (client * 7 + n) % CUSTOMERS;
        // Every third purchase leaves the total to default to the product's price.
        const cents = n % 3 === 0 ? PRICES_CENTS[product]! : ((client * 37 + n * 11) % 1_000) + 1;
        return { product, customer, cents, explicit: n % 3 !== 0 };
      }),
    );
    const startedAt = Date.now();
    const results = await Promise.all(
      plan.map(async (purchases) => {
        const ids: string[] = [];
        for (const { product, customer, cents, explicit } of purchases) {
          const input = {
            productId: products[product],
            customerId: customers[customer],
            ...(explicit ? { total: formatMoney(cents) } : {}),
          };
          const { createPurchase } = await ok(url, CREATE_PURCHASE, { input });
          expect(createPurchase.total).toBe(formatMoney(cents));
          ids.push(createPurchase.id);
        }
        return ids;
      }),
    );
    const seconds = (Date.now() - startedAt) / 1000;
    console.info(
      `${CLIENTS * PURCHASES_PER_CLIENT} purchases from ${CLIENTS} clients in ${seconds.toFixed(1)} s (${Math.round((CLIENTS * PURCHASES_PER_CLIENT) / seconds)}/s)`,
    );

    expect(new Set(results.flat()).size).toBe(CLIENTS * PURCHASES_PER_CLIENT);
    expect(await recordCount(log, topics.purchases)).toBe(CLIENTS * PURCHASES_PER_CLIENT);
    const all = plan.flat();
    const dashboard = await ok(url, DASHBOARD);
    for (const [i, id] of customers.entries()) {
      const mine = all.filter((p) => p.customer === i);
      expect(dashboard.customers.nodes.find((c: { id: string }) => c.id === id)).toMatchObject({
        purchaseCount: mine.length,
        totalSpent: formatMoney(mine.reduce((sum, p) => sum + p.cents, 0)),
      });
    }
    for (const [i, id] of products.entries()) {
      const bought = all.filter((p) => p.product === i);
      expect(dashboard.products.nodes.find((p: { id: string }) => p.id === id)).toMatchObject({
        purchaseCount: bought.length,
        customerCount: new Set(bought.map((p) => p.customer)).size,
        totalSpent: formatMoney(bought.reduce((sum, p) => sum + p.cents, 0)),
      });
    }
    const { purchases } = await ok(url, `{ purchases(first: 1) { totalCount } }`);
    expect(purchases.totalCount).toBe(CLIENTS * PURCHASES_PER_CLIENT);
  }, 300_000);

  it('lets exactly one of 20 concurrent updates with the same expectedVersion win; the rest get CONFLICT', async () => {
    const { createProduct } = await ok(url, CREATE_PRODUCT, { input: { name: 'Contended', price: '1.00' } });
    const before = await recordCount(log, topics.products);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        graphql(url, UPDATE_PRODUCT, { id: createProduct.id, input: { name: `Contender ${i}` }, expectedVersion: 1 }),
      ),
    );
    const winners = results.filter((r) => !r.errors);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'CONFLICT')).toHaveLength(19);
    const winner = (winners[0]!.data as { updateProduct: { name: string } }).updateProduct.name;
    const { product } = await ok(url, `query ($id: ID!) { product(id: $id) { name version } }`, { id: createProduct.id });
    expect(product).toEqual({ name: winner, version: 2 });
    // Losers decided before the winner was applied appended an event that every reader rejects;
    // later ones were refused before appending. Either way, at most one event each.
    const appended = (await recordCount(log, topics.products)) - before;
    expect(appended).toBeGreaterThanOrEqual(1);
    expect(appended).toBeLessThanOrEqual(20);
    console.info(`20 racing updates appended ${appended} events; 1 won`);
  });

  it('appends once for retries of one idempotencyKey, concurrent or repeated, also across a restart', async () => {
    const key = `retry-${randomUUID()}`;
    const products = await recordCount(log, topics.products);
    const concurrent = await Promise.all(
      Array.from({ length: 20 }, () => ok(url, CREATE_PRODUCT, { input: { name: 'Once', price: '3.00' }, key })),
    );
    const id = concurrent[0]!.createProduct.id;
    expect(new Set(concurrent.map((r) => r.createProduct.id))).toEqual(new Set([id]));
    for (let i = 0; i < 5; i++)
      expect((await ok(url, CREATE_PRODUCT, { input: { name: 'Once', price: '3.00' }, key })).createProduct.id).toBe(id);
    expect(await recordCount(log, topics.products)).toBe(products + 1);

    const [customerId, productId] = [
      (await ok(url, CREATE_CUSTOMER, { input: { firstName: 'Retry', lastName: 'Buyer' } })).createCustomer.id,
      id,
    ];
    const purchaseKey = `retry-${randomUUID()}`;
    const purchases = await recordCount(log, topics.purchases);
    const bought = await Promise.all(
      Array.from({ length: 20 }, () => ok(url, CREATE_PURCHASE, { input: { productId, customerId }, key: purchaseKey })),
    );
    const purchaseId = bought[0]!.createPurchase.id;
    expect(new Set(bought.map((r) => r.createPurchase.id))).toEqual(new Set([purchaseId]));
    expect(await recordCount(log, topics.purchases)).toBe(purchases + 1);

    // A restart rebuilds the keys from the log: a retry after it still appends nothing.
    await system.close();
    system = await startTestSystem(log, topics);
    url = system.gateway.url;
    expect((await ok(url, CREATE_PRODUCT, { input: { name: 'Once', price: '3.00' }, key })).createProduct.id).toBe(id);
    expect((await ok(url, CREATE_PURCHASE, { input: { productId, customerId }, key: purchaseKey })).createPurchase.id).toBe(
      purchaseId,
    );
    expect(await recordCount(log, topics.products)).toBe(products + 1);
    expect(await recordCount(log, topics.purchases)).toBe(purchases + 1);
    const dashboard = await ok(url, DASHBOARD);
    expect(dashboard.products.nodes.filter((p: { name: string }) => p.name === 'Once')).toHaveLength(1);
    expect(dashboard.customers.nodes.find((c: { id: string }) => c.id === customerId).purchaseCount).toBe(1);
  });
});
