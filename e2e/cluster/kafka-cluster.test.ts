import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import type { Client } from 'graphql-ws';
import {
  CONSISTENCY_HEADER,
  createKafkaLog,
  decodePosition,
  decodeRecord,
  encodePosition,
  formatMoney,
  mergePositions,
  positionToken,
  type EventLog,
  type Position,
} from '@shop/event-core';
import { startCustomersSubgraph } from '@shop/customers-subgraph';
import { startGateway, type RunningGateway } from '@shop/gateway';
import { startProductsSubgraph } from '@shop/products-subgraph';
import { startPurchasesSubgraph } from '@shop/purchases-subgraph';
import { eventTopics } from '@shop/schema';
import {
  attempt,
  capturingLogger,
  everyNode,
  freePort,
  readTopic,
  sleep,
  spawnService,
  waitReady,
  waitUntil,
  type Outcome,
  type ServiceProcess,
} from '../support/faults.ts';
import { ok } from '../support/graphql.ts';
import {
  busiestLeader,
  partitionStates,
  startPrivateCluster,
  topicConfig,
  waitInSync,
  type PrivateCluster,
} from '../support/kafka-cluster.ts';
import { CREATE_CUSTOMER, CREATE_PRODUCT, CREATE_PURCHASE } from '../support/operations.ts';
import { wsClient } from '../support/ws.ts';

// The system on a three-broker cluster, as production runs it (replication 3,
// min.insync.replicas 2, acks=all, idempotent producer), two instances of each subgraph, a gateway
// and six partitions per topic, under a steady load of mutations with subscribers open, through
// four faults: the busiest broker killed, a rolling restart, a frozen broker, a subgraph instance
// killed. After each one the load pauses and everything is counted: the log, every instance's
// read model, every subscriber's payloads. The cluster is this file's own, on free ports.

const PARTITIONS = 6;
/** Clients writing at once, and the rate they offer together (each paces itself). */
const CLIENTS = 16;
const OFFERED_PER_SECOND = 64;
const SUBSCRIBERS = 2;
const READERS = 2;

const READ = /* GraphQL */ `
  {
    products(first: 1) {
      totalCount
    }
    customers(first: 1) {
      totalCount
    }
    sales {
      purchaseCount
    }
  }
`;
const PURCHASE_MADE = /* GraphQL */ `
  subscription ($after: String) {
    purchaseMade(after: $after) {
      position
      purchase {
        id
        total
      }
    }
  }
`;

type Kind = 'product' | 'customer' | 'purchase';
/** What a failed write says became of it: `extensions.stored`, or `UNKNOWN` when the answer does not say. */
type Claim = 'ACK' | 'NO' | 'MAYBE' | 'YES' | 'UNKNOWN';

interface Write {
  readonly key: string;
  readonly kind: Kind;
  readonly phase: string;
  readonly outcome: Outcome;
}

const claimOf = (outcome: Outcome): Claim => {
  if (outcome.ok) return 'ACK';
  const stored = outcome.extensions?.stored;
  return stored === 'NO' || stored === 'MAYBE' || stored === 'YES' ? stored : 'UNKNOWN';
};

/** A purchase as the log holds it. */
interface StoredPurchase {
  readonly id: string;
  readonly productId: string;
  readonly customerId: string;
  readonly totalCents: number;
}

/**
 * Paced clients: each sends its next mutation when the previous one is answered, and not before
 * its turn (`CLIENTS / OFFERED_PER_SECOND` apart), so the offered rate stays the same whatever a
 * fault does to latency. Products and customers are a tenth of the writes each, purchases the rest,
 * each with its own idempotency key and a total no other purchase has.
 */
class Load {
  readonly writes: Write[] = [];
  private stopped = true;
  private loops: Promise<void>[] = [];
  private sequence = 0;

  constructor(
    private readonly url: () => string,
    private readonly seed: { readonly products: string[]; readonly customers: string[] },
    private readonly runId: string,
  ) {}

