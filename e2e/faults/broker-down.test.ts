import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { createKafkaLog, formatMoney, type EventLog } from '@shop/event-core';
import { startProductsSubgraph, type RunningProductsSubgraph } from '@shop/products-subgraph';
import type { RunningPurchasesSubgraph } from '@shop/purchases-subgraph';
import { eventTopics } from '@shop/schema';
import type { RunningSystem } from '@shop/system';
import {
  attempt,
  capturingLogger,
  everyNode,
  readTopic,
  readyStatus,
  runClients,
  sleep,
  waitUntil,
  type Outcome,
} from '../support/faults.ts';
import { ok } from '../support/graphql.ts';
import { CREATE_PRODUCT, DASHBOARD } from '../support/operations.ts';
import { startPrivateKafka, type PrivateKafka } from '../support/private-kafka.ts';
import { createProductAndCustomer, startTestSystem } from '../support/scenario.ts';

// The broker goes away while clients keep writing, twice. Stopped, it refuses
// connections; frozen (SIGSTOP, like a long GC pause or a partition), it accepts them and answers
// nothing, then processes what was sent meanwhile when it resumes: the case where a write the
// client was told had failed could still land. The broker is this file's own, never the shared
// one other test files use at the same time.

const CREATE_PURCHASE = /* GraphQL */ `
  mutation ($input: CreatePurchaseInput!) {
    createPurchase(input: $input) {
      id
      total
    }
  }
`;

interface Outage {
  readonly name: string;
  readonly begin: (kafka: PrivateKafka) => Promise<void>;
  readonly end: (kafka: PrivateKafka) => Promise<void>;
  /** How long the broker stays away at least. */
  readonly holdMs: number;
}

const OUTAGES: readonly Outage[] = [
  { name: 'stopped', begin: (kafka) => kafka.stop(), end: (kafka) => kafka.start(), holdMs: 3_000 },
  // Longer than the mutation timeout (10 s), so a write in flight when it froze ends in doubt.
  { name: 'frozen', begin: (kafka) => kafka.freeze(), end: (kafka) => kafka.thaw(), holdMs: 14_000 },
];

/** What an UNAVAILABLE mutation says became of its event (`extensions.stored`). */
const stored = (outcome: Outcome): string => String(outcome.extensions?.stored);

