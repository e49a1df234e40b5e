import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKafkaLog, MAX_EVENT_BYTES, newEntityId, provisionEventTopics, type EventLog } from '@shop/event-core';
import { startProductsSubgraph } from '@shop/products-subgraph';
import { eventTopics, type EventTopics } from '@shop/schema';
import type { RunningSystem } from '@shop/system';
import { capturingLogger, readyStatus, waitUntil } from '../support/faults.ts';
import { ok } from '../support/graphql.ts';
import { CREATE_CUSTOMER, CREATE_PRODUCT, CREATE_PURCHASE, DASHBOARD } from '../support/operations.ts';
import { startTestSystem } from '../support/scenario.ts';
import { collect, wsClient } from '../support/ws.ts';

// Records no writer of this system would produce, written straight to the
// topics, before the services start (replay) and while they run (live). The original service
// stopped its consumer for good on the first one.

const brokers = inject('kafkaBrokers').split(',');

interface Poison {
  readonly why: string;
  readonly key: string | null;
  readonly value: Buffer | string | null;
}

const now = new Date().toISOString();
const envelope = (type: string, entityId: string, data: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ id: randomUUID(), type, entityId, version: 1, occurredAt: now, data, meta: {}, ...extra });
const product = (id: string, fields: Record<string, unknown> = {}) => ({
  id,
  name: 'Poison',
  price: '1.00',
  createdAt: now,
  updatedAt: now,
  deletedAt: null,
  ...fields,
});
const customer = (id: string, fields: Record<string, unknown> = {}) => ({
  id,
  firstName: 'Poison',
  lastName: 'Pill',
  createdAt: now,
  updatedAt: now,
  deletedAt: null,
  ...fields,
});
const purchase = (id: string, fields: Record<string, unknown> = {}) => ({
  id,
  productId: newEntityId(),
  customerId: newEntityId(),
  total: '1.00',
  transactionDate: now,
  ...fields,
});

/** The bad records of one topic: the same kinds everywhere, with that topic's event names. */
function poisonFor(kind: 'Product' | 'Customer' | 'Purchase'): Poison[] {
  const id = newEntityId();
  const created = kind === 'Purchase' ? 'PurchaseMade' : `${kind}Created`;
  const whole = kind === 'Product' ? product : kind === 'Customer' ? customer : purchase;
  const invalid =
    kind === 'Product'
      ? product(id, { price: '-1.00' })
      : kind === 'Customer'
        ? customer(id, { firstName: 42 })
        : purchase(id, { total: 'lots' });
  return [
    { why: 'malformed JSON', key: id, value: '{"id": "x", "type": ' },
    { why: 'not UTF-8 at all', key: id, value: Buffer.from([0xff, 0xfe, 0x00, 0x9c]) },
    { why: 'JSON null', key: id, value: 'null' },
    { why: 'a JSON array', key: id, value: '[1,2,3]' },
    { why: 'an envelope without its fields', key: id, value: JSON.stringify({ id: randomUUID(), type: created }) },
    { why: 'an unknown event type', key: id, value: envelope(`${kind}Teleported`, id, whole(id)) },
    {
      why: 'another topic’s event',
      key: id,
      value: envelope(
        kind === 'Customer' ? 'ProductCreated' : 'CustomerCreated',
        id,
        (kind === 'Customer' ? product : customer)(id),
      ),
    },
    { why: 'schema-invalid data', key: id, value: envelope(created, id, invalid) },
    { why: 'a record key that is not the entity', key: newEntityId(), value: envelope(created, id, whole(id)) },
    { why: 'data.id that is not the entity', key: id, value: envelope(created, id, whole(newEntityId())) },
    {
      why: 'a value over the size limit',
      key: id,
      value: envelope(created, id, whole(id, { name: 'x'.repeat(MAX_EVENT_BYTES) })),
    },
    { why: 'JSON nested 100,000 deep', key: id, value: `${'['.repeat(100_000)}${']'.repeat(100_000)}` },
    { why: 'a legacy record without an id', key: id, value: JSON.stringify({ eventType: 'set', payload: { name: 'Legacy' } }) },
    { why: 'a legacy record of an unknown kind', key: id, value: JSON.stringify({ eventType: 'explode', payload: { id } }) },
    // A compacted topic refuses keyless records itself (INVALID_RECORD), so no keyless one here.
    { why: 'a tombstone', key: id, value: null },
  ];
}