  /** Starts the clients of `phase` (stopping any still running first). */
  async start(phase: string): Promise<void> {
    await this.stop();
    this.stopped = false;
    this.loops = Array.from({ length: CLIENTS }, (_, client) => this.loop(phase, client));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  private async loop(phase: string, client: number): Promise<void> {
    const intervalMs = (CLIENTS * 1_000) / OFFERED_PER_SECOND;
    for (let n = 0; !this.stopped; n++) {
      const turn = Date.now() + intervalMs;
      const key = `${this.runId}-${phase}-${client}-${n}`;
      const { kind, run } = this.next(key, client, n);
      this.writes.push({ key, kind, phase, outcome: await run() });
      const wait = turn - Date.now();
      if (wait > 0 && !this.stopped) await sleep(wait);
    }
  }

  private next(key: string, client: number, n: number): { kind: Kind; run: () => Promise<Outcome> } {
    const url = this.url();
    if (n % 10 === 3) {
      return { kind: 'product', run: () => attempt(key, url, CREATE_PRODUCT, { input: { name: key, price: '1.25' }, key }) };
    }
    if (n % 10 === 7) {
      return {
        kind: 'customer',
        run: () => attempt(key, url, CREATE_CUSTOMER, { input: { firstName: key, lastName: 'Cluster' }, key }),
      };
    }
    const { products, customers } = this.seed;
    const input = {
      productId: products[(client + n) % products.length]!,
      customerId: customers[(client * 3 + n) % customers.length]!,
      total: formatMoney(10_000 + this.sequence++),
    };
    return { kind: 'purchase', run: () => attempt(key, url, CREATE_PURCHASE, { input, key }) };
  }
}

/** A query every `intervalMs` through the gateway, touching all three subgraphs. */
class Readers {
  readonly reads: Outcome[] = [];
  private stopped = false;
  private readonly loops: Promise<void>[];

