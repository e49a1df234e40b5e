import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmbeddedLog, type EventLog, type SnapshotSettings } from '@shop/event-core';
import { eventTopics } from '@shop/schema';
import type { RunningSystem } from '@shop/system';
import { ok } from './support/graphql.ts';
import { CREATE_CUSTOMER, CREATE_PRODUCT, CREATE_PURCHASE, DELETE_CUSTOMER, UPDATE_PRODUCT } from './support/operations.ts';
import { startTestSystem } from './support/scenario.ts';

const dir = mkdtempSync(join(tmpdir(), 'shop-snapshots-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const topics = eventTopics('snapshots.');

/** Everything the graph answers that a replay rebuilds: lists in every order, figures, history, the past. */
const EVERYTHING = `query ($at: String!) {
  products(first: 10) { totalCount edges { cursor node { id name price version purchaseCount customerCount totalSpent history(first: 10) { nodes { type version changes { field before after } } } } } }
  byPrice: products(orderBy: { field: PRICE, direction: DESC }, search: "b") { totalCount nodes { id } }
  customers(first: 10, orderBy: { field: NAME }) { totalCount edges { cursor node { id firstName lastName purchaseCount totalSpent } } }
  productsBySales(first: 10) { totalCount edges { cursor node { id totalSpent } } }
  customersBySales(orderBy: { field: PURCHASE_COUNT }) { nodes { id purchaseCount } }
  purchases(first: 50, orderBy: { field: TOTAL, direction: DESC }) { totalCount edges { cursor node { id total transactionDate product { name } customer { lastName } } } }
  sales { purchaseCount revenue overTime { bucket buckets { start purchaseCount revenue } } }
  past: products(asOf: $at, orderBy: { field: NAME }) { totalCount nodes { id name price purchaseCount } }
  pastSales: sales(asOf: $at) { purchaseCount revenue }
}`;

describe('read-model snapshots of the whole system, on the embedded log', () => {
  let log: EventLog;
  let system: RunningSystem;
  const start = (snapshots: SnapshotSettings | undefined) => startTestSystem(log, topics, snapshots ? { snapshots } : {});
  const settings = (): SnapshotSettings => ({ store: log.snapshotStore!({ topicPrefix: 'snapshots.' }) });
  afterAll(async () => {
    await system?.close();
    await log?.close();
  });

  it('restarts from snapshots with every answer the same, replays only what came after, and agrees with a full replay', async () => {
    log = createEmbeddedLog({ file: join(dir, 'events.sqlite') });
    system = await start(settings());
    let url = system.gateway.url;
    const ids: string[] = [];
    for (const [name, price] of [
      ['Butter', '1.50'],
      ['Bread', '2.10'],
      ['Brown Bread', '2.90'],
    ] as const)
      ids.push((await ok(url, CREATE_PRODUCT, { input: { name, price } })).createProduct.id);
    const customers: string[] = [];
    for (const lastName of ['Smith', 'Jones', 'Andrews'])
      customers.push((await ok(url, CREATE_CUSTOMER, { input: { firstName: 'Pat', lastName } })).createCustomer.id);
    for (let i = 0; i < 30; i++) {
      await ok(url, CREATE_PURCHASE, {
        input: { productId: ids[i % 3], customerId: customers[i % 3], total: `${(i % 5) + 1}.${String(i).padStart(2, '0')}` },
        key: `snapshot-test-${i}`,
      });
    }
    const at = new Date().toISOString();
    while (new Date().toISOString() === at) await new Promise((r) => setImmediate(r));
    await ok(url, UPDATE_PRODUCT, { id: ids[0], input: { name: 'Salted Butter', price: '1.70' } });
    await ok(url, DELETE_CUSTOMER, { id: customers[2] });
    const before = await ok(url, EVERYTHING, { at });

    // A graceful stop saves a snapshot of each read model; the restart starts from them.
    await system.close();
    system = await start(settings());
    url = system.gateway.url;
    for (const subgraph of [system.subgraphs.products, system.subgraphs.customers, system.subgraphs.purchases]) {
      expect(subgraph.projector.snapshotStats()?.startedFrom).toBeDefined();
      expect(subgraph.projector.stats().applied).toBe(0);
    }
    expect(await ok(url, EVERYTHING, { at })).toEqual(before);
    // A retried purchase is still known as one after the restart: nothing is appended twice.
    const again = await ok(url, CREATE_PURCHASE, {
      input: { productId: ids[0], customerId: customers[0], total: '1.00' },
      key: 'snapshot-test-0',
    });
    expect(again.createPurchase.total).toBe('1.00');
    expect((await ok(url, `{ sales { purchaseCount } }`)).sales.purchaseCount).toBe(30);

    // More events after the snapshot: then the same answers as a full replay of the log.
    await ok(url, CREATE_PURCHASE, { input: { productId: ids[1], customerId: customers[1], total: '9.99' } });
    const withSnapshots = await ok(url, EVERYTHING, { at });
    await system.close();
    system = await start(undefined);
    expect(system.subgraphs.purchases.projector.snapshotStats()).toBeUndefined();
    expect(await ok(system.gateway.url, EVERYTHING, { at })).toEqual(withSnapshots);
  });
});
