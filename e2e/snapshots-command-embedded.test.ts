import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmbeddedLog, encodeSnapshot, type SnapshotSettings } from '@shop/event-core';
import { CHANGE_FEED_SNAPSHOTS } from '@shop/gateway';
import { CustomersReadModel } from '@shop/customers-subgraph';
import { ProductsReadModel } from '@shop/products-subgraph';
import { PurchasesReadModel } from '@shop/purchases-subgraph';
import { eventTopics } from '@shop/schema';
import type { RunningSystem } from '@shop/system';
import { REPO_ROOT } from './support/faults.ts';
import { ok } from './support/graphql.ts';
import { CREATE_PURCHASE } from './support/operations.ts';
import { createProductAndCustomer, startTestSystem } from './support/scenario.ts';

const dir = mkdtempSync(join(tmpdir(), 'shop-snapshots-command-'));
const PREFIX = 'command.';
/** The purchases read model's state version now; the test writes one from the version after it. */
const PURCHASES_VERSION = new PurchasesReadModel(eventTopics(PREFIX)).snapshotVersion;

/** `npm run snapshots -- <args>` on the embedded log in `dir`, as an operator runs it. */
function snapshots(...args: string[]): Promise<{ status: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'system/src/snapshots.ts'), ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dir, TOPIC_PREFIX: PREFIX, LOG_PRETTY: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return new Promise((resolve) => child.on('exit', (status) => resolve({ status, output })));
}

describe('npm run snapshots, on the embedded log', () => {
  const log = createEmbeddedLog({ file: join(dir, 'events.sqlite') });
  const topics = eventTopics(PREFIX);
  const settings: SnapshotSettings = { store: log.snapshotStore!({ topicPrefix: PREFIX }) };
  let system: RunningSystem | undefined;
  afterAll(async () => {
    await system?.close();
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the snapshots of every read model with whether a start uses them, and drops one or all so that the next start replays', async () => {
    system = await startTestSystem(log, topics, { snapshots: settings });
    const { productId, customerId } = await createProductAndCustomer(
      system.gateway.url,
      { name: 'Butter', price: '1.50' },
      { firstName: 'Pat', lastName: 'Doe' },
    );
    await ok(system.gateway.url, CREATE_PURCHASE, { input: { productId, customerId, total: '1.50' } });
    // A graceful stop saves a snapshot of each read model, the gateway's change feed included.
    await system.close();
    system = undefined;
    // One written by a later version of the purchases read model, whose state has another shape.
    const later = await encodeSnapshot(
      {
        model: 'purchases',
        modelVersion: PURCHASES_VERSION + 1,
        positions: {},
        fingerprints: {},
        events: 3,
        createdAt: new Date().toISOString(),
      },
      {},
    );
    await settings.store.save({ id: 'from-a-later-version', model: 'purchases', savedAtMs: Date.now() + 60_000, bytes: later });

    const listed = await snapshots('list');
    expect(listed.status).toBe(0);
    const lines = listed.output.trim().split('\n');
    for (const [model, events, version] of [
      ['products', 1, new ProductsReadModel().snapshotVersion],
      ['customers', 1, new CustomersReadModel().snapshotVersion],
      ['gateway-changes', 3, CHANGE_FEED_SNAPSHOTS.version],
    ] as const) {
      const at = lines.indexOf(`${model}: 1 snapshot`);
      expect(at, listed.output).toBeGreaterThanOrEqual(0);
      expect(lines[at + 1]).toMatch(
        new RegExp(`^  \\S+Z  [\\d.]+ (B|KiB)  ${events} events  state version ${version}: usable  \\S+$`),
      );
    }
    const purchases = lines.indexOf('purchases: 2 snapshots');
    expect(purchases, listed.output).toBeGreaterThanOrEqual(0);
    expect(lines[purchases + 1]).toMatch(
      new RegExp(
        ` {2}3 events {2}state version ${PURCHASES_VERSION + 1}, this version reads ${PURCHASES_VERSION}: ignored at start {2}from-a-later-version$`,
      ),
    );
    expect(lines[purchases + 2]).toMatch(new RegExp(` {2}3 events {2}state version ${PURCHASES_VERSION}: usable {2}\\S+$`));

    expect(await snapshots('drop', 'purchases')).toEqual({
      status: 0,
      output: 'dropped the snapshots of purchases: its next start replays the log\n',
    });
    const afterDrop = (await snapshots('list')).output;
    expect(afterDrop).toContain('purchases: none\n');
    expect(afterDrop).toContain('products: 1 snapshot\n');

    // Mistakes are said, and change nothing.
    const unknown = await snapshots('drop', 'orders');
    expect(unknown.status).toBe(2);
    expect(unknown.output).toMatch(
      /^no read model "orders": name one of products, customers, purchases, gateway-changes, or --all/,
    );
    const wrong = await snapshots('remove', 'products');
    expect(wrong.status).toBe(2);
    expect(wrong.output).toMatch(/^not a command: remove products\nusage: npm run snapshots -- <command>/);
    expect((await snapshots('list')).output).toContain('products: 1 snapshot\n');

    const all = await snapshots('drop', '--all');
    expect(all.status).toBe(0);
    expect((await snapshots('list')).output).toBe('products: none\ncustomers: none\npurchases: none\ngateway-changes: none\n');

    // With nothing left, every read model replays the log, and holds what was written.
    system = await startTestSystem(log, topics, { snapshots: settings });
    for (const subgraph of [system.subgraphs.products, system.subgraphs.customers, system.subgraphs.purchases]) {
      expect(subgraph.projector.snapshotStats()?.startedFrom).toBeUndefined();
      expect(subgraph.projector.stats().applied).toBeGreaterThan(0);
    }
    expect((await ok(system.gateway.url, `{ sales { purchaseCount revenue } }`)).sales).toEqual({
      purchaseCount: 1,
      revenue: '1.50',
    });
  });
});
