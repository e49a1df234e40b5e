/**
 * Faults of read-model snapshots, one scenario for both logs (`e2e/faults/snapshot-faults-*.test.ts`):
 * the purchases subgraph runs as its own process, as in production, on the log and the snapshot
 * store the target gives, and is killed in the middle of a save, started on damaged or outdated snapshots, and
 * restarted from a snapshot taken while writes flowed. Every check compares with what was written.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import {
  decodeSnapshot,
  encodeEvent,
  encodeSnapshot,
  readSnapshotHeader,
  type EventLog,
  type OutgoingRecord,
} from '@shop/event-core';
import { eventTopics, type EventTopics, type PurchaseMade } from '@shop/schema';
import { writeShop, type BulkShop } from './bulk-shop.ts';
import { freePort, sleep, spawnService, waitReady, waitUntil, type ServiceProcess } from './faults.ts';
import { graphql, ok } from './graphql.ts';
import { CREATE_PURCHASE } from './operations.ts';

export interface SnapshotFaultTarget {
  readonly name: string;
  /** The log, opened by the test itself (to write, and to read and damage the snapshot store). */
  readonly openLog: () => EventLog;
  /** Environment of a service process on the same log; the scenario adds the port and `TOPIC_PREFIX`. */
  readonly env: () => Record<string, string>;
  /** How many records the test appends at once (a Kafka broker takes about 1 MB per request). */
  readonly recordsPerAppend: number;
  /**
   * A figure that grows with every snapshot chunk of `model` written under `topicPrefix` (a
   * chunk's row id, the snapshot topic's offsets): it moves as soon as a save has begun to write.
   */
  readonly chunkMark: (topicPrefix: string, model: string) => Promise<number>;
  /** How many snapshots of `model` have some of their chunks stored but are not complete (a save under way or cut short). */
  readonly unfinishedSaves: (topicPrefix: string, model: string) => Promise<number>;
}

const ENTRY = 'subgraphs/purchases/src/main.ts';
const MODEL = 'purchases';
const FIGURES = /* GraphQL */ `
  {
    sales {
      purchaseCount
      revenue
    }
    productsBySales(first: 500) {
      totalCount
      nodes {
        id
        purchaseCount
        totalSpent
      }
    }
    customersBySales(first: 500) {
      totalCount
      nodes {
        id
        purchaseCount
        totalSpent
      }
    }
  }
`;
const PURCHASES_PAGE = /* GraphQL */ `
  query ($after: String) {
    purchases(first: 500, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        total
        product {
          id
        }
        customer {
          id
        }
      }
    }
  }
`;

const cents = (money: string): number => Math.round(Number(money) * 100);
const money = (amountCents: number): string => `${Math.floor(amountCents / 100)}.${String(amountCents % 100).padStart(2, '0')}`;

/** What the shop must show: purchases per product and customer, to the cent. */
class Expected {
  readonly products = new Map<string, { count: number; cents: number }>();
  readonly customers = new Map<string, { count: number; cents: number }>();
  count = 0;
  revenueCents = 0;

  constructor(shop: BulkShop) {
    shop.productIds.forEach((id, i) =>
      this.products.set(id, { count: shop.productPurchases[i]!, cents: shop.productTotalCents[i]! }),
    );
    shop.customers.forEach((c, i) =>
      this.customers.set(c.id, { count: shop.customerPurchases[i]!, cents: shop.customerTotalCents[i]! }),
    );
    this.count = shop.purchases;
    this.revenueCents = shop.revenueCents;
  }

  add(productId: string, customerId: string, totalCents: number): void {
    const product = this.products.get(productId)!;
    const customer = this.customers.get(customerId)!;
    product.count++;
    product.cents += totalCents;
    customer.count++;
    customer.cents += totalCents;
    this.count++;
    this.revenueCents += totalCents;
  }
}

interface Figures {
  readonly sales: { purchaseCount: number; revenue: string };
  readonly products: Map<string, { purchaseCount: number; totalSpent: string }>;
  readonly customers: Map<string, { purchaseCount: number; totalSpent: string }>;
}

async function figures(url: string): Promise<Figures> {
  const data = await ok(url, FIGURES);
  const byId = (nodes: { id: string; purchaseCount: number; totalSpent: string }[]) =>
    new Map(nodes.map(({ id, purchaseCount, totalSpent }) => [id, { purchaseCount, totalSpent }]));
  return { sales: data.sales, products: byId(data.productsBySales.nodes), customers: byId(data.customersBySales.nodes) };
}

