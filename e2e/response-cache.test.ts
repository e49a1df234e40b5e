import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONSISTENCY_HEADER,
  createEmbeddedLog,
  createLogger,
  encodePosition,
  newEntityId,
  PREFER_POSITION_HEADER,
  PREFERENCE_MISSED_HEADER,
  type EventLog,
  type Position,
} from '@shop/event-core';
import { startGateway } from '@shop/gateway';
import { eventTopics } from '@shop/schema';
import { startSystem, type RunningSystem } from '@shop/system';
import { waitUntil } from './support/faults.ts';
import { graphql, ok } from './support/graphql.ts';
import { startServices } from './support/scenario.ts';

const VIEWER = 'viewer-token-0123456789';
const EDITOR = 'editor-token-0123456789';
const PRODUCTS = '{ products(first: 100) { totalCount nodes { id name } } }';
const CREATE = 'mutation ($name: String!) { createProduct(input: { name: $name, price: 1 }) { id name } }';

type Products = { products: { totalCount: number; nodes: { id: string; name: string }[] } };

/** The gateway's response cache (docs/decisions/0011-response-cache.md), through HTTP. */
describe('the response cache of the gateway', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shop-cache-'));
  let log: EventLog;
  let system: RunningSystem;
  let url: string;
  const viewer = { authorization: `Bearer ${VIEWER}` };
  const editor = { authorization: `Bearer ${EDITOR}` };
  const stats = () => system.gateway.responseCacheStats()!;

  beforeAll(async () => {
    log = createEmbeddedLog({ file: join(dir, 'events.sqlite') });
    system = await startSystem({
      log,
      logger: createLogger({ level: 'silent' }),
      topics: eventTopics(`cache.${randomUUID().slice(0, 8)}.`),
      ports: { gateway: 0, products: 0, customers: 0, purchases: 0 },
      // Products are created behind the gateway's back, at the subgraph itself.
      openSubgraphs: true,
      security: {
        tokens: new Map([
          [VIEWER, 'viewer'],
          [EDITOR, 'editor'],
        ]),
      },
    });
    url = system.gateway.url;
  });
  afterAll(async () => {
    await system?.close();
    await log?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Creates a product at the products subgraph itself, past the gateway: only the log tells it. */
  async function createBehindTheGateway(name: string): Promise<string> {
    const result = await graphql<{ createProduct: { id: string } }>(system.subgraphs.products.url, CREATE, { name });
    expect(result.errors).toBeUndefined();
    return result.headers.get(CONSISTENCY_HEADER)!;
  }

  it('answers a repeated query from the cache while the log stands still', async () => {
    // The first request of a document says it is a query; the second fills the cache.
    await graphql<Products>(url, PRODUCTS, {}, viewer);
    const first = await graphql<Products>(url, PRODUCTS, {}, viewer);
    const before = stats();
    const second = await graphql<Products>(url, PRODUCTS, {}, viewer);
    expect(second.data).toEqual(first.data);
    expect(second.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(stats().hits).toBe(before.hits + 1);
  });

  it('shows a write made through the gateway to the next read, without a token', async () => {
    await graphql<Products>(url, PRODUCTS, {}, viewer);
    const created = await graphql<{ createProduct: { id: string } }>(url, CREATE, { name: 'Through' }, editor);
    const read = await graphql<Products>(url, PRODUCTS, {}, viewer);
    expect(read.data!.products.nodes.map((p) => p.id)).toContain(created.data!.createProduct.id);
  });

  it('honours a consistency token the feed has not reached yet, and one it has', async () => {
    await graphql<Products>(url, PRODUCTS, {}, viewer);
    const token = await createBehindTheGateway('Tokened');
    const read = await graphql<Products>(url, PRODUCTS, {}, { ...viewer, [CONSISTENCY_HEADER]: token });
    expect(read.data!.products.nodes.map((p) => p.name)).toContain('Tokened');
    const again = await graphql<Products>(url, PRODUCTS, {}, { ...viewer, [CONSISTENCY_HEADER]: token });
    expect(again.data!.products.nodes.map((p) => p.name)).toContain('Tokened');
  });

  it('forgets an answer once an event it read reaches the feed, wherever it was written', async () => {
    await graphql<Products>(url, PRODUCTS, {}, viewer);
    await graphql<Products>(url, PRODUCTS, {}, viewer);
    const changes = stats().changes;
    await createBehindTheGateway('Behind');
    // Without a token the new product shows once the feed has read it; never an answer from before.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const read = await graphql<Products>(url, PRODUCTS, {}, viewer);
      if (stats().changes > changes) {
        // The feed has moved: this or the next answer is made anew, at least at its position.
        const fresh = await graphql<Products>(url, PRODUCTS, {}, viewer);
        expect(fresh.data!.products.nodes.map((p) => p.name)).toContain('Behind');
        break;
      }
      expect(read.errors).toBeUndefined();
      if (Date.now() > deadline) throw new Error('the change feed did not read the new event within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });

  it('never caches a mutation', async () => {
    const first = await graphql<{ createProduct: { id: string } }>(url, CREATE, { name: 'Twice' }, editor);
    const second = await graphql<{ createProduct: { id: string } }>(url, CREATE, { name: 'Twice' }, editor);
    expect(second.data!.createProduct.id).not.toBe(first.data!.createProduct.id);
  });

  it('never caches an error, and never answers a refused caller from the cache', async () => {
    const bad = '{ products(first: 1000) { totalCount } }';
    const before = stats();
    for (let i = 0; i < 2; i++) {
      const result = await graphql(url, bad, {}, viewer);
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    expect(stats().hits).toBe(before.hits);
    await graphql<Products>(url, PRODUCTS, {}, viewer);
    const anonymous = await graphql(url, PRODUCTS);
    expect(anonymous.status).toBe(401);
    const wrong = await graphql(url, PRODUCTS, {}, { authorization: 'Bearer not-a-token-at-all' });
    expect(wrong.status).toBe(401);
  });

  it('keeps the answers of different roles, variables and operations apart', async () => {
    const byId = 'query ($id: ID!) { product(id: $id) { id name } }';
    const a = await graphql<{ createProduct: { id: string } }>(url, CREATE, { name: 'A' }, editor);
    const b = await graphql<{ createProduct: { id: string } }>(url, CREATE, { name: 'B' }, editor);
    for (let i = 0; i < 2; i++) {
      expect((await graphql(url, byId, { id: a.data!.createProduct.id }, viewer)).data).toEqual({
        product: { id: a.data!.createProduct.id, name: 'A' },
      });
      expect((await graphql(url, byId, { id: b.data!.createProduct.id }, viewer)).data).toEqual({
        product: { id: b.data!.createProduct.id, name: 'B' },
      });
      expect((await graphql(url, byId, { id: b.data!.createProduct.id }, editor)).data).toEqual({
        product: { id: b.data!.createProduct.id, name: 'B' },
      });
    }
  });

  it('answers a document longer than it remembers, without keeping it', async () => {
    const long = `${PRODUCTS}${' '.repeat(9_000)}`;
    const before = stats();
    for (let i = 0; i < 3; i++) expect((await graphql<Products>(url, long, {}, viewer)).errors).toBeUndefined();
    expect(stats()).toMatchObject({ hits: before.hits, misses: before.misses });
  });

  it('answers a request with Cache-Control: no-cache from the subgraphs', async () => {
    await graphql<Products>(url, PRODUCTS, {}, viewer);
    await graphql<Products>(url, PRODUCTS, {}, viewer);
    const before = stats();
    await graphql<Products>(url, PRODUCTS, {}, { ...viewer, 'cache-control': 'no-cache' });
    expect(stats()).toMatchObject({ hits: before.hits, misses: before.misses });
  });
});

const CUSTOMERS_PAGE = '{ customers(first: 50) { totalCount nodes { id firstName purchaseCount totalSpent } } }';
const PRODUCTS_PAGE = '{ products(first: 50) { totalCount nodes { id name purchaseCount customerCount totalSpent } } }';
const PURCHASES_PAGE = '{ purchases(first: 50) { totalCount nodes { id customer { id firstName } product { id name } } } }';
const ONE_CUSTOMER = 'query ($id: ID!) { customer(id: $id) { id firstName purchaseCount totalSpent } }';
const BUY = 'mutation ($input: CreatePurchaseInput!) { createPurchase(input: $input) { id } }';
const RENAME = 'mutation ($id: ID!, $name: String!) { updateCustomer(id: $id, input: { firstName: $name }) { id } }';

type Row = { id: string; firstName?: string; name?: string; purchaseCount: number; customerCount?: number; totalSpent: string };

/**
 * An answer is kept while nothing it read has changed (docs/decisions/0020-response-cache-by-what-it-read.md):
 * every write here goes to a subgraph itself, past the gateway, so only the change feed can tell
 * the cache; once the feed has applied it, no answer from before may be served.
 */
describe('the response cache while writes flow', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shop-cache-writes-'));
  const topics = eventTopics(`cache-writes.${randomUUID().slice(0, 8)}.`);
  let log: EventLog;
  let system: RunningSystem;
  let url: string;
  const customers: string[] = [];
  const products: string[] = [];
  let setup: string;
  const stats = () => system.gateway.responseCacheStats()!;

  beforeAll(async () => {
    log = createEmbeddedLog({ file: join(dir, 'events.sqlite'), pollIntervalMs: 20 });
    system = await startSystem({
      log,
      logger: createLogger({ level: 'silent' }),
      topics,
      ports: { gateway: 0, products: 0, customers: 0, purchases: 0 },
      openSubgraphs: true,
    });
    url = system.gateway.url;
    for (let i = 0; i < 3; i++) {
      const customer = await ok<{ createCustomer: { id: string } }>(
        url,
        'mutation ($n: String!) { createCustomer(input: { firstName: $n, lastName: "L" }) { id } }',
        { n: `C${i}` },
      );
      customers.push(customer.createCustomer.id);
      const product = await ok<{ createProduct: { id: string } }>(url, CREATE, { name: `P${i}` });
      products.push(product.createProduct.id);
    }
    // The position of the set-up, for writes at the subgraphs that must see it.
    const read = await graphql(url, CUSTOMERS_PAGE);
    setup = encodePosition(await allPositions());
    expect(read.errors).toBeUndefined();
  });
  afterAll(async () => {
    await system?.close();
    await log?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function allPositions(): Promise<Position> {
    const marks = await Promise.all(
      Object.values(topics).map(async (topic) => [topic, await log.highWaterMarks(topic)] as const),
    );
    return Object.fromEntries(marks);
  }

  /** A purchase written at the purchases subgraph, past the gateway. */
  async function buyBehindTheGateway(customerId: string, productId: string): Promise<void> {
    const result = await graphql(
      system.subgraphs.purchases.url,
      BUY,
      { input: { customerId, productId, total: '2.50' } },
      { [CONSISTENCY_HEADER]: setup },
    );
    expect(result.errors).toBeUndefined();
  }

  /** Reads `query` until it is answered from the cache (taught, stored, served). */
  async function cached(query: string, variables: Record<string, unknown> = {}): Promise<unknown> {
    let data: unknown;
    await waitUntil(async () => {
      const { hits } = stats();
      data = (await graphql(url, query, variables)).data;
      return stats().hits > hits;
    }, 'an answer from the cache');
    return data;
  }

  /** Writes with `write`, waits until the change feed has applied it, and returns the next answer to `query`. */
  async function afterTheFeedApplied(write: () => Promise<void>, query: string, variables: Record<string, unknown> = {}) {
    const { changes } = stats();
    await write();
    await waitUntil(async () => stats().changes > changes, 'the change feed applied the write');
    return (await graphql(url, query, variables)).data;
  }

  const rowOf = (data: unknown, field: 'customers' | 'products', id: string): Row =>
    (data as Record<string, { nodes: Row[] }>)[field]!.nodes.find((row) => row.id === id)!;

  it('shows a purchase on the customers page once the feed has applied it (a purchases-subgraph field of a customers-subgraph list)', async () => {
    const before = rowOf(await cached(CUSTOMERS_PAGE), 'customers', customers[0]!);
    const after = rowOf(
      await afterTheFeedApplied(() => buyBehindTheGateway(customers[0]!, products[0]!), CUSTOMERS_PAGE),
      'customers',
      customers[0]!,
    );
    expect(after.purchaseCount).toBe(before.purchaseCount + 1);
  });

  it('shows a purchase on the products page once the feed has applied it', async () => {
    const before = rowOf(await cached(PRODUCTS_PAGE), 'products', products[1]!);
    const after = rowOf(
      await afterTheFeedApplied(() => buyBehindTheGateway(customers[1]!, products[1]!), PRODUCTS_PAGE),
      'products',
      products[1]!,
    );
    expect(after.purchaseCount).toBe(before.purchaseCount + 1);
    expect(after.customerCount).toBeGreaterThanOrEqual(1);
  });

  it('shows a renamed customer in a purchases-subgraph list that names it (a name of another topic)', async () => {
    await buyBehindTheGateway(customers[2]!, products[2]!);
    await waitUntil(
      async () => JSON.stringify((await graphql(url, PURCHASES_PAGE)).data).includes(customers[2]!),
      'the purchase is listed',
    );
    await cached(PURCHASES_PAGE);
    const renamed = await afterTheFeedApplied(async () => {
      const result = await graphql(system.subgraphs.customers.url, RENAME, { id: customers[2]!, name: 'Renamed' });
      expect(result.errors).toBeUndefined();
    }, PURCHASES_PAGE);
    const nodes = (renamed as { purchases: { nodes: { customer: { id: string; firstName: string } }[] } }).purchases.nodes;
    const names = nodes.filter((n) => n.customer.id === customers[2]).map((n) => n.customer.firstName);
    expect(names.length).toBeGreaterThan(0);
    expect(new Set(names)).toEqual(new Set(['Renamed']));
  });

  it('shows a new customer on the customers page once the feed has applied it (a list of its own topic)', async () => {
    await cached(CUSTOMERS_PAGE);
    const page = await afterTheFeedApplied(async () => {
      const result = await graphql(
        system.subgraphs.customers.url,
        'mutation { createCustomer(input: { firstName: "New", lastName: "L" }) { id } }',
      );
      expect(result.errors).toBeUndefined();
    }, CUSTOMERS_PAGE);
    expect((page as { customers: { nodes: Row[] } }).customers.nodes.map((row) => row.firstName)).toContain('New');
  });

  it("keeps a customer's answer while others buy, and forgets it when the customer does", async () => {
    const variables = { id: customers[0]! };
    const before = (await cached(ONE_CUSTOMER, variables)) as { customer: Row };
    const { hits } = stats();
    const kept = await afterTheFeedApplied(() => buyBehindTheGateway(customers[1]!, products[0]!), ONE_CUSTOMER, variables);
    expect(kept).toEqual(before);
    expect(stats().hits).toBe(hits + 1);
    const fresh = (await afterTheFeedApplied(
      () => buyBehindTheGateway(customers[0]!, products[2]!),
      ONE_CUSTOMER,
      variables,
    )) as {
      customer: Row;
    };
    expect(fresh.customer.purchaseCount).toBe(before.customer.purchaseCount + 1);
  });

  it('does not keep an answer a subgraph gave before a change the feed applied while the answer was being made', async () => {
    // A second gateway whose purchases fetches pass through a proxy that can hold an answer back.
    let holdNext: ((release: () => void) => void) | undefined;
    const proxy: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        void (async () => {
          const headers = Object.fromEntries(
            Object.entries(req.headers).filter(([name]) => !['host', 'content-length', 'connection'].includes(name)),
          ) as Record<string, string>;
          const answer = await fetch(system.subgraphs.purchases.url, { method: 'POST', headers, body: Buffer.concat(chunks) });
          const body = await answer.text();
          const hold = holdNext;
          holdNext = undefined;
          if (hold) await new Promise<void>((release) => hold(release));
          res.writeHead(answer.status, Object.fromEntries(answer.headers));
          res.end(body);
        })();
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const gateway = await startGateway({
      logger: createLogger({ level: 'silent' }),
      port: 0,
      log,
      topics,
      subgraphUrls: {
        products: system.subgraphs.products.url,
        customers: system.subgraphs.customers.url,
        purchases: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/graphql`,
      },
    });
    try {
      const id = customers[2]!;
      const count = async () => rowOf((await graphql(gateway.url, CUSTOMERS_PAGE)).data, 'customers', id).purchaseCount;
      const before = await count(); // teaches the gateway the document is a query
      // The next fill: the purchases subgraph answers, then a purchase of this customer is applied
      // by the feed, then the (now old) answer reaches the gateway.
      const filled = new Promise<() => void>((resolve) => (holdNext = resolve));
      const reading = count();
      const release = await filled;
      const { changes } = gateway.responseCacheStats()!;
      await buyBehindTheGateway(id, products[0]!);
      await waitUntil(() => gateway.responseCacheStats()!.changes > changes, 'the change feed applied the purchase');
      release();
      expect(await reading).toBe(before);
      expect(await count()).toBe(before + 1);
    } finally {
      await gateway.close();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('never serves an answer older than a write the feed has applied while readers race the writes', async () => {
    const id = customers[1]!;
    let reading = true;
    // Readers keep the cache filling, so fills overlap the changes.
    const readers = Array.from({ length: 4 }, async () => {
      while (reading) await graphql(url, CUSTOMERS_PAGE);
    });
    try {
      for (let i = 0; i < 10; i++) {
        const { changes } = stats();
        const expected = rowOf(
          (await graphql(url, CUSTOMERS_PAGE, {}, { 'cache-control': 'no-cache' })).data,
          'customers',
          id,
        ).purchaseCount;
        await buyBehindTheGateway(id, products[i % products.length]!);
        await waitUntil(async () => stats().changes > changes, 'the change feed applied the purchase');
        const row = rowOf((await graphql(url, CUSTOMERS_PAGE)).data, 'customers', id);
        expect(row.purchaseCount).toBeGreaterThanOrEqual(expected + 1);
      }
    } finally {
      reading = false;
      await Promise.all(readers);
    }
  });
});

/**
 * The same log, except that what its followers read is held back while {@link hold} lasts: a
 * subgraph on it lags the gateway's change feed, as one does when the broker goes away between
 * two fetches.
 */
function holdableLog(log: EventLog) {
  let gate: Promise<void> = Promise.resolve();
  let release = (): void => {};
  const held: EventLog = {
    kind: log.kind,
    provision: (topics) => log.provision(topics),
    append: (topic, records) => log.append(topic, records),
    highWaterMarks: (topic) => log.highWaterMarks(topic),
    read: (topic, partition, offsets) => log.read(topic, partition, offsets),
    healthy: () => log.healthy(),
    follow: (topic, options) =>
      log.follow(topic, {
        ...options,
        onBatch: async (records) => {
          await gate;
          await options.onBatch(records);
        },
      }),
    // The log underneath is the test's to close.
    close: async () => {},
  };
  return {
    log: held,
    hold() {
      gate = new Promise((resolve) => (release = resolve));
    },
    release: () => release(),
  };
}

describe('the response cache when a subgraph lags the change feed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shop-cache-lag-'));
  const topics = eventTopics(`cache-lag.${randomUUID().slice(0, 8)}.`);
  let log: EventLog;
  let products: ReturnType<typeof holdableLog>;
  let services: Awaited<ReturnType<typeof startServices>>;
  const stats = () => services.gateway.responseCacheStats()!;
  const names = (result: { data?: Products }) => result.data!.products.nodes.map((p) => p.name);

  beforeAll(async () => {
    log = createEmbeddedLog({ file: join(dir, 'events.sqlite'), pollIntervalMs: 20 });
    products = holdableLog(log);
    services = await startServices(log, topics, { products: products.log });
  });
  afterAll(async () => {
    products?.release();
    await services?.close();
    await log?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers from what the subgraph has, keeps nothing, and caches again once it has caught up', async () => {
    const url = services.gateway.url;
    await ok(url, CREATE, { name: 'Before' });
    // Taught, stored, served (once the feed has read the write just acknowledged).
    await waitUntil(async () => {
      await graphql<Products>(url, PRODUCTS);
      return stats().hits > 0;
    }, 'an answer from the cache');
    const primed = stats();

    products.hold();
    const id = newEntityId();
    await log.append(topics.products, [
      { key: id, value: JSON.stringify({ eventType: 'set', payload: { id, name: 'Held back', price: 1.5 } }) },
    ]);
    await waitUntil(async () => stats().changes > primed.changes, 'the change feed read the new product');

    // The subgraph cannot reach the feed's position: the answer is the one it has, not an error.
    const lagging = await graphql<Products>(url, PRODUCTS);
    expect(lagging.errors).toBeUndefined();
    expect(names(lagging)).toContain('Before');
    expect(names(lagging)).not.toContain('Held back');
    // Said so by the subgraph, and therefore never stored: the next request is a miss again.
    const direct = await graphql<Products>(
      services.products.url,
      PRODUCTS,
      {},
      {
        [PREFER_POSITION_HEADER]: encodePosition(await positionOf(log, topics.products)),
      },
    );
    expect(direct.errors).toBeUndefined();
    expect(direct.headers.get(PREFERENCE_MISSED_HEADER)).toBe('true');
    // A preference it cannot read is refused like a malformed consistency token, never ignored.
    const malformed = await graphql(services.products.url, PRODUCTS, {}, { [PREFER_POSITION_HEADER]: 'not a position' });
    expect(malformed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const { hits } = stats();
    expect((await graphql<Products>(url, PRODUCTS)).errors).toBeUndefined();
    expect(stats().hits).toBe(hits);

    products.release();
    await waitUntil(async () => names(await graphql<Products>(url, PRODUCTS)).includes('Held back'), 'the subgraph caught up');
    await graphql<Products>(url, PRODUCTS);
    const caughtUp = stats().hits;
    expect(names(await graphql<Products>(url, PRODUCTS))).toContain('Held back');
    expect(stats().hits).toBe(caughtUp + 1);
  });
});

/** The position just past every record of a topic. */
async function positionOf(log: EventLog, topic: string): Promise<Position> {
  return { [topic]: await log.highWaterMarks(topic) };
}