// Restarting a JVM on a busy machine takes up to a minute: the phases get more than the default 120 s.
describe('the system while its Kafka broker is down', { timeout: 300_000 }, () => {
  const topics = eventTopics(`faults.down.${randomUUID().slice(0, 8)}.`);
  const { logger, lines } = capturingLogger();
  let kafka: PrivateKafka;
  let log: EventLog;
  let system: RunningSystem;
  let url: string;
  let seed: { productId: string; customerId: string };
  let clients: ReturnType<typeof runClients>;
  const figures: Record<string, Record<string, number | string>> = {};

  // What the services logged explains a failed recovery better than the assertion does.
  beforeEach(() =>
    onTestFailed(() =>
      console.error(
        lines
          .slice(-80)
          .map((line) => JSON.stringify(line))
          .join('\n'),
      ),
    ),
  );

  beforeAll(async () => {
    kafka = await startPrivateKafka();
    // The production defaults: appends give up after 5 s, mutations after 10 s.
    log = createKafkaLog({ brokers: kafka.brokers, clientId: `faults-down-${randomUUID().slice(0, 8)}` });
    system = await startTestSystem(log, topics, { logger, mutationTimeoutMs: 10_000 });
    url = system.gateway.url;
    seed = await createProductAndCustomer(url, { name: 'Down seed', price: '1.00' }, { firstName: 'Down', lastName: 'Buyer' });
  });

  afterAll(async () => {
    await clients?.stop();
    await system?.close();
    await log?.close();
    await kafka?.dispose();
    console.info('broker down figures', JSON.stringify(figures, null, 2));
  });

  /** Each client alternates: create a product named after the attempt, buy the seed product for a unique total. */
  const step = (client: number, n: number): Promise<Outcome> => {
    if (n % 2 === 0)
      return attempt(`down-${client}-${n}`, url, CREATE_PRODUCT, { input: { name: `down-${client}-${n}`, price: '2.50' } });
    const total = formatMoney(100_000 + client * 10_000 + n);
    return attempt(total, url, CREATE_PURCHASE, { input: { ...seed, total } });
  };

  it('accepts writes from concurrent clients while the broker is up', async () => {
    clients = runClients(4, step);
    await waitUntil(() => clients.outcomes.filter((o) => o.ok).length >= 40, 'forty acknowledged writes');
  });

  for (const outage of OUTAGES) {
    describe(`when the broker is ${outage.name}`, () => {
      let beganAt = 0;
      let endedAt = 0;
      const own: Record<string, number | string> = (figures[outage.name] = {});

      it('fails mutations fast with UNAVAILABLE, saying whether anything was stored', async () => {
        await outage.begin(kafka);
        beganAt = Date.now();
        await sleep(outage.holdMs);
        await waitUntil(
          () => clients.outcomes.filter((o) => o.startedAt >= beganAt + 1_000).length >= 12,
          'a dozen writes during the outage',
          90_000,
        );
        // Writes begun in the first second may still have been acknowledged by a broker shutting down.
        const during = clients.outcomes.filter((o) => o.startedAt >= beganAt + 1_000);
        expect(during.filter((o) => o.ok)).toEqual([]);
        expect(new Set(during.map((o) => o.code))).toEqual(new Set(['UNAVAILABLE']));
        expect(during.filter((o) => !['NO', 'MAYBE', 'YES'].includes(stored(o)))).toEqual([]);
        const times = during.map((o) => o.ms).sort((a, b) => a - b);
        own.failFastMedianMs = times[Math.floor(times.length / 2)]!;
        own.failFastMaxMs = times.at(-1)!;
        // The mutation timeout is 10 s; no failure may take much longer.
        expect(times.at(-1)).toBeLessThan(15_000);
      });

      it('keeps answering queries from memory and reports the problem on /readyz', async () => {
        const dashboard = await ok(url, DASHBOARD);
        expect(dashboard.products.totalCount).toBeGreaterThan(1);
        expect(dashboard.customers.nodes.map((c: { firstName: string }) => c.firstName)).toContain('Down');
        expect(await readyStatus(system.subgraphs.products.url)).toBe(503);
        expect(await readyStatus(url)).toBe(503);
      });

      it('reconnects by itself once the broker is back', async () => {
        await outage.end(kafka);
        endedAt = Date.now();
        own.outageSeconds = ((endedAt - beganAt) / 1000).toFixed(1);
        own.recoverReadyMs = await waitUntil(async () => (await readyStatus(url)) === 200, 'gateway ready again', 90_000, 250);
        await waitUntil(
          () => clients.outcomes.some((o) => o.ok && o.startedAt >= endedAt),
          'a write acknowledged after the outage',
          90_000,
        );
        own.recoverFirstWriteMs =
          Math.min(...clients.outcomes.filter((o) => o.ok && o.startedAt >= endedAt).map((o) => o.startedAt + o.ms)) - endedAt;
        await waitUntil(
          () => clients.outcomes.filter((o) => o.ok && o.startedAt >= endedAt).length >= 40,
          'forty writes after the outage',
          90_000,
        );
        const failed = clients.outcomes.filter((o) => !o.ok && o.startedAt >= beganAt && o.startedAt < endedAt);
        for (const claim of ['NO', 'MAYBE', 'YES'])
          own[`failedStored${claim}`] = failed.filter((o) => stored(o) === claim).length;
      });
    });
  }

  it('has every acknowledged mutation in every projection, and none said not to be stored', async () => {
    const outcomes = await clients.stop();
    const acknowledged = outcomes.filter((o) => o.ok);
    const failed = outcomes.filter((o) => !o.ok);
    expect(failed.filter((o) => o.code !== 'UNAVAILABLE')).toEqual([]);

    // A replica started now replays everything; the running projections must agree with it.
    const replica = await startProductsSubgraph({ log, logger, topics, port: 0 });
    try {
      const count = async (topic: string) => Object.values(await log.highWaterMarks(topic)).reduce((a, b) => a + b, 0);
      const applied = (position: Record<string, Record<number, number>>, topic: string) =>
        Object.values(position[topic] ?? {}).reduce((a, b) => a + b, 0);
      const [productRecords, purchaseRecords] = [await count(topics.products), await count(topics.purchases)];
      await waitUntil(
        () =>
          applied(system.subgraphs.products.projector.position(), topics.products) >= productRecords &&
          applied(system.subgraphs.purchases.projector.position(), topics.products) >= productRecords &&
          applied(system.subgraphs.purchases.projector.position(), topics.purchases) >= purchaseRecords,
        'projections caught up',
      );

      // The system knows its subgraphs by their manifests; their read models by their own types.
      const products = system.subgraphs.products as RunningProductsSubgraph;
      const purchases = system.subgraphs.purchases as RunningPurchasesSubgraph;
      const names = [
        new Set((await everyNode((args) => products.model.products.page(args))).map((p) => p.name)),
        new Set((await everyNode((args) => purchases.model.products.table.page(args))).map((p) => p.data.name)),
        new Set((await everyNode((args) => replica.model.products.page(args))).map((p) => p.name)),
      ];
      const totals = new Set((await everyNode((args) => purchases.model.page(args))).map((p) => formatMoney(p.totalCents)));
      /** Where the write of an outcome is: in each products projection, or in the purchases one. */
      const presence = (o: Outcome): boolean[] =>
        o.label.startsWith('down-') ? names.map((set) => set.has(o.label)) : [totals.has(o.label)];

      const lost = acknowledged.filter((o) => presence(o).some((present) => !present));
      const phantoms = failed.filter((o) => stored(o) === 'NO' && presence(o).some(Boolean));
      const storedButMissing = failed.filter((o) => stored(o) === 'YES' && presence(o).some((present) => !present));
      const maybe = failed.filter((o) => stored(o) === 'MAYBE');
      const split = maybe.filter((o) => new Set(presence(o)).size > 1);

      const eventsInLog = (await readTopic(log, topics.products)).length + (await readTopic(log, topics.purchases)).length;
      figures.total = {
        writes: outcomes.length,
        acknowledged: acknowledged.length,
        failed: failed.length,
        failedStoredNO: failed.filter((o) => stored(o) === 'NO').length,
        failedStoredYES: failed.filter((o) => stored(o) === 'YES').length,
        failedStoredMAYBE: maybe.length,
        maybeThatLanded: maybe.filter((o) => presence(o).every(Boolean)).length,
        eventsInLog,
        lost: lost.length,
        phantoms: phantoms.length,
      };
      expect(lost).toEqual([]);
      expect(phantoms).toEqual([]);
      expect(storedButMissing).toEqual([]);
      // Whatever an in-doubt write turned out to be, every projection agrees on it.
      expect(split).toEqual([]);
      // Every event in the log is one acknowledged or in-doubt write (or the seed product): no stray copies.
      expect(eventsInLog).toBe(
        1 + acknowledged.length + failed.filter((o) => stored(o) !== 'NO' && presence(o).every(Boolean)).length,
      );
      const dashboard = await ok(url, DASHBOARD);
      const buyer = dashboard.customers.nodes.find((c: { id: string }) => c.id === seed.customerId);
      expect(buyer.purchaseCount).toBe(totals.size);
    } finally {
      await replica.close();
    }
  });
});