/** Every count and total the subgraph shows equals what was written, to the cent. */
function expectFigures(shown: Figures, expected: Expected): void {
  const inCents = (figures: Figures['products']) =>
    new Map([...figures].map(([id, f]) => [id, { count: f.purchaseCount, cents: cents(f.totalSpent) }]));
  expect(shown.sales).toEqual({ purchaseCount: expected.count, revenue: money(expected.revenueCents) });
  expect(inCents(shown.products)).toEqual(expected.products);
  expect(inCents(shown.customers)).toEqual(expected.customers);
}

/** A metric's value on the service's `/metrics`, summed over the series that match `labels`. */
async function metric(url: string, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const text = await (await fetch(new URL('/metrics', url))).text();
  let total: number | undefined;
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const series = Object.fromEntries([...match[2]!.matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [k!, v!]));
    if (Object.entries(labels).every(([k, v]) => series[k] === v)) total = (total ?? 0) + Number(match[3]);
  }
  return total;
}

/** The snapshot's offsets in the purchases topic, as `/metrics` shows those of the snapshot the service started from. */
/** A copy of `bytes` with one bit changed, in the middle. */
function flipped(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  copy[copy.length >> 1]! ^= 0x10;
  return copy;
}

async function startedAt(url: string, topic: string): Promise<number | undefined> {
  return metric(url, 'shop_snapshot_offset', { service: 'purchases', topic });
}

