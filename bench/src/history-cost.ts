/**
 * What history and time travel cost on 100,000 events: memory of the indexes, replay overhead,
 * and latency of `asOf` and `history` queries through the gateway, next to the same queries
 * without `asOf`. Standalone, not part of the `npm run bench` harness:
 *
 *   node --expose-gc --import tsx bench/src/history-cost.ts                      # embedded log
 *   KAFKA_BROKERS=127.0.0.1:9092 node --expose-gc --import tsx bench/src/history-cost.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  createEmbeddedLog,
  createKafkaLog,
  createLogger,
  decodeRecord,
  encodeEvent,
  formatMoney,
  HistoryIndex,
  newEntityId,
  RecordReader,
  TimeIndex,
  type AsOf,
  type EventEnvelope,
  type EventLog,
  type LogRecord,
  type OutgoingRecord,
} from '@shop/event-core';
import { CustomersReadModel } from '@shop/customers-subgraph';
import { ProductsReadModel } from '@shop/products-subgraph';
import { PurchasesReadModel } from '@shop/purchases-subgraph';
import { eventTopics, type EventTopics } from '@shop/schema';
import { startSystem } from '@shop/system';

const SHAPE = { products: 5_000, updatesPerProduct: 9, customers: 2_000, updatesPerCustomer: 4, purchases: 40_000 };
const START_MS = Date.parse('2026-01-01T00:00:00.000Z');
const SAMPLES = Number(process.env.SAMPLES ?? 200);

interface Written {
  readonly productIds: string[];
  readonly customerIds: string[];
  readonly purchaseIds: string[];
  readonly events: number;
  readonly lastMs: number;
}

/** 100,000 events as the subgraphs write them, interleaved across topics, one second apart. */
async function writeDataset(log: EventLog, topics: EventTopics): Promise<Written> {
  await log.provision(Object.values(topics).map((topic) => ({ topic })));
  const productIds = Array.from({ length: SHAPE.products }, () => newEntityId());
  const customerIds = Array.from({ length: SHAPE.customers }, () => newEntityId());
  const purchaseIds: string[] = [];
  const batches: Record<string, OutgoingRecord[]> = { [topics.products]: [], [topics.customers]: [], [topics.purchases]: [] };
  let ms = START_MS;
  let events = 0;
  const envelope = (type: string, entityId: string, version: number, data: unknown): EventEnvelope => {
    ms += 1000;
    events++;
    return {
      id: randomUUID(),
      type,
      entityId,
      version,
      occurredAt: new Date(ms).toISOString(),
      data,
      meta: { actor: 'bench' },
      schemaVersion: 1,
    };
  };
  const product = (id: string, version: number, priceCents: number, created: string) =>
    envelope(version === 1 ? 'ProductCreated' : 'ProductUpdated', id, version, {
      id,
      name: `Product ${id.slice(0, 6)} v${version}`,
      price: formatMoney(priceCents),
      createdAt: created,
      updatedAt: new Date(ms + 1000).toISOString(),
      deletedAt: null,
    });
  const customer = (id: string, version: number, created: string) =>
    envelope(version === 1 ? 'CustomerCreated' : 'CustomerUpdated', id, version, {
      id,
      firstName: `First${version}`,
      lastName: `Last ${id.slice(0, 6)}`,
      createdAt: created,
      updatedAt: new Date(ms + 1000).toISOString(),
      deletedAt: null,
    });
  const created = new Map<string, string>();
  const createdAt = (id: string) => created.get(id) ?? (created.set(id, new Date(ms + 1000).toISOString()), created.get(id)!);
  const flush = async (force = false) => {
    for (const [topic, records] of Object.entries(batches)) {
      // At most 1000 records an append: one Kafka batch must stay below the broker's 1 MiB limit.
      while (records.length >= 1000 || (force && records.length > 0)) await log.append(topic, records.splice(0, 1000));
    }
  };
  // Rounds: every round touches each product and customer once more and makes purchases, so
  // events of every entity are spread over the whole log, as in a shop that has run for a while.
  const rounds = SHAPE.updatesPerProduct + 1;
  const purchasesPerRound = SHAPE.purchases / rounds;
  for (let round = 0; round < rounds; round++) {
    for (const id of productIds) batches[topics.products]!.push(encodeEvent(product(id, round + 1, 100 + round, createdAt(id))));
    if (round <= SHAPE.updatesPerCustomer) {
      for (const id of customerIds) batches[topics.customers]!.push(encodeEvent(customer(id, round + 1, createdAt(id))));
    }
    for (let i = 0; i < purchasesPerRound; i++) {
      const id = newEntityId();
      purchaseIds.push(id);
      const productId = productIds[(i * 7 + round) % productIds.length]!;
      const customerId = customerIds[(i * 13 + round) % customerIds.length]!;
      const at = new Date(ms + 1000).toISOString();
      batches[topics.purchases]!.push(
        encodeEvent(
          envelope('PurchaseMade', id, 1, { id, productId, customerId, total: formatMoney(100 + round), transactionDate: at }),
        ),
      );
    }
    await flush();
  }
  await flush(true);
  return { productIds, customerIds, purchaseIds, events, lastMs: ms };
}