  constructor(url: string, intervalMs = 100) {
    this.loops = Array.from({ length: READERS }, async () => {
      while (!this.stopped) {
        const turn = Date.now() + intervalMs;
        this.reads.push(await attempt('read', url, READ, {}));
        const wait = turn - Date.now();
        if (wait > 0) await sleep(wait);
      }
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }
}

interface Payload {
  readonly id: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/**
 * A subscriber to every purchase that keeps the merged position of what it received, and resumes
 * from it with `after` whenever its subscription ends (an error, the gateway closing it) and when
 * told to, as a client that must miss nothing would. It began with the empty position: everything
 * from the start of the log, so what it received must be every purchase in the log, once.
 */
class Subscriber {
  readonly received: Payload[] = [];
  readonly failures: string[] = [];
  resumes = 0;
  private after: Position = {};
  private client: Client | undefined;
  private unsubscribe: (() => void) | undefined;
  private closed = false;

  constructor(private readonly url: string) {
    this.connect();
  }

  /** Closes the connection and subscribes again from where it was. */
  async resume(): Promise<void> {
    await this.disconnect();
    this.resumes++;
    this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.disconnect();
  }

  private connect(): void {
    const client = wsClient(this.url);
    this.client = client;
    const ended = (reason: string) => {
      if (this.client !== client || this.closed) return;
      this.failures.push(reason);
      // A real client backs off before it resubscribes; the position makes the gap harmless.
      setTimeout(() => {
        if (this.client === client && !this.closed) void this.resume();
      }, 200);
    };
    this.unsubscribe = client.subscribe<{ purchaseMade: { position: string; purchase: { id: string } } }>(
      { query: PURCHASE_MADE, variables: { after: positionToken(this.after) } },
      {
        next: (result) => {
          if (this.client !== client) return;
          if (result.errors?.length || !result.data) return ended(JSON.stringify(result.errors));
          const { position, purchase } = result.data.purchaseMade;
          const decoded = decodePosition(position);
          const [topic, partitions] = Object.entries(decoded)[0]!;
          const [partition, next] = Object.entries(partitions)[0]!;
          this.received.push({ id: purchase.id, topic, partition: Number(partition), offset: next - 1 });
          this.after = mergePositions(this.after, decoded);
        },
        error: (error) => ended(error instanceof Error ? error.message : JSON.stringify(error)),
        complete: () => ended('completed'),
      },
    );
  }

  private async disconnect(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.unsubscribe?.();
    await client?.dispose();
  }
}

/** The longest stretch of `[from, to]` in which no write was acknowledged, in ms. */
function longestWriteOutage(writes: readonly Write[], from: number, to: number): number {
  const acknowledged = writes
    .filter((w) => w.outcome.ok)
    .map((w) => w.outcome.startedAt + w.outcome.ms)
    .filter((at) => at >= from && at <= to)
    .sort((a, b) => a - b);
  let longest = 0;
  let previous = from;
  for (const at of [...acknowledged, to]) {
    longest = Math.max(longest, at - previous);
    previous = at;
  }
  return longest;
}

describe(
  'a three-broker Kafka cluster under load: broker crash, rolling restart, frozen broker, subgraph crash',
  {
    timeout: 600_000,
  },
  () => {
    const runId = randomUUID().slice(0, 8);
    const prefix = `faults.cluster.${runId}.`;
    const topics = eventTopics(prefix);
    const topicNames = Object.values(topics);
    const { logger, lines } = capturingLogger();
    let cluster: PrivateCluster;
    const logs: EventLog[] = [];
    const closers: (() => Promise<void>)[] = [];
    const children: ServiceProcess[] = [];
    let gateway: RunningGateway;
    /** Instances' URLs; the second purchases instance is its own process (see `startChild`). */
    const instances: Record<Kind, string[]> = { product: [], customer: [], purchase: [] };
    let childPort = 0;
    let child: ServiceProcess;
    let load: Load;
    let readers: Readers;
    let subscribers: Subscriber[] = [];
    /** Entities made before the load, through the gateway. */
    const seed = { products: [] as string[], customers: [] as string[] };
    const figures: Record<string, Record<string, number | string>> = {};

    beforeEach(() =>
      onTestFailed(() => {
        console.error(
          lines
            .slice(-60)
            .map((line) => JSON.stringify(line))
            .join('\n'),
        );
        if (child) console.error(`purchases process output:\n${child.output().slice(-4_000)}`);
      }),
    );

    const openLog = (name: string): EventLog => {
      const log = createKafkaLog({
        brokers: cluster.brokers,
        clientId: `${name}-${runId}`,
        logger,
        replicationFactor: 3,
      });
      logs.push(log);
      return log;
    };

    const startChild = async (): Promise<void> => {
      child = spawnService('subgraphs/purchases/src/main.ts', {
        KAFKA_BROKERS: cluster.brokers.join(','),
        PURCHASES_PORT: String(childPort),
        TOPIC_PREFIX: prefix,
        TOPIC_PARTITIONS: String(PARTITIONS),
        TOPIC_REPLICATION_FACTOR: '3',
      });
      children.push(child);
      await waitReady(child, `http://127.0.0.1:${childPort}/graphql`, 180_000);
    };

    beforeAll(async () => {
      cluster = await startPrivateCluster();
      const common = { logger, topics, partitions: PARTITIONS, port: 0, mutationTimeoutMs: 10_000 };
      // The first instance of each creates the topics; the others find them.
      const first = await Promise.all([
        startProductsSubgraph({ ...common, log: openLog('products-a') }),
        startCustomersSubgraph({ ...common, log: openLog('customers-a') }),
        startPurchasesSubgraph({ ...common, log: openLog('purchases-a') }),
      ]);
      const second = await Promise.all([
        startProductsSubgraph({ ...common, log: openLog('products-b') }),
        startCustomersSubgraph({ ...common, log: openLog('customers-b') }),
      ]);
      closers.push(...[...first, ...second].map((service) => () => service.close()));
      childPort = await freePort();
      await startChild();
      instances.product.push(first[0].url, second[0].url);
      instances.customer.push(first[1].url, second[1].url);
      instances.purchase.push(first[2].url, `http://127.0.0.1:${childPort}/graphql`);
      gateway = await startGateway({
        logger,
        port: 0,
        subgraphUrls: { products: instances.product, customers: instances.customer, purchases: instances.purchase },
        log: openLog('gateway'),
        topics,
      });
      for (let i = 0; i < 4; i++) {
        const key = `${runId}-seed-product-${i}`;
        seed.products.push(
          (await ok(gateway.url, CREATE_PRODUCT, { input: { name: key, price: '2.00' }, key })).createProduct.id,
        );
      }
      for (let i = 0; i < 6; i++) {
        const key = `${runId}-seed-customer-${i}`;
        seed.customers.push(
          (await ok(gateway.url, CREATE_CUSTOMER, { input: { firstName: key, lastName: 'Seed' }, key })).createCustomer.id,
        );
      }
      load = new Load(() => gateway.url, seed, runId);
      readers = new Readers(gateway.url);
      subscribers = Array.from({ length: SUBSCRIBERS }, () => new Subscriber(gateway.url));
    });

    afterAll(async () => {
      await load?.stop();
      await readers?.stop();
      await Promise.all(subscribers.map((subscriber) => subscriber.close()));
      for (const service of children) service.kill('SIGKILL');
      await gateway?.close();
      await Promise.all(closers.map((close) => close().catch(() => undefined)));
      await Promise.all(logs.map((log) => log.close()));
      await cluster?.dispose();
      console.info(`Kafka cluster figures\n${JSON.stringify(figures, null, 2)}`);
    });

    it('creates every topic with 6 partitions, 3 replicas and min.insync.replicas=2', async () => {
      const states = await partitionStates(cluster.brokers, topicNames);
      expect(states).toHaveLength(3 * PARTITIONS);
      for (const state of states)
        expect({ ...state, replicas: state.replicas.length, isr: state.isr.length }).toMatchObject({
          replicas: 3,
          isr: 3,
        });
      // Leadership is spread: every broker leads some partitions.
      expect(new Set(states.map((state) => state.leader)).size).toBe(3);
      for (const topic of topicNames) {
        expect(await topicConfig(cluster.brokers, topic)).toMatchObject({
          'min.insync.replicas': '2',
          'cleanup.policy': 'compact',
        });
      }
    });

    /**
     * Pauses the load, then checks everything written so far: each write against the log and
     * every instance's read model, each subscriber against the log; records the phase's figures
     * and resumes the load with the next phase.
     */
    const checkpoint = async (phase: string, faultAt: number): Promise<void> => {
      const endedAt = Date.now();
      await load.stop();
      const mine = load.writes.filter((w) => w.phase === phase);
      const reads = readers.reads.filter((r) => r.startedAt >= faultAt && r.startedAt <= endedAt);
      const log = logs[0]!;

      // The log, decoded: how many events each idempotency key has, and the purchases.
      const perKey = new Map<string, number>();
      const purchases = new Map<string, StoredPurchase>();
      const entityIds: Record<Kind, Set<string>> = { product: new Set(), customer: new Set(), purchase: new Set() };
      const kinds: Record<string, Kind> = {
        [topics.products]: 'product',
        [topics.customers]: 'customer',
        [topics.purchases]: 'purchase',
      };
      const marks: Record<string, Record<number, number>> = {};
      for (const topic of topicNames) {
        marks[topic] = await log.highWaterMarks(topic);
        for (const record of await readTopic(log, topic, 120_000)) {
          const decoded = decodeRecord(record);
          if (decoded.format !== 'envelope') throw new Error(`an event in ${topic} is not an envelope`);
          const { event } = decoded;
          const key = event.meta.idempotencyKey ?? `no key: ${event.id}`;
          perKey.set(key, (perKey.get(key) ?? 0) + 1);
          entityIds[kinds[topic]!].add(event.entityId);
          if (topic === topics.purchases) {
            const data = event.data as { id: string; productId: string; customerId: string; total: string };
            purchases.set(data.id, {
              id: data.id,
              productId: data.productId,
              customerId: data.customerId,
              totalCents: Math.round(Number(data.total) * 100),
            });
          }
        }
      }

      const writes = load.writes;
      const inLog = (w: Write) => perKey.get(w.key) ?? 0;
      const lost = writes.filter((w) => (claimOf(w.outcome) === 'ACK' || claimOf(w.outcome) === 'YES') && inLog(w) === 0);
      const duplicated = [...perKey].filter(([, count]) => count > 1);
      const phantoms = writes.filter((w) => claimOf(w.outcome) === 'NO' && inLog(w) > 0);
      const strangers = [...perKey.keys()].filter((key) => !key.startsWith(`${runId}-`));
      const unknownCodes = writes.filter((w) => !w.outcome.ok && w.outcome.code !== 'UNAVAILABLE').map((w) => w.outcome);
      const claims = (claim: Claim) => mine.filter((w) => claimOf(w.outcome) === claim).length;
      const sinceFault = (at: number) => mine.filter((w) => w.outcome.startedAt >= faultAt && w.outcome.startedAt < at);
      const seconds = (ms: number) => Number((ms / 1000).toFixed(1));
      const ackedPerSecond =
        mine.filter((w) => w.outcome.ok).length /
        ((Math.max(...mine.map((w) => w.outcome.startedAt + w.outcome.ms)) - mine[0]!.outcome.startedAt) / 1000);

      // Every instance answers at the log's end (consistency token): the same entities, counts and cents.
      const token = { [CONSISTENCY_HEADER]: encodePosition(marks) };
      const expected = new Map<string, { count: number; cents: number }>();
      for (const purchase of purchases.values()) {
        for (const id of [purchase.productId, purchase.customerId]) {
          const sum = expected.get(id) ?? { count: 0, cents: 0 };
          expected.set(id, { count: sum.count + 1, cents: sum.cents + purchase.totalCents });
        }
      }
      const revenue = [...purchases.values()].reduce((sum, p) => sum + p.totalCents, 0);
      /** Every id of a list on one instance, page by page, at the log's end. */
      const idsAt = (url: string, list: 'products' | 'customers' | 'purchases') =>
        everyNode<{ id: string }>(
          async (args) =>
            (
              await ok(
                url,
                `query ($first: Int, $after: String) { ${list}(first: $first, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }`,
                args,
                token,
              )
            )[list],
        ).then((nodes) => nodes.map((node) => node.id));
      for (const url of instances.product)
        expect(new Set(await idsAt(url, 'products')), `products at ${url}`).toEqual(entityIds.product);
      for (const url of instances.customer)
        expect(new Set(await idsAt(url, 'customers')), `customers at ${url}`).toEqual(entityIds.customer);
      for (const url of instances.purchase) {
        const ids = await idsAt(url, 'purchases');
        expect(new Set(ids), `purchases at ${url}`).toEqual(entityIds.purchase);
        expect(ids, `purchases at ${url}, each once`).toHaveLength(entityIds.purchase.size);
        const figuresOf = (nodes: { id: string; purchaseCount: number; totalSpent: string }[]) =>
          new Map(
            nodes
              .filter((n) => n.purchaseCount > 0)
              .map((n) => [n.id, { count: n.purchaseCount, cents: Math.round(Number(n.totalSpent) * 100) }]),
          );
        const bySales = await ok(
          url,
          `{ productsBySales(first: 500) { nodes { id purchaseCount totalSpent } } customersBySales(first: 500) { nodes { id purchaseCount totalSpent } } sales { purchaseCount revenue } }`,
          {},
          token,
        );
        expect(
          new Map([...figuresOf(bySales.productsBySales.nodes), ...figuresOf(bySales.customersBySales.nodes)]),
          `figures at ${url}`,
        ).toEqual(expected);
        expect(bySales.sales, `sales at ${url}`).toEqual({ purchaseCount: purchases.size, revenue: formatMoney(revenue) });
      }

      figures[phase] = {
        writesSent: mine.length,
        acknowledged: claims('ACK'),
        failedNotStored: claims('NO'),
        failedMaybe: claims('MAYBE'),
        failedStoredYes: claims('YES'),
        failedWithoutClaim: claims('UNKNOWN'),
        foundInLog: mine.filter((w) => inLog(w) === 1).length,
        maybeThatLanded: mine.filter((w) => claimOf(w.outcome) !== 'ACK' && claimOf(w.outcome) !== 'NO' && inLog(w) > 0).length,
        lost: lost.length,
        duplicated: duplicated.length,
        longestWriteOutageSeconds: seconds(longestWriteOutage(writes, faultAt, endedAt)),
        acknowledgedPerSecond: Number(ackedPerSecond.toFixed(1)),
        writesDuringFault: sinceFault(endedAt).length,
        reads: reads.length,
        readsFailed: reads.filter((r) => !r.ok).length,
        subscriptionResumes: subscribers.reduce((sum, s) => sum + s.resumes, 0),
      };
      console.info(`${phase}: ${JSON.stringify(figures[phase])}`);

      // Subscribers: every purchase in the log once, in each partition's order, after any number of resumes.
      await Promise.all(
        subscribers.map((subscriber) =>
          waitUntil(
            () => subscriber.received.length >= purchases.size,
            `a subscriber has all ${purchases.size} purchases`,
            120_000,
          ).catch((error: Error) => {
            const { received, resumes, failures } = subscriber;
            throw new Error(
              `${error.message}: ${JSON.stringify({ received: received.length, resumes, failures: failures.slice(-5) })}`,
            );
          }),
        ),
      );
      let missed = 0;
      for (const subscriber of subscribers) {
        const ids = subscriber.received.map((payload) => payload.id);
        expect(new Set(ids).size, 'no payload twice').toBe(ids.length);
        expect(new Set(ids)).toEqual(new Set(purchases.keys()));
        missed += [...purchases.keys()].filter((id) => !ids.includes(id)).length;
        const last = new Map<number, number>();
        for (const payload of subscriber.received) {
          expect(payload.offset, `partition ${payload.partition} in order`).toBeGreaterThan(last.get(payload.partition) ?? -1);
          last.set(payload.partition, payload.offset);
        }
      }

      figures[phase]!.subscriptionPayloadsMissed = missed;
      console.info(`${phase} subscriptions: ${missed} payloads missed, ${figures[phase]!.subscriptionResumes} resumes`);

      expect(lost.map((w) => w.key)).toEqual([]);
      expect(duplicated).toEqual([]);
      expect(phantoms.map((w) => w.key)).toEqual([]);
      expect(strangers).toEqual([]);
      expect(unknownCodes).toEqual([]);
      // Reads never stop: every one answered, from memory, whatever the brokers did.
      expect(reads.filter((r) => !r.ok)).toEqual([]);

      // Subscribers resume from their position at every checkpoint too, not only after an error.
      await Promise.all(subscribers.map((subscriber) => subscriber.resume()));
    };

    /** Waits until `count` writes begun after `since` were acknowledged. */
    const acknowledgedSince = (since: number, count: number, label: string) =>
      waitUntil(() => load.writes.filter((w) => w.outcome.ok && w.outcome.startedAt >= since).length >= count, label, 180_000);

    it('kill -9 of the broker leading the most partitions, mid-load, then its restart', async () => {
      await load.start('broker-kill');
      await acknowledgedSince(0, 100, 'load running');
      const victim = await busiestLeader(cluster, topicNames);
      const faultAt = Date.now();
      await victim.stop({ force: true });
      // Writes go on with two brokers (min.insync.replicas=2), once leadership has moved.
      await acknowledgedSince(Date.now(), 100, 'writes acknowledged by the two brokers left');
      await victim.start();
      await waitInSync(cluster, [...topicNames, '__consumer_offsets']);
      await acknowledgedSince(Date.now(), 50, 'writes after the restart');
      await checkpoint('broker-kill', faultAt);
    });

    it('a rolling restart of all three brokers, each once the replicas are in sync', async () => {
      await load.start('rolling-restart');
      await acknowledgedSince(Date.now(), 50, 'load running');
      const faultAt = Date.now();
      for (const node of cluster.nodes) {
        await node.stop();
        await node.start();
        await waitInSync(cluster, [...topicNames, '__consumer_offsets']);
      }
      await acknowledgedSince(Date.now(), 50, 'writes after the rolling restart');
      await checkpoint('rolling-restart', faultAt);
    });

    it('SIGSTOP of the broker leading the most partitions, then SIGCONT', async () => {
      await load.start('broker-freeze');
      await acknowledgedSince(Date.now(), 50, 'load running');
      const victim = await busiestLeader(cluster, topicNames);
      const faultAt = Date.now();
      victim.freeze();
      try {
        // The controllers fence a broker that stops its heartbeats and move its partitions: writes
        // go on with the other two while it is frozen.
        await acknowledgedSince(Date.now(), 100, 'writes acknowledged while a broker is frozen');
      } finally {
        victim.thaw();
      }
      await waitInSync(cluster, [...topicNames, '__consumer_offsets']);
      await acknowledgedSince(Date.now(), 50, 'writes after the broker resumed');
      await checkpoint('broker-freeze', faultAt);
    });

    it('kill -9 of a purchases instance mid-load, then its restart', async () => {
      await load.start('subgraph-kill');
      await acknowledgedSince(Date.now(), 50, 'load running');
      const faultAt = Date.now();
      child.kill('SIGKILL');
      expect((await child.exited).signal).toBe('SIGKILL');
      await acknowledgedSince(Date.now(), 50, 'writes acknowledged by the other instance');
      await startChild();
      await acknowledgedSince(Date.now(), 100, 'writes after the restart');
      await checkpoint('subgraph-kill', faultAt);
    });
  },
);