export function describeSnapshotFaults(target: SnapshotFaultTarget): void {
  describe(`read-model snapshots under faults, on ${target.name}`, { timeout: 300_000 }, () => {
    const log = target.openLog();
    const processes: ServiceProcess[] = [];
    afterAll(async () => {
      for (const service of processes) service.kill('SIGKILL');
      await Promise.all(processes.map((service) => service.exited));
      await log.close();
    });

    /** A fresh set of topics (and snapshot topics), with a shop written into them. */
    const shopOf = async (shape: { products: number; customers: number; purchases: number }) => {
      const topicPrefix = `snapfault.${randomUUID().slice(0, 8)}.`;
      const topics = eventTopics(topicPrefix);
      const shop = await writeShop(log, topics, { ...shape, seed: 13, recordsPerAppend: target.recordsPerAppend });
      return { topicPrefix, topics, shop, store: log.snapshotStore!({ topicPrefix }) };
    };
    const startService = async (topicPrefix: string, extra: Record<string, string> = {}) => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}/graphql`;
      const service = spawnService(ENTRY, { ...target.env(), TOPIC_PREFIX: topicPrefix, PURCHASES_PORT: String(port), ...extra });
      processes.push(service);
      await waitReady(service, url, 180_000);
      return { service, url };
    };

    /** Purchases of `count` (2.50 each, over the shop's products and first seven customers), written straight to the log. */
    const appendPurchases = async (topics: EventTopics, shop: BulkShop, expected: Expected, count: number) => {
      const records: OutgoingRecord[] = [];
      const at = new Date().toISOString();
      for (let i = 0; i < count; i++) {
        const id = randomUUID().replaceAll('-', '').slice(0, 22);
        const [productId, customerId] = [shop.productIds[i % shop.productIds.length]!, shop.customers[i % 7]!.id];
        const event: PurchaseMade = {
          id: randomUUID(),
          type: 'PurchaseMade',
          entityId: id,
          version: 1,
          occurredAt: at,
          data: { id, productId, customerId, total: '2.50', transactionDate: at },
          meta: {},
          schemaVersion: 1,
        };
        records.push(encodeEvent(event));
        expected.add(productId, customerId, 250);
      }
      for (let i = 0; i < records.length; i += target.recordsPerAppend)
        await log.append(topics.purchases, records.slice(i, i + target.recordsPerAppend));
    };

    it('kill -9 while a snapshot is being written: the restart starts from the previous snapshot, with every figure right', async () => {
      const { topicPrefix, topics, shop, store } = await shopOf({ products: 40, customers: 300, purchases: 150_000 });
      const expected = new Expected(shop);
      const { service, url } = await startService(topicPrefix, { SNAPSHOT_EVERY_EVENTS: '1000' });
      // The replay of 150,000 events is followed by a snapshot of them.
      await waitUntil(async () => (await store.load(MODEL)).length > 0, 'the snapshot after the replay', 120_000, 500);
      expectFigures(await figures(url), expected);

      // Another 1,000 events start another save. As soon as it has stored a chunk, the service is
      // stopped (SIGSTOP) and, if its save is indeed unfinished, killed. A save that ran to its
      // end first (a fast machine) is let go on, and the next one is caught.
      let caught = false;
      let attempt = 0;
      for (; attempt < 5 && !caught; attempt++) {
        const mark = await target.chunkMark(topicPrefix, MODEL);
        await appendPurchases(topics, shop, expected, 1_000);
        await waitUntil(async () => (await target.chunkMark(topicPrefix, MODEL)) > mark, 'a save began to write', 60_000, 2);
        service.child.kill('SIGSTOP');
        caught = (await target.unfinishedSaves(topicPrefix, MODEL)) > 0;
        if (!caught) service.child.kill('SIGCONT');
      }
      expect(caught, 'a save was stopped in the middle').toBe(true);
      service.kill('SIGKILL');
      expect((await service.exited).signal).toBe('SIGKILL');
      // Its chunks stay behind, never returned: the newest complete snapshot is the previous one.
      expect(await target.unfinishedSaves(topicPrefix, MODEL)).toBe(1);
      const [previous] = await store.load(MODEL);
      const { header } = readSnapshotHeader(previous!.bytes);

      const restartedAt = Date.now();
      const restarted = await startService(topicPrefix, { SNAPSHOT_EVERY_EVENTS: '1000' });
      console.info(
        `${target.name}: kill -9 in the middle of save ${attempt} (${previous!.bytes.length} bytes before it); ` +
          `restart from the previous snapshot of ${header.events} events ready in ${Date.now() - restartedAt} ms`,
      );
      expect(await startedAt(restarted.url, topics.purchases)).toBe(header.positions[topics.purchases]![0]);
      expect(await metric(restarted.url, 'shop_snapshots_ignored_total', { service: 'purchases' })).toBe(0);
      expectFigures(await figures(restarted.url), expected);
      restarted.service.kill('SIGKILL');
    });

    it('ignores a truncated, a bit-flipped and an older version’s snapshot in the store, with a warning and a metric, and replays the log', async () => {
      const { topicPrefix, shop, store } = await shopOf({ products: 20, customers: 60, purchases: 4_000 });
      const expected = new Expected(shop);
      // A graceful stop leaves a good snapshot to damage.
      const first = await startService(topicPrefix);
      first.service.kill('SIGTERM');
      expect((await first.service.exited).code).toBe(0);
      const [good] = await store.load(MODEL);
      expect(good).toBeDefined();
      // Stored in pieces of 16 KiB: the damage is in a chunk of its own, in the middle.
      const pieces = log.snapshotStore!({ topicPrefix, maxChunkBytes: 16 * 1024 });
      // Intact, but of an older shape of the purchases state: read with today's meaning, it would be wrong.
      const { header, state } = decodeSnapshot(good!.bytes);
      const { model, positions, fingerprints, events, createdAt } = header;
      const older = await encodeSnapshot(
        { model, modelVersion: header.modelVersion - 1, positions, fingerprints, events, createdAt },
        state,
      );
      const damages = [
        { what: 'truncated', reason: 'corrupt', bytes: good!.bytes.subarray(0, good!.bytes.length - 1_000) },
        { what: 'bit-flipped', reason: 'corrupt', bytes: flipped(good!.bytes) },
        { what: 'older version', reason: 'model', bytes: older },
      ];
      for (const { what, reason, bytes } of damages) {
        await store.drop(MODEL);
        await pieces.save({ id: randomUUID(), model: MODEL, savedAtMs: Date.now(), bytes });
        const { service, url } = await startService(topicPrefix, { LOG_LEVEL: 'warn' });
        expect(await metric(url, 'shop_snapshots_ignored_total', { service: 'purchases', reason }), what).toBe(1);
        expect(await metric(url, 'shop_snapshots_ignored_total', { service: 'purchases' }), what).toBe(1);
        expect(await startedAt(url, eventTopics(topicPrefix).purchases), what).toBeUndefined();
        expect(
          await metric(url, 'shop_events_applied_total', { service: 'purchases', topic: eventTopics(topicPrefix).purchases }),
          what,
        ).toBe(shop.purchases);
        expect(service.output(), what).toMatch(/ignored a snapshot/);
        expectFigures(await figures(url), expected);
        service.kill('SIGKILL');
        await service.exited;
      }
    });

    it('a snapshot taken while writes flow at about 100 a second loses nothing and counts nothing twice', async () => {
      const { topicPrefix, topics, shop, store } = await shopOf({ products: 20, customers: 60, purchases: 600 });
      const expected = new Expected(shop);
      const { service, url } = await startService(topicPrefix, { SNAPSHOT_EVERY_EVENTS: '1000' });

      // Ten writers, each one purchase every 100 ms (as long as the service keeps up).
      const acknowledged: { id: string; productId: string; customerId: string; total: string }[] = [];
      const failures: unknown[] = [];
      let stopped = false;
      const startedMs = Date.now();
      const writers = Array.from({ length: 10 }, async (_, writer) => {
        for (let n = 0; !stopped; n++) {
          const due = Date.now() + 100;
          const productId = shop.productIds[(writer * 7 + n) % shop.productIds.length]!;
          const customerId = shop.customers[(writer * 13 + n * 3) % shop.customers.length]!.id;
          const total = money(100 + ((writer * 997 + n * 131) % 9_900));
          const result = await graphql<{ createPurchase: { id: string; total: string } }>(url, CREATE_PURCHASE, {
            input: { productId, customerId, total },
            key: `flow-${writer}-${n}`,
          });
          if (result.errors?.length || !result.data) failures.push(result.errors ?? result.status);
          else acknowledged.push({ id: result.data.createPurchase.id, productId, customerId, total });
          await sleep(Math.max(0, due - Date.now()));
        }
      });
      // A snapshot every 1,000 events: the first is taken while the writers write; then more writes.
      await waitUntil(async () => (await store.load(MODEL)).length > 0, 'a snapshot while writes flow', 120_000);
      const atSnapshot = acknowledged.length;
      await waitUntil(() => acknowledged.length >= atSnapshot + 300, 'writes after the snapshot', 120_000);
      stopped = true;
      await Promise.all(writers);
      const seconds = (Date.now() - startedMs) / 1000;
      expect(failures).toEqual([]);
      for (const { productId, customerId, total } of acknowledged) expected.add(productId, customerId, cents(total));

      // No graceful stop (it would save another snapshot): the restart has the one taken mid-flow and the tail.
      service.kill('SIGKILL');
      await service.exited;
      const [snapshot] = await store.load(MODEL);
      const { header } = readSnapshotHeader(snapshot!.bytes);
      const taken = header.positions[topics.purchases]![0]!;
      expect(taken).toBeGreaterThan(shop.purchases);
      expect(taken).toBeLessThan(shop.purchases + acknowledged.length);
      const restarted = await startService(topicPrefix);
      // On a failure, what the service said of its snapshots tells why it did not start from this one.
      expect(await startedAt(restarted.url, topics.purchases), restarted.service.output().slice(-4000)).toBe(taken);
      expect(await metric(restarted.url, 'shop_events_applied_total', { service: 'purchases', topic: topics.purchases })).toBe(
        shop.purchases + acknowledged.length - taken,
      );

      // Every acknowledged purchase once, with its total, and nothing else that was not written.
      const listed = new Map<string, string>();
      let after: string | null = null;
      for (;;) {
        const page: {
          purchases: { nodes: { id: string; total: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
        } = await ok(restarted.url, PURCHASES_PAGE, { after });
        for (const node of page.purchases.nodes) {
          expect(listed.has(node.id)).toBe(false);
          listed.set(node.id, node.total);
        }
        if (!page.purchases.pageInfo.hasNextPage) break;
        after = page.purchases.pageInfo.endCursor;
      }
      expect(listed.size).toBe(shop.purchases + acknowledged.length);
      for (const { id, total } of acknowledged) expect(listed.get(id)).toBe(total);
      expectFigures(await figures(restarted.url), expected);
      console.info(
        `${target.name}: ${acknowledged.length} purchases acknowledged in ${seconds.toFixed(1)} s ` +
          `(${Math.round(acknowledged.length / seconds)}/s); snapshot at ${taken - shop.purchases} of them; ` +
          `restart replayed ${shop.purchases + acknowledged.length - taken}`,
      );
      restarted.service.kill('SIGKILL');
    });
  });
}