/** Every record of a topic, read back (to replay into read models in this process). */
async function readAll(log: EventLog, topic: string): Promise<LogRecord[]> {
  const marks = await log.highWaterMarks(topic);
  const records: LogRecord[] = [];
  for (const [partition, high] of Object.entries(marks)) {
    for (let from = 0; from < high; from += 5000) {
      records.push(
        ...(await log.read(
          topic,
          Number(partition),
          Array.from({ length: Math.min(5000, high - from) }, (_, i) => from + i),
        )),
      );
    }
  }
  return records;
}

/** Heap plus typed-array backing stores, which V8 keeps outside the heap (the indexes' columns). */
const heapMb = (): number => {
  (globalThis as { gc?: () => void }).gc?.();
  (globalThis as { gc?: () => void }).gc?.();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return (heapUsed + arrayBuffers) / 2 ** 20;
};

/** Heap held by a read model after replaying `records`, with the history and time indexes on or off. */
function measureModel(
  build: () => { apply: (topic: string, decoded: ReturnType<typeof decodeRecord>, record: LogRecord) => unknown },
  records: readonly LogRecord[],
  withIndexes: boolean,
) {
  const add = HistoryIndex.prototype.add;
  const record = TimeIndex.prototype.record;
  if (!withIndexes) {
    HistoryIndex.prototype.add = () => undefined;
    TimeIndex.prototype.record = () => undefined;
  }
  try {
    const before = heapMb();
    const startedAt = performance.now();
    const model = build();
    for (const r of records) model.apply(r.topic, decodeRecord(r), r);
    const seconds = (performance.now() - startedAt) / 1000;
    const mb = heapMb() - before;
    return { model, mb, seconds };
  } finally {
    HistoryIndex.prototype.add = add;
    TimeIndex.prototype.record = record;
  }
}

interface Percentiles {
  readonly p50: number;
  readonly p95: number;
}

function percentiles(samples: number[]): Percentiles {
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  return { p50: at(0.5), p95: at(0.95) };
}

async function post(url: string, query: string, variables: Record<string, unknown>): Promise<number> {
  const startedAt = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    // A fresh answer: the gateway's response cache would answer a repeated baseline from memory
    // (decision 0011), and what is measured here is the read itself.
    headers: { 'content-type': 'application/json', 'cache-control': 'no-cache' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { errors?: unknown[] };
  if (body.errors) throw new Error(`${query}: ${JSON.stringify(body.errors)}`);
  return performance.now() - startedAt;
}

/**
 * A query and its baseline, request after request in turn: on a machine shared with other work, a
 * burst of load lands on both instead of on whichever ran at the time.
 */
async function pairLatency(
  url: string,
  measured: readonly [string, () => Record<string, unknown>],
  baseline: readonly [string, () => Record<string, unknown>],
): Promise<{ measured: Percentiles; baseline: Percentiles }> {
  for (let i = 0; i < 20; i++) {
    await post(url, measured[0], measured[1]());
    await post(url, baseline[0], baseline[1]());
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    a.push(await post(url, measured[0], measured[1]()));
    b.push(await post(url, baseline[0], baseline[1]()));
  }
  return { measured: percentiles(a), baseline: percentiles(b) };
}

/** Mean and p95 of `n` sequential calls, in microseconds. */
async function timeCalls(n: number, call: () => Promise<unknown>): Promise<{ meanUs: number; p95Us: number }> {
  for (let i = 0; i < Math.min(50, n); i++) await call();
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const startedAt = performance.now();
    await call();
    samples.push((performance.now() - startedAt) * 1000);
  }
  const mean = samples.reduce((x, y) => x + y, 0) / n;
  return { meanUs: mean, p95Us: percentiles(samples).p95 };
}

