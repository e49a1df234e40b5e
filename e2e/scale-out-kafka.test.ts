import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createKafkaLog,
  createLogger,
  decodePosition,
  encodePosition,
  mergePositions,
  type EventLog,
  type Position,
} from '@shop/event-core';
import { startGateway, type RunningGateway } from '@shop/gateway';
import { startCustomersSubgraph } from '@shop/customers-subgraph';
import { startProductsSubgraph } from '@shop/products-subgraph';
import { startPurchasesSubgraph } from '@shop/purchases-subgraph';
import { eventTopics } from '@shop/schema';
import { graphql, ok } from './support/graphql.ts';
import { CREATE_CUSTOMER, CREATE_PRODUCT, CREATE_PURCHASE, UPDATE_PRODUCT } from './support/operations.ts';

const brokers = inject('kafkaBrokers').split(',');
const logger = createLogger({ level: 'silent' });
const PARTITIONS = 3;

/**
 * Scale-out on real Kafka: two instances of every subgraph, topics with three partitions, the
 * gateway spreading requests over the instances. Every instance rebuilds from the log; with
 * consistency tokens every answer is the same whichever instance serves it.
 */
describe('two instances of each subgraph on three partitions', () => {
  const topics = eventTopics(`scale.${randomUUID().slice(0, 8)}.`);
  const logs: EventLog[] = [];
  const closers: (() => Promise<void>)[] = [];
  let gateway: RunningGateway;
  const instances: Record<'products' | 'customers' | 'purchases', string[]> = { products: [], customers: [], purchases: [] };
  /** The second purchases instance, which the last test stops. */
  let lastPurchases: { close(): Promise<void> } | undefined;

  beforeAll(async () => {
    // Each instance gets its own client, as separate processes would.
    const open = (name: string) => {
      const log = createKafkaLog({ brokers, clientId: `${name}-${randomUUID().slice(0, 6)}` });
      logs.push(log);
      return log;
    };
    const common = { logger, topics, partitions: PARTITIONS, port: 0, mutationTimeoutMs: 20_000 };
    for (let i = 0; i < 2; i++) {
      const running = await Promise.all([
        startProductsSubgraph({ ...common, log: open('products') }),
        startCustomersSubgraph({ ...common, log: open('customers') }),
        startPurchasesSubgraph({ ...common, log: open('purchases') }),
      ]);
      instances.products.push(running[0].url);
      instances.customers.push(running[1].url);
      instances.purchases.push(running[2].url);
      lastPurchases = running[2];
      closers.push(...running.map((r) => () => r.close()));
    }
    gateway = await startGateway({ logger, port: 0, subgraphUrls: instances, log: open('gateway'), topics });
  });
  afterAll(async () => {
    await gateway?.close();
    await Promise.all(closers.map((close) => close()));
    await Promise.all(logs.map((log) => log.close()));
  });

  it('creates the topics with three partitions and keeps each entity in one of them', async () => {
    for (const topic of Object.values(topics)) expect(Object.keys(await logs[0]!.highWaterMarks(topic))).toHaveLength(PARTITIONS);
  });

  it('gives identical, exact answers from every instance under concurrent writes', async () => {
    const url = gateway.url;
    const products = await Promise.all(
      ['A', 'B', 'C'].map(
        async (name, i) => (await ok(url, CREATE_PRODUCT, { input: { name, price: `${i + 1}.10` } })).createProduct.id as string,
      ),
    );
    const customers = await Promise.all(
      ['Kim', 'Lee', 'Max', 'Ned'].map(
        async (firstName) =>
          (await ok(url, CREATE_CUSTOMER, { input: { firstName, lastName: 'Scale' } })).createCustomer.id as string,
      ),
    );

    let token: Position = {};
    const track = (result: Awaited<ReturnType<typeof graphql>>) => {
      const header = result.headers.get('x-consistency-token');
      if (header) token = mergePositions(token, decodePosition(header));
      if (result.errors) throw new Error(JSON.stringify(result.errors));
    };
    const expected = new Map<string, { count: number; cents: number }>();
    const writes = Array.from({ length: 120 }, async (_, i) => {
      const productId = products[i % 3]!;
      const customerId = customers[i % 4]!;
      const total = `${(i % 9) + 1}.${String(i % 100).padStart(2, '0')}`;
      const cents = Number(total.replace('.', ''));
      for (const id of [productId, customerId]) {
        const e = expected.get(id) ?? { count: 0, cents: 0 };
        expected.set(id, { count: e.count + 1, cents: e.cents + cents });
      }
      track(await graphql(url, CREATE_PURCHASE, { input: { productId, customerId, total } }));
    });
    // Price updates race the purchases, across instances, without expectedVersion: all must land.
    const updates = Array.from({ length: 12 }, async (_, i) =>
      track(await graphql(url, UPDATE_PRODUCT, { id: products[i % 3], input: { name: `P${i}` } })),
    );
    await Promise.all([...writes, ...updates]);

    const headers = { 'x-consistency-token': encodePosition(token) };
    const everything = `{
      products(first: 500) { totalCount nodes { id name price version purchaseCount customerCount totalSpent } }
      customers(first: 500) { totalCount nodes { id firstName purchaseCount totalSpent } }
    }`;
    // Ask the gateway several times (round-robin over instances) and each instance directly.
    const answers = await Promise.all(Array.from({ length: 4 }, () => ok(url, everything, {}, headers)));
    // Same entities in the same states and the same order from every instance.
    for (const answer of answers) expect(answer).toEqual(answers[0]!);
    const cents = (money: string) => Number(money.replace('.', ''));
    // Every entity is there, so the loops below check each one (an empty list would pass them).
    expect(answers[0]!.products.nodes.map((n: { id: string }) => n.id).sort()).toEqual([...products].sort());
    expect(answers[0]!.customers.nodes.map((n: { id: string }) => n.id).sort()).toEqual([...customers].sort());
    for (const node of [...answers[0]!.products.nodes, ...answers[0]!.customers.nodes]) {
      expect({ id: node.id, count: node.purchaseCount, cents: cents(node.totalSpent) }).toEqual({
        id: node.id,
        ...expected.get(node.id),
      });
    }
    for (const node of answers[0]!.products.nodes) expect(node.version).toBe(5); // created + 4 renames each
    const direct = `{ products(first: 500) { nodes { id name price version } } }`;
    const [first, second] = await Promise.all(instances.products.map((u) => ok(u, direct, {}, headers)));
    expect(first!.products.nodes).toHaveLength(3);
    expect(second!.products.nodes).toEqual(first!.products.nodes);
  });

  it('lists in the same order, with the same cursors, on every instance, one that has just replayed too', async () => {
    const url = gateway.url;
    // Customers created at once land on all three partitions, and the instances read them interleaved.
    const created = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        graphql(url, CREATE_CUSTOMER, { input: { firstName: `Order${i}`, lastName: 'Same' } }).then((result) => {
          expect(result.errors).toBeUndefined();
          return decodePosition(result.headers.get('x-consistency-token')!);
        }),
      ),
    );
    const headers = { 'x-consistency-token': encodePosition(created.reduce((a, b) => mergePositions(a, b))) };
    // A third instance replays the topic, which it reads one partition after another.
    const log = createKafkaLog({ brokers, clientId: `customers-late-${randomUUID().slice(0, 6)}` });
    logs.push(log);
    const late = await startCustomersSubgraph({ logger, topics, partitions: PARTITIONS, port: 0, log });
    closers.push(() => late.close());

    const LIST = `query ($after: String) { customers(first: 7, after: $after) { edges { cursor node { id createdAt } } pageInfo { hasNextPage endCursor } } }`;
    type Edge = { cursor: string; node: { id: string; createdAt: string } };
    const everyPage = async (at: string): Promise<Edge[]> => {
      const edges: Edge[] = [];
      let after: string | null = null;
      for (;;) {
        const { customers }: { customers: { edges: Edge[]; pageInfo: { hasNextPage: boolean; endCursor: string } } } = await ok(
          at,
          LIST,
          { after },
          headers,
        );
        edges.push(...customers.edges);
        if (!customers.pageInfo.hasNextPage) return edges;
        after = customers.pageInfo.endCursor;
      }
    };
    const [one, two, three] = await Promise.all([...instances.customers, late.url].map(everyPage));
    expect(two).toEqual(one);
    expect(three).toEqual(one);
    // Oldest first, by creation time and then id: an order every instance computes the same.
    const keys = one!.map((edge) => `${edge.node.createdAt} ${edge.node.id}`);
    expect(keys).toEqual([...keys].sort());
    // A cursor from one instance continues the list on another.
    const cursor = one![9]!.cursor;
    const next = await ok(late.url, LIST, { after: cursor }, headers);
    expect(next.customers.edges.map((edge: Edge) => edge.node.id)).toEqual(one!.slice(10, 17).map((edge) => edge.node.id));
  });

  it('sorts, searches and ranks by sales the same way, with the same cursors and counts, on every instance', async () => {
    const url = gateway.url;
    // Purchases made at once land on all three partitions; the instances read them interleaved.
    const customer = (await ok(url, `{ customers(first: 1, search: "kim scale") { nodes { id } } }`)).customers.nodes[0].id;
    const products = (await ok(url, `{ products(first: 3) { nodes { id } } }`)).products.nodes.map((p: { id: string }) => p.id);
    const made = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        graphql(url, CREATE_PURCHASE, { input: { productId: products[i % 3], customerId: customer, total: `${i % 4}.50` } }).then(
          (result) => {
            expect(result.errors).toBeUndefined();
            return decodePosition(result.headers.get('x-consistency-token')!);
          },
        ),
      ),
    );
    const headers = { 'x-consistency-token': encodePosition(made.reduce((a, b) => mergePositions(a, b))) };
    // A third purchases instance replays all three topics, one partition after another.
    const log = createKafkaLog({ brokers, clientId: `purchases-late-${randomUUID().slice(0, 6)}` });
    logs.push(log);
    const late = await startPurchasesSubgraph({ logger, topics, partitions: PARTITIONS, port: 0, log });
    closers.push(() => late.close());

    type Page = {
      edges: { cursor: string; node: Record<string, unknown> }[];
      pageInfo: { hasNextPage: boolean; endCursor: string };
      totalCount: number;
    };
    /** Every page of `field`, by following endCursor, from the subgraph at `at`. */
    const everyPage = async (at: string, field: string, args: string, selection: string) => {
      const query = `query ($after: String) { ${field}(${args}, first: 4, after: $after) { totalCount edges { cursor node { ${selection} } } pageInfo { hasNextPage endCursor } } }`;
      const pages: Page[] = [];
      let after: string | null = null;
      for (let n = 0; n < 100; n++) {
        const page: Page = (await ok(at, query, { after }, headers))[field];
        pages.push(page);
        if (!page.pageInfo.hasNextPage) return pages;
        after = page.pageInfo.endCursor;
      }
      throw new Error(`${field} never ended`);
    };
    const lists = [
      ['purchases', 'orderBy: { field: TOTAL, direction: DESC }', 'id total transactionDate'],
      ['purchases', `customerId: "${customer}", orderBy: { field: TRANSACTION_DATE }`, 'id total transactionDate'],
      ['productsBySales', 'orderBy: { field: PURCHASE_COUNT }', 'id purchaseCount totalSpent'],
      ['customersBySales', 'orderBy: { field: TOTAL_SPENT, direction: ASC }, search: "scale"', 'id totalSpent'],
    ] as const;
    for (const [field, args, selection] of lists) {
      const [one, two, three] = await Promise.all(
        [...instances.purchases, late.url].map((at) => everyPage(at, field, args, selection)),
      );
      expect(two, `${field}(${args}) on the second instance`).toEqual(one);
      expect(three, `${field}(${args}) on the instance that has just replayed`).toEqual(one);
      expect(one!.flatMap((page) => page.edges).length).toBe(one![0]!.totalCount);
    }
    // In order, by total then id, highest first.
    const byTotal = (await everyPage(late.url, 'purchases', lists[0][1], 'id total')).flatMap((page) =>
      page.edges.map((e) => e.node),
    );
    const keys = byTotal.map((p) => [Number(String(p.total).replace('.', '')), String(p.id)] as const);
    expect(keys).toEqual([...keys].sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? 1 : -1)));
    // Products and customers: the same sorted, searched page with an offset from every instance.
    const names = `{ customers(orderBy: { field: NAME, direction: DESC }, search: "order", first: 5, offset: 3) { totalCount edges { cursor node { id firstName } } } }`;
    const [a, b] = await Promise.all(instances.customers.map((at) => ok(at, names, {}, headers)));
    expect(b).toEqual(a);
    expect(a!.customers.totalCount).toBe(30);
    expect(a!.customers.edges.map((e: { node: { firstName: string } }) => e.node.firstName)).toEqual(
      Array.from({ length: 30 }, (_, i) => `Order${i}`)
        .sort()
        .reverse()
        .slice(3, 8),
    );
  });

  it('shows lag going to zero and the replay on /metrics', async () => {
    const base = gateway.url.replace(/\/graphql$/, '');
    const deadline = Date.now() + 20_000;
    let text = '';
    let lags: number[] = [];
    do {
      text = await (await fetch(`${base}/metrics`)).text();
      lags = [...text.matchAll(/^shop_projection_lag\{[^}]*\} (\d+)/gm)].map((m) => Number(m[1]));
    } while (
      (lags.length === 0 || lags.some((lag) => lag > 0)) &&
      Date.now() < deadline &&
      (await new Promise((r) => setTimeout(r, 200)), true)
    );
    expect(lags.length).toBeGreaterThan(0);
    expect(lags.every((lag) => lag === 0)).toBe(true);
    expect(text).toMatch(/^shop_events_applied_total\{service="purchases",topic="[^"]*eventbus\.purchases"\} \d+/m);
    expect(text).toMatch(/^shop_replay_seconds\{service="products"\} [\d.e-]+/m);
    expect(text).toMatch(/^shop_mutation_seconds_count\{service="purchases",operation="createPurchase",outcome="ok"\} \d+/m);
    expect(text).toMatch(/^shop_subscriptions_active\{service="gateway"\} 0/m);
  });

  it('goes around an instance that is down: every read and write still succeeds, none is sent twice', async () => {
    const url = gateway.url;
    // Stopped for good (the closers stop it again at the end, which does nothing).
    await lastPurchases!.close();
    const product = (await ok(url, `{ products(first: 1) { nodes { id } } }`)).products.nodes[0].id;
    const customer = (await ok(url, `{ customers(first: 1) { nodes { id } } }`)).customers.nodes[0].id;
    const before = Object.values(await logs[0]!.highWaterMarks(topics.purchases)).reduce((a, b) => a + b, 0);
    for (let i = 0; i < 6; i++) {
      const bought = await graphql(url, CREATE_PURCHASE, { input: { productId: product, customerId: customer, total: '1.00' } });
      expect(bought.errors).toBeUndefined();
      const read = await graphql(
        url,
        `
          {
            sales {
              purchaseCount
            }
            purchases(first: 1) {
              totalCount
            }
          }
        `,
      );
      expect(read.errors).toBeUndefined();
    }
    const after = Object.values(await logs[0]!.highWaterMarks(topics.purchases)).reduce((a, b) => a + b, 0);
    expect(after - before).toBe(6);
  });
});
