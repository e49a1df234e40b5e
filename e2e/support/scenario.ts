import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, type EventLog } from '@shop/event-core';
import { startCustomersSubgraph } from '@shop/customers-subgraph';
import { startGateway, type RunningGateway } from '@shop/gateway';
import { startProductsSubgraph } from '@shop/products-subgraph';
import { startPurchasesSubgraph } from '@shop/purchases-subgraph';
import { eventTopics, type EventTopics } from '@shop/schema';
import { startSystem, type RunningSystem, type SystemOptions } from '@shop/system';
import { errorCode, graphql, ok } from './graphql.ts';
import {
  CREATE_CUSTOMER,
  CREATE_PRODUCT,
  CREATE_PURCHASE,
  DASHBOARD,
  DELETE_CUSTOMER,
  DELETE_PRODUCT,
  PURCHASES_OF_CUSTOMER,
  UPDATE_CUSTOMER,
  UPDATE_PRODUCT,
} from './operations.ts';

export interface ScenarioTarget {
  /** Opens the log the system runs on; called again after a full restart. */
  readonly openLog: () => EventLog;
}

const logger = createLogger({ level: (process.env.TEST_LOG_LEVEL as 'info' | undefined) ?? 'silent' });

/**
 * The one way tests start the system: every service on a free port, on its own topics. `options`
 * overrides the rest (fault tests use the production timeouts and a logger they can read).
 */
export function startTestSystem(
  log: EventLog,
  topics: EventTopics,
  options: Partial<Omit<SystemOptions, 'log' | 'topics' | 'ports'>> = {},
): Promise<RunningSystem> {
  return startSystem({
    log,
    logger,
    topics,
    ports: { gateway: 0, products: 0, customers: 0, purchases: 0 },
    mutationTimeoutMs: 15_000,
    // Some scenarios read a subgraph directly, to compare it with a replica.
    openSubgraphs: true,
    ...options,
  });
}

/** A product and a customer made through the gateway at `url`: what a purchase needs. */
export async function createProductAndCustomer(
  url: string,
  product: { readonly name: string; readonly price: string },
  customer: { readonly firstName: string; readonly lastName: string },
): Promise<{ productId: string; customerId: string }> {
  return {
    productId: (await ok(url, CREATE_PRODUCT, { input: product })).createProduct.id,
    customerId: (await ok(url, CREATE_CUSTOMER, { input: customer })).createCustomer.id,
  };
}