async function main(): Promise<void> {
  const brokers = process.env.KAFKA_BROKERS?.split(',');
  const dir = mkdtempSync(join(tmpdir(), 'history-cost-'));
  const openLog = (): EventLog =>
    brokers
      ? createKafkaLog({ brokers, clientId: `history-cost-${randomUUID().slice(0, 6)}` })
      : createEmbeddedLog({ file: join(dir, 'events.sqlite') });
  const topics = eventTopics(`history-cost.${randomUUID().slice(0, 8)}.`);
  const log = openLog();
  const logger = createLogger({ level: 'silent' });
  try {
    const t0 = performance.now();
    const written = await writeDataset(log, topics);
    console.log(
      `# ${written.events} events on ${brokers ? 'Kafka' : 'the embedded log'} (written in ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );
    console.log(
      `# products ${SHAPE.products} x ${SHAPE.updatesPerProduct + 1} events, customers ${SHAPE.customers} x ${SHAPE.updatesPerCustomer + 1}, purchases ${SHAPE.purchases}\n`,
    );

    console.log('## Memory and replay, per read model (in process, records already read)\n');
    console.log(
      '| read model | events | heap with indexes | heap without | index cost | per event | replay with | replay without |',
    );
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    const models: [string, () => { apply: ProductsReadModel['apply'] }, string[]][] = [
      ['products', () => new ProductsReadModel(topics), [topics.products]],
      ['customers', () => new CustomersReadModel(topics), [topics.customers]],
      ['purchases', () => new PurchasesReadModel(topics), [topics.purchases, topics.products, topics.customers]],
    ];
    const built = new Map<string, unknown>();
    for (const [name, build, followed] of models) {
      const records = (await Promise.all(followed.map((topic) => readAll(log, topic)))).flat();
      // Warm the JIT on both paths first; then each measured twice, alternately, and the lower kept.
      measureModel(build, records, false);
      measureModel(build, records, true);
      const runs = [
        measureModel(build, records, false),
        measureModel(build, records, true),
        measureModel(build, records, false),
        measureModel(build, records, true),
      ];
      const without = { mb: Math.min(runs[0]!.mb, runs[2]!.mb), seconds: Math.min(runs[0]!.seconds, runs[2]!.seconds) };
      const withIndexes = {
        mb: Math.min(runs[1]!.mb, runs[3]!.mb),
        seconds: Math.min(runs[1]!.seconds, runs[3]!.seconds),
        model: runs[3]!.model,
      };
      built.set(name, withIndexes.model);
      const cost = withIndexes.mb - without.mb;
      console.log(
        `| ${name} | ${records.length} | ${withIndexes.mb.toFixed(1)} MB | ${without.mb.toFixed(1)} MB | ${cost.toFixed(1)} MB | ${((cost * 2 ** 20) / records.length).toFixed(0)} B | ${withIndexes.seconds.toFixed(2)} s | ${without.seconds.toFixed(2)} s |`,
      );
    }

    console.log('\n## Cost per call in process (resolver work and log reads, no HTTP; record cache off)\n');
    console.log('| operation | mean | p95 |');
    console.log('| --- | ---: | ---: |');
    const products = built.get('products') as ProductsReadModel;
    const customers = built.get('customers') as CustomersReadModel;
    const purchases = built.get('purchases') as PurchasesReadModel;
    const productPast = products.pastStates(new RecordReader({ log, topic: topics.products, cacheSize: 0 }));
    const customerPast = customers.pastStates(new RecordReader({ log, topic: topics.customers, cacheSize: 0 }));
    const anyOf = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;
    const randomInstant = (): AsOf => ({ kind: 'instant', atMs: START_MS + Math.random() * (written.lastMs - START_MS) });
    const calls: [string, () => Promise<unknown>][] = [
      ['asOf instant → cut of a topic (time index)', async () => products.times.cut(topics.products, randomInstant())],
      [
        'product state as of an instant (1 record read)',
        async () => {
          const id = anyOf(written.productIds);
          return productPast.stateAt(id, products.times.cut(topics.products, randomInstant()), () => products.products.get(id));
        },
      ],
      [
        'customer aggregates as of an instant',
        async () => {
          const readAt = purchases.times.position([topics.purchases], randomInstant());
          return purchases.customerStats(anyOf(written.customerIds), readAt);
        },
      ],
      [
        '50 products as of an instant (≤ 50 records, 1 read)',
        async () =>
          productPast.listAt(products.times.cut(topics.products, randomInstant()), { first: 50 }, (id) =>
            products.products.get(id),
          ),
      ],
      [
        '50 purchases as of an instant',
        async () => purchases.page({ first: 50 }, purchases.times.position([topics.purchases], randomInstant())),
      ],
      [
        'product history, 10 events with changes (11 records, 1 read)',
        async () => productPast.page(anyOf(written.productIds), { first: 10 }),
      ],
      ['customer history, 5 events with changes', async () => customerPast.page(anyOf(written.customerIds), { first: 10 })],
    ];
    for (const [label, call] of calls) {
      const { meanUs, p95Us } = await timeCalls(brokers ? 20 : 1000, call);
      const show = (us: number) => (us >= 1000 ? `${(us / 1000).toFixed(1)} ms` : `${us.toFixed(0)} µs`);
      console.log(`| ${label} | ${show(meanUs)} | ${show(p95Us)} |`);
    }

    const system = await startSystem({ log, logger, topics, ports: { gateway: 0, products: 0, customers: 0, purchases: 0 } });
    try {
      const url = system.gateway.url;
      const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;
      const instant = () => new Date(START_MS + Math.random() * (written.lastMs - START_MS)).toISOString();
      const productAsOf = () => ({ id: pick(written.productIds), asOf: instant() });
      const customerAsOf = () => ({ id: pick(written.customerIds), asOf: instant() });
      const pairs: [
        string,
        readonly [string, () => Record<string, unknown>],
        readonly [string, () => Record<string, unknown>],
      ][] = [
        [
          'product(id, asOf) { name price version }',
          [`query ($id: ID!, $asOf: String) { product(id: $id, asOf: $asOf) { name price version } }`, productAsOf],
          [`query ($id: ID!) { product(id: $id) { name price version } }`, productAsOf],
        ],
        [
          'customer(id, asOf) { lastName purchaseCount totalSpent }',
          [
            `query ($id: ID!, $asOf: String) { customer(id: $id, asOf: $asOf) { lastName purchaseCount totalSpent } }`,
            customerAsOf,
          ],
          [`query ($id: ID!) { customer(id: $id) { lastName purchaseCount totalSpent } }`, customerAsOf],
        ],
        [
          'products(first: 50, asOf) { name price purchaseCount }',
          [
            `query ($asOf: String) { products(first: 50, asOf: $asOf) { totalCount nodes { name price purchaseCount } } }`,
            () => ({ asOf: instant() }),
          ],
          [`{ products(first: 50) { totalCount nodes { name price purchaseCount } } }`, () => ({})],
        ],
        [
          'purchases(first: 50, asOf) { total product { name } }',
          [
            `query ($asOf: String) { purchases(first: 50, asOf: $asOf) { totalCount nodes { total product { name } } } }`,
            () => ({ asOf: instant() }),
          ],
          [`{ purchases(first: 50) { totalCount nodes { total product { name } } } }`, () => ({})],
        ],
        [
          'product(id) { history(first: 10) } (10 events)',
          [
            `query ($id: ID!) { product(id: $id) { name history(first: 10) { totalCount nodes { type version changes { field before after } } } } }`,
            productAsOf,
          ],
          [`query ($id: ID!) { product(id: $id) { name price version } }`, productAsOf],
        ],
      ];
      console.log(`\n## Latency through the gateway (${SAMPLES} requests each, alternating with the baseline)\n`);
      console.log('| query | p50 | p95 | baseline without asOf / history | baseline p50 | baseline p95 |');
      console.log('| --- | ---: | ---: | --- | ---: | ---: |');
      for (const [label, measured, baseline] of pairs) {
        const result = await pairLatency(url, measured, baseline);
        const ms = (value: number) => `${value.toFixed(1)} ms`;
        console.log(
          `| ${label} | ${ms(result.measured.p50)} | ${ms(result.measured.p95)} | same without | ${ms(result.baseline.p50)} | ${ms(result.baseline.p95)} |`,
        );
      }
    } finally {
      await system.close();
    }
  } finally {
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