/** Where each poison record landed, for matching the log lines. */
interface Written {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly why: string;
}

async function writePoison(producer: Producer, topics: EventTopics): Promise<Written[]> {
  const written: Written[] = [];
  for (const [topic, kind] of [
    [topics.products, 'Product'],
    [topics.customers, 'Customer'],
    [topics.purchases, 'Purchase'],
  ] as const) {
    for (const poison of poisonFor(kind)) {
      const [meta] = await producer.send({ topic, acks: -1, messages: [{ key: poison.key, value: poison.value }] });
      written.push({ topic, partition: meta!.partition, offset: Number(meta!.baseOffset), why: poison.why });
    }
  }
  return written;
}

describe('poison records written straight to the topics', () => {
  const topics = eventTopics(`faults.poison.${randomUUID().slice(0, 8)}.`);
  const { logger, lines } = capturingLogger();
  const kafka = new Kafka({ brokers, clientId: 'faults-poison-writer', logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  let log: EventLog;
  let system: RunningSystem;
  let url: string;
  const poison: Written[] = [];
  const perTopic = (topic: string) => poison.filter((p) => p.topic === topic).length;

  beforeAll(async () => {
    log = createKafkaLog({ brokers, clientId: `faults-poison-${randomUUID().slice(0, 8)}` });
    await provisionEventTopics(log, [topics.products, topics.customers, topics.purchases]);
    await producer.connect();
    // Before the services start: they meet these while replaying.
    poison.push(...(await writePoison(producer, topics)));
    system = await startTestSystem(log, topics, { logger });
    url = system.gateway.url;
  });

  afterAll(async () => {
    await producer.disconnect();
    await system?.close();
    await log?.close();
  });

  it('starts every service and skips each bad record met in the replay', () => {
    expect(system.subgraphs.products.projector.stats()).toMatchObject({ applied: 0, skipped: perTopic(topics.products) });
    expect(system.subgraphs.customers.projector.stats()).toMatchObject({ applied: 0, skipped: perTopic(topics.customers) });
    // The purchases subgraph follows all three topics.
    expect(system.subgraphs.purchases.projector.stats()).toMatchObject({ applied: 0, skipped: poison.length });
  });

  it('keeps applying good events written after bad ones met live', async () => {
    poison.push(...(await writePoison(producer, topics)));
    const butter = (await ok(url, CREATE_PRODUCT, { input: { name: 'Butter', price: '1.50' } })).createProduct;
    const danny = (await ok(url, CREATE_CUSTOMER, { input: { firstName: 'Danny', lastName: 'Tester' } })).createCustomer;
    const bought = await ok(url, CREATE_PURCHASE, { input: { productId: butter.id, customerId: danny.id } });
    expect(bought.createPurchase).toMatchObject({ total: '1.50', product: { name: 'Butter' }, customer: { firstName: 'Danny' } });
    const dashboard = await ok(url, DASHBOARD);
    expect(dashboard.products.nodes).toEqual([expect.objectContaining({ name: 'Butter', purchaseCount: 1, totalSpent: '1.50' })]);
    expect(dashboard.customers.nodes).toEqual([expect.objectContaining({ firstName: 'Danny', purchaseCount: 1 })]);
    for (const service of [system.subgraphs.products.url, system.subgraphs.customers.url, system.subgraphs.purchases.url, url])
      expect(await readyStatus(service)).toBe(200);
  });

  it('counts each bad record once per reader, and does not loop', async () => {
    const expected = { products: perTopic(topics.products), customers: perTopic(topics.customers), purchases: poison.length };
    // Good events after every bad one, in each topic: a reader that has applied them is past the
    // poison, and one that looped would have counted it again on the way. The gateway's feed
    // tells it by delivering them to subscribers (it dispatches in log order).
    const ws = wsClient(url);
    const products = collect<{ productChanged: { product: { id: string } } }>(
      ws,
      'subscription { productChanged { product { id } } }',
    );
    const customers = collect<{ customerChanged: { customer: { id: string } } }>(
      ws,
      'subscription { customerChanged { customer { id } } }',
    );
    const purchases = collect<{ purchaseMade: { purchase: { id: string } } }>(
      ws,
      'subscription { purchaseMade { purchase { id } } }',
    );
    await waitUntil(() => system.gateway.subscriptionStats().active === 3, 'the three subscriptions are held');
    const jam = (await ok(url, CREATE_PRODUCT, { input: { name: 'Jam', price: '2.00' } })).createProduct;
    const eve = (await ok(url, CREATE_CUSTOMER, { input: { firstName: 'Eve', lastName: 'Tester' } })).createCustomer;
    const bought = (await ok(url, CREATE_PURCHASE, { input: { productId: jam.id, customerId: eve.id } })).createPurchase;
    await products.waitFor(1);
    await customers.waitFor(1);
    await purchases.waitFor(1);
    await ws.dispose();
    expect(products.results[0]!.productChanged.product.id).toBe(jam.id);
    expect(customers.results[0]!.customerChanged.customer.id).toBe(eve.id);
    expect(purchases.results[0]!.purchaseMade.purchase.id).toBe(bought.id);
    await waitUntil(
      () => system.subgraphs.purchases.projector.stats().applied === 6,
      'purchases applied the good events after the poison',
    );
    expect(system.subgraphs.products.projector.stats()).toMatchObject({ applied: 2, rejected: 0, skipped: expected.products });
    expect(system.subgraphs.customers.projector.stats()).toMatchObject({ applied: 2, rejected: 0, skipped: expected.customers });
    expect(system.subgraphs.purchases.projector.stats()).toMatchObject({
      applied: 6,
      rejected: 0,
      byTopic: {
        [topics.products]: { applied: 2, rejected: 0, skipped: expected.products },
        [topics.customers]: { applied: 2, rejected: 0, skipped: expected.customers },
        [topics.purchases]: { applied: 2, rejected: 0, skipped: perTopic(topics.purchases) },
      },
    });
  });

  it('exports the counts as the shop_records_skipped_total metric', async () => {
    const metrics = await (await fetch(new URL('/metrics', system.subgraphs.products.url))).text();
    const skipped = (service: string, topic: string): number | undefined => {
      const line = metrics
        .split('\n')
        .find(
          (l) =>
            l.startsWith('shop_records_skipped_total{') && l.includes(`service="${service}"`) && l.includes(`topic="${topic}"`),
        );
      return line === undefined ? undefined : Number(line.split(' ').at(-1));
    };
    expect(skipped('products', topics.products)).toBe(perTopic(topics.products));
    expect(skipped('customers', topics.customers)).toBe(perTopic(topics.customers));
    for (const topic of [topics.products, topics.customers, topics.purchases])
      expect(skipped('purchases', topic)).toBe(perTopic(topic));
  });

  it('logs each bad record with its topic, partition and offset', () => {
    const skipped = lines.filter((line) => line.msg === 'skipped a record that is not a valid event');
    for (const record of poison) {
      const about = skipped.filter(
        (line) => line.topic === record.topic && line.partition === record.partition && line.offset === record.offset,
      );
      // Readers of the products and customers topics: their own subgraph, purchases and the gateway's
      // subscription feed; of the purchases topic: purchases and the gateway.
      expect({ ...record, lines: about.length }).toEqual({ ...record, lines: record.topic === topics.purchases ? 2 : 3 });
      expect(typeof about[0]!.reason).toBe('string');
    }
    expect(skipped).toHaveLength(
      poison.filter((p) => p.topic === topics.purchases).length * 2 +
        poison.filter((p) => p.topic !== topics.purchases).length * 3,
    );
  });

  it('skips them again, and only them, in a replica started afterwards', async () => {
    const replica = await startProductsSubgraph({ log, logger, topics, port: 0 });
    try {
      expect(replica.projector.stats()).toMatchObject({ applied: 2, rejected: 0, skipped: perTopic(topics.products) });
      const query = `{ products { nodes { id name price version } } }`;
      expect(await ok(replica.url, query)).toEqual(await ok(system.subgraphs.products.url, query));
    } finally {
      await replica.close();
    }
  });
});