/** A service of {@link startServices}: stopped by the test when it wants, at most once. */
export interface Service {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The system's services started one by one rather than as one system, so that a test can stop
 * one, or give one a log of its own (`logs`: one that holds back what it reads, say). `close`
 * stops whatever the test has not stopped yet.
 */
export async function startServices(
  log: EventLog,
  topics: EventTopics,
  logs: Partial<Record<'products' | 'customers' | 'purchases', EventLog>> = {},
) {
  const [products, customers, purchases] = await Promise.all([
    startProductsSubgraph({ log: logs.products ?? log, logger, topics, port: 0 }),
    startCustomersSubgraph({ log: logs.customers ?? log, logger, topics, port: 0 }),
    startPurchasesSubgraph({ log: logs.purchases ?? log, logger, topics, port: 0 }),
  ]);
  const gateway: RunningGateway = await startGateway({
    logger,
    port: 0,
    log,
    topics,
    subgraphUrls: { products: products.url, customers: customers.url, purchases: purchases.url },
  });
  const closed = new Set<Service>();
  const once = (service: Service): Service => ({
    url: service.url,
    close: async () => {
      if (closed.has(service)) return;
      closed.add(service);
      await service.close();
    },
  });
  const services = { products: once(products), customers: once(customers), purchases: once(purchases) };
  return {
    ...services,
    gateway,
    /** The gateway first, then every subgraph still running. */
    async close(): Promise<void> {
      await once(gateway).close();
      await Promise.all(Object.values(services).map((service) => service.close()));
    },
  };
}

const byName = <T extends { name?: string; firstName?: string }>(nodes: readonly T[]): Record<string, T> =>
  Object.fromEntries(nodes.map((node) => [node.name ?? node.firstName, node]));

/**
 * The end-to-end scenario of the foundation, through the gateway: the original dashboard's joins
 * and aggregates as federated fields, exact money, updates, deletes, conflicts, idempotency,
 * errors, and restarts that rebuild the same state from the log.
 */
export function describeSystemScenario(name: string, target: ScenarioTarget): void {
  describe(`the system end to end on ${name}`, () => {
    const topics = eventTopics(`test.${randomUUID().slice(0, 8)}.`);
    let log: EventLog;
    let system: RunningSystem;
    let url: string;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      log = target.openLog();
      system = await startTestSystem(log, topics);
      url = system.gateway.url;
    });
    afterAll(async () => {
      await system?.close();
      await log?.close();
    });

    it('creates products, customers and purchases through the gateway', async () => {
      const butter = await ok(url, CREATE_PRODUCT, { input: { name: 'Butter', price: 1.5 } });
      expect(butter.createProduct).toMatchObject({ name: 'Butter', price: '1.50', version: 1, deletedAt: null });
      ids.butter = butter.createProduct.id;
      ids.gum = (await ok(url, CREATE_PRODUCT, { input: { name: 'Gum', price: '0.10' } })).createProduct.id;
      ids.danny = (await ok(url, CREATE_CUSTOMER, { input: { firstName: 'Danny', lastName: 'Tester' } })).createCustomer.id;
      ids.ted = (await ok(url, CREATE_CUSTOMER, { input: { firstName: 'Ted', lastName: 'Buyer' } })).createCustomer.id;

      const first = await ok(url, CREATE_PURCHASE, { input: { productId: ids.butter, customerId: ids.danny, total: '0.10' } });
      expect(first.createPurchase).toMatchObject({
        total: '0.10',
        product: { name: 'Butter' },
        customer: { firstName: 'Danny' },
      });
      await ok(url, CREATE_PURCHASE, { input: { productId: ids.butter, customerId: ids.danny, total: 0.2 } });
      const defaulted = await ok(url, CREATE_PURCHASE, { input: { productId: ids.butter, customerId: ids.ted } });
      expect(defaulted.createPurchase.total).toBe('1.50');
      await ok(url, CREATE_PURCHASE, { input: { productId: ids.gum, customerId: ids.danny } });
    });

    it('answers the dashboard in one query with exact aggregates', async () => {
      const data = await ok(url, DASHBOARD);
      const customers = byName(data.customers.nodes);
      const products = byName(data.products.nodes);
      expect(data.customers.totalCount).toBe(2);
      expect(customers.Danny).toMatchObject({ purchaseCount: 3, totalSpent: '0.40' });
      expect(customers.Ted).toMatchObject({ purchaseCount: 1, totalSpent: '1.50' });
      expect(products.Butter).toMatchObject({ price: '1.50', purchaseCount: 3, customerCount: 2, totalSpent: '1.80' });
      expect(products.Gum).toMatchObject({ price: '0.10', purchaseCount: 1, customerCount: 1, totalSpent: '0.10' });
    });

    it('lists a customer’s purchases with product, customer, amount and date', async () => {
      const data = await ok(url, PURCHASES_OF_CUSTOMER, { id: ids.danny });
      const { totalCount, nodes } = data.customer.purchases;
      expect(totalCount).toBe(3);
      expect(nodes.map((n: { total: string; product: { name: string } }) => [n.product.name, n.total])).toEqual([
        ['Butter', '0.10'],
        ['Butter', '0.20'],
        ['Gum', '0.10'],
      ]);
      expect(nodes[0].customer).toEqual({ firstName: 'Danny', lastName: 'Tester' });
      expect(Date.parse(nodes[0].transactionDate)).not.toBeNaN();
    });

    it('pages through a list with cursors', async () => {
      const page1 = await ok(url, `{ purchases(first: 3) { totalCount pageInfo { hasNextPage endCursor } nodes { total } } }`);
      expect(page1.purchases.totalCount).toBe(4);
      expect(page1.purchases.pageInfo.hasNextPage).toBe(true);
      const page2 = await ok(
        url,
        `query ($after: String) { purchases(first: 3, after: $after) { pageInfo { hasNextPage } nodes { total } } }`,
        {
          after: page1.purchases.pageInfo.endCursor,
        },
      );
      expect(page2.purchases.nodes).toHaveLength(1);
      expect(page2.purchases.pageInfo.hasNextPage).toBe(false);
    });

    it('updates with expectedVersion and refuses a stale one with CONFLICT', async () => {
      const updated = await ok(url, UPDATE_PRODUCT, { id: ids.butter, input: { price: '1.99' }, expectedVersion: 1 });
      expect(updated.updateProduct).toMatchObject({ name: 'Butter', price: '1.99', version: 2 });
      const stale = await graphql(url, UPDATE_PRODUCT, { id: ids.butter, input: { name: 'Old' }, expectedVersion: 1 });
      expect(stale.errors?.[0]?.extensions?.code).toBe('CONFLICT');
      expect(stale.errors?.[0]?.message).toMatch(/version 2, not 1/);
      const customer = await ok(url, UPDATE_CUSTOMER, { id: ids.ted, input: { firstName: 'Teddy' } });
      expect(customer.updateCustomer).toMatchObject({ firstName: 'Teddy', lastName: 'Buyer', version: 2 });
      const defaulted = await ok(url, CREATE_PURCHASE, { input: { productId: ids.butter, customerId: ids.ted } });
      expect(defaulted.createPurchase.total).toBe('1.99');
    });

    it('lets exactly one of concurrent updates with the same expectedVersion win', async () => {
      const { createProduct } = await ok(url, CREATE_PRODUCT, { input: { name: 'Contended', price: 1 } });
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          graphql(url, UPDATE_PRODUCT, { id: createProduct.id, input: { name: `Contender ${i}` }, expectedVersion: 1 }),
        ),
      );
      const winners = results.filter((r) => !r.errors);
      expect(winners).toHaveLength(1);
      expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'CONFLICT')).toHaveLength(9);
      // Without expectedVersion a lost race is decided again, so every update lands, one version each.
      const blind = await Promise.all(
        Array.from({ length: 5 }, (_, i) => ok(url, UPDATE_PRODUCT, { id: createProduct.id, input: { price: `2.0${i}` } })),
      );
      expect(blind.map((r) => r.updateProduct.version).sort()).toEqual([3, 4, 5, 6, 7]);
      await ok(url, DELETE_PRODUCT, { id: createProduct.id });
    });

    it('resolves fields of other subgraphs after a mutation at the mutation’s position', async () => {
      const { createProduct } = await ok(
        url,
        `mutation { createProduct(input: { name: "Fresh", price: "0.99" }) { id name purchaseCount customerCount totalSpent } }`,
      );
      expect(createProduct).toMatchObject({ name: 'Fresh', purchaseCount: 0, customerCount: 0, totalSpent: '0.00' });
      await ok(url, DELETE_PRODUCT, { id: createProduct.id });
    });

    it('appends once for a repeated idempotencyKey', async () => {
      const key = randomUUID();
      const first = await ok(url, CREATE_CUSTOMER, { input: { firstName: 'Once', lastName: 'Only' }, key });
      const again = await ok(url, CREATE_CUSTOMER, { input: { firstName: 'Once', lastName: 'Only' }, key });
      expect(again.createCustomer.id).toBe(first.createCustomer.id);
      const purchaseKey = randomUUID();
      const p1 = await ok(url, CREATE_PURCHASE, { input: { productId: ids.gum, customerId: ids.danny }, key: purchaseKey });
      const p2 = await ok(url, CREATE_PURCHASE, { input: { productId: ids.gum, customerId: ids.danny }, key: purchaseKey });
      expect(p2.createPurchase.id).toBe(p1.createPurchase.id);
      const data = await ok(url, DASHBOARD);
      expect(data.customers.nodes.filter((c: { firstName: string }) => c.firstName === 'Once')).toHaveLength(1);
      expect(byName(data.products.nodes).Gum).toMatchObject({ purchaseCount: 2, totalSpent: '0.20' });
      const marks = await log.highWaterMarks(topics.customers);
      expect(Object.values(marks).reduce((a, b) => a + b, 0)).toBe(4); // Danny, Ted, Ted's update, Once
    });

    it('answers NOT_FOUND for unknown ids and BAD_USER_INPUT for bad input', async () => {
      const unknown = 'AAAAAAAAAAAAAAAAAAAAAA';
      expect(await errorCode(url, UPDATE_PRODUCT, { id: unknown, input: { name: 'x' } })).toBe('NOT_FOUND');
      expect(await errorCode(url, DELETE_CUSTOMER, { id: unknown })).toBe('NOT_FOUND');
      expect(await errorCode(url, CREATE_PURCHASE, { input: { productId: unknown, customerId: ids.danny } })).toBe('NOT_FOUND');
      expect(await errorCode(url, CREATE_PURCHASE, { input: { productId: ids.butter, customerId: unknown } })).toBe('NOT_FOUND');
      expect(await errorCode(url, CREATE_PRODUCT, { input: { name: '   ', price: 1 } })).toBe('BAD_USER_INPUT');
      expect(await errorCode(url, CREATE_PRODUCT, { input: { name: 'x'.repeat(201), price: 1 } })).toBe('BAD_USER_INPUT');
      expect(await errorCode(url, CREATE_PRODUCT, { input: { name: 'Bad', price: -1 } })).toBe('BAD_USER_INPUT');
      expect(await errorCode(url, CREATE_PRODUCT, { input: { name: 'Bad', price: '1.234' } })).toBe('BAD_USER_INPUT');
      expect(await errorCode(url, UPDATE_PRODUCT, { id: 'not an id!', input: { name: 'x' } })).toBe('BAD_USER_INPUT');
      expect(await errorCode(url, `{ products(first: 1000) { totalCount } }`)).toBe('BAD_USER_INPUT');
      const bad = await graphql(url, CREATE_PRODUCT, { input: { name: 'Bad', price: '1.234' } });
      expect(bad.errors?.[0]?.message).toMatch(/at most two decimals/);
      const data = await ok(url, DASHBOARD);
      expect(data.products.nodes.map((p: { name: string }) => p.name).sort()).toEqual(['Butter', 'Gum']);
    });

    it('deletes: the entity leaves lists but purchases still resolve it with deletedAt', async () => {
      const deleted = await ok(url, DELETE_CUSTOMER, { id: ids.ted });
      expect(deleted.deleteCustomer.deletedAt).not.toBeNull();
      const data = await ok(
        url,
        `query ($id: ID!) { customer(id: $id) { id } customers { nodes { id } } purchases(customerId: $id) { nodes { customer { firstName deletedAt } } } }`,
        {
          id: ids.ted,
        },
      );
      expect(data.customer).toBeNull();
      expect(data.customers.nodes.map((c: { id: string }) => c.id)).not.toContain(ids.ted);
      expect(data.purchases.nodes[0].customer.firstName).toBe('Teddy');
      expect(data.purchases.nodes[0].customer.deletedAt).not.toBeNull();
      expect(await errorCode(url, CREATE_PURCHASE, { input: { productId: ids.butter, customerId: ids.ted } })).toBe('NOT_FOUND');
      const gum = await ok(url, DELETE_PRODUCT, { id: ids.gum });
      expect(gum.deleteProduct.version).toBe(2);
    });

    it('returns X-Consistency-Token on mutations and honours it on reads', async () => {
      const result = await graphql<{ createProduct: { id: string } }>(url, CREATE_PRODUCT, {
        input: { name: 'Token', price: 3 },
      });
      const token = result.headers.get('x-consistency-token');
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      const read = await graphql<{ product: { name: string; purchaseCount: number } }>(
        url,
        `
          query ($id: ID!) {
            product(id: $id) {
              name
              purchaseCount
            }
          }
        `,
        { id: result.data!.createProduct.id },
        { 'x-consistency-token': token! },
      );
      expect(read.data?.product).toEqual({ name: 'Token', purchaseCount: 0 });
      const garbage = await graphql(
        url,
        `
          {
            products {
              totalCount
            }
          }
        `,
        {},
        { 'x-consistency-token': 'not-a-token' },
      );
      expect(garbage.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });

    it('rebuilds the whole system from the log after a full restart, twice, as it was before', async () => {
      // The state before the shutdown is the reference: a replay that lost the same data every
      // time would still agree with itself.
      const state = async (at: string) => ({
        ...(await ok(
          at,
          `{ products(first: 500) { totalCount nodes { id name price version purchaseCount customerCount totalSpent } } }`,
        )),
        ...(await ok(
          at,
          `{ customers(first: 500) { totalCount nodes { id firstName lastName version purchaseCount totalSpent } } }`,
        )),
        ...(await ok(at, `{ purchases(first: 500) { totalCount nodes { id total product { id } customer { id } } } }`)),
      });

      const before = await state(system.gateway.url);
      expect(before.products.totalCount).toBeGreaterThan(0);
      expect(before.purchases.totalCount).toBeGreaterThan(0);
      for (let restart = 0; restart < 2; restart++) {
        await system.close();
        await log.close();
        log = target.openLog();
        system = await startTestSystem(log, topics);
        url = system.gateway.url;
        expect(await state(url)).toEqual(before);
      }
    });

    it('rebuilds exactly the same state in a restarted subgraph, and a second instance agrees', async () => {
      const query = `{ products(first: 500) { totalCount nodes { id name price version createdAt updatedAt } } }`;
      const before = await ok(system.subgraphs.products.url, query);
      const { port } = system.subgraphs.products;
      await system.subgraphs.products.close();
      // Same port, so the gateway keeps working with the restarted instance.
      const restarted = await startProductsSubgraph({ log, logger, topics, port });
      const twin = await startProductsSubgraph({ log, logger, topics, port: 0 });
      try {
        expect(await ok(restarted.url, query)).toEqual(before);
        expect(await ok(twin.url, query)).toEqual(before);
        const deleted = `query ($id: ID!) { _entities(representations: [{ __typename: "Product", id: $id }]) { ... on Product { name deletedAt } } }`;
        const gum = await ok(twin.url, deleted, { id: ids.gum });
        expect(gum._entities[0]).toMatchObject({ name: 'Gum', deletedAt: expect.any(String) });
        expect(await ok(restarted.url, deleted, { id: ids.gum })).toEqual(gum);
        expect((await ok(url, DASHBOARD)).products.totalCount).toBe(before.products.totalCount);
      } finally {
        await twin.close();
        await restarted.close();
      }
    });
  });
}
