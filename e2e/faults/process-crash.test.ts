import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  CONSISTENCY_HEADER,
  createEmbeddedLog,
  createKafkaLog,
  decodeRecord,
  encodePosition,
  silentLogger,
} from '@shop/event-core';
import { startProductsSubgraph } from '@shop/products-subgraph';
import { eventTopics } from '@shop/schema';
import {
  attempt,
  freePort,
  readTopic,
  runClients,
  sleep,
  spawnService,
  waitReady,
  waitUntil,
  type Outcome,
  type ServiceProcess,
} from '../support/faults.ts';
import { ok } from '../support/graphql.ts';
import { CREATE_PRODUCT } from '../support/operations.ts';

// `kill -9` of a subgraph running as its own process, while clients write to it.

const brokers = inject('kafkaBrokers');
const ENTRY = 'subgraphs/products/src/main.ts';
const PRODUCTS = `{ products(first: 500) { totalCount nodes { id name price version createdAt updatedAt } } }`;

describe('kill -9 of a subgraph process on Kafka', { timeout: 240_000 }, () => {
  const prefix = `faults.crash.${randomUUID().slice(0, 8)}.`;
  const topics = eventTopics(prefix);
  const log = createKafkaLog({ brokers: brokers.split(','), clientId: `faults-crash-${randomUUID().slice(0, 8)}` });
  const processes: ServiceProcess[] = [];
  afterAll(async () => {
    for (const service of processes) service.kill('SIGKILL');
    await log.close();
  });

  it('restarts with the same state as its peers, each retried write applied once', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/graphql`;
    const env = { KAFKA_BROKERS: brokers, PRODUCTS_PORT: String(port), TOPIC_PREFIX: prefix };
    const start = (): ServiceProcess => {
      const service = spawnService(ENTRY, env);
      processes.push(service);
      return service;
    };
    let service = start();
    await waitReady(service, url);

    // Clients that retry a failed write with its idempotency key until it succeeds (for at most a
    // minute), as a client that must not lose or double a write would. Each writes 25 products.
    let retries = 0;
    const clients = runClients(
      4,
      async (client, n): Promise<Outcome> => {
        const name = `crash-${client}-${n}`;
        for (let tries = 1; ; tries++) {
          const outcome = await attempt(name, url, CREATE_PRODUCT, { input: { name, price: '1.00' }, key: name });
          if (outcome.ok || tries >= 300) return outcome;
          retries++;
          await sleep(200);
        }
      },
      { maxPerClient: 25 },
    );
    await waitUntil(() => clients.outcomes.length >= 30, 'thirty acknowledged writes');
    service.kill('SIGKILL');
    const killed = await service.exited;
    expect(killed.signal).toBe('SIGKILL');
    const acknowledgedBeforeKill = clients.outcomes.length;
    await sleep(1_000);
    service = start();
    const restartMs = await waitReady(service, url);
    const outcomes = await clients.done;

    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
    const names = outcomes.map((o) => o.label);
    expect(names).toHaveLength(100);
    // Exactly one event per write, however often it was retried across the crash.
    const records = await readTopic(log, topics.products);
    expect(records).toHaveLength(100);
    const marks = await log.highWaterMarks(topics.products);
    const peer = await startProductsSubgraph({ log, logger: silentLogger, topics, port: 0 });
    try {
      const token = { [CONSISTENCY_HEADER]: encodePosition({ [topics.products]: marks }) };
      const restarted = await ok(url, PRODUCTS, {}, token);
      expect(restarted).toEqual(await ok(peer.url, PRODUCTS, {}, token));
      expect(restarted.products.nodes.map((p: { name: string }) => p.name).sort()).toEqual([...names].sort());
      console.info(
        `crash on Kafka: ${acknowledgedBeforeKill} writes acknowledged before kill -9, ${retries} retries, ` +
          `${records.length} events for ${names.length} writes, restart ready in ${restartMs} ms`,
      );
    } finally {
      await peer.close();
    }
  });
});

describe('kill -9 of a process writing to the embedded log', { timeout: 240_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'shop-crash-'));
  const processes: ServiceProcess[] = [];
  afterAll(() => {
    for (const service of processes) service.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses no acknowledged mutation', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/graphql`;
    const env = { DATA_DIR: dir, PRODUCTS_PORT: String(port) };
    const first = spawnService(ENTRY, env);
    processes.push(first);
    await waitReady(first, url);

    // No retries here: every acknowledged response must be in the log after the crash.
    const clients = runClients(
      8,
      (client, n) =>
        attempt(`embedded-${client}-${n}`, url, CREATE_PRODUCT, { input: { name: `embedded-${client}-${n}`, price: '1.00' } }),
      {
        pauseAfterFailureMs: 50,
      },
    );
    await waitUntil(() => clients.outcomes.filter((o) => o.ok).length >= 60, 'sixty acknowledged writes');
    first.kill('SIGKILL');
    await first.exited;
    const outcomes = await clients.stop();
    const acknowledged = outcomes.filter((o) => o.ok).map((o) => (o.data as { createProduct: { id: string } }).createProduct.id);
    // Requests cut off by the kill end without a response: neither acknowledged nor known.
    const cutOff = outcomes.filter((o) => o.network !== undefined && o.network !== 'ECONNREFUSED').length;

    const log = createEmbeddedLog({ file: join(dir, 'events.sqlite') });
    try {
      const stored = (await readTopic(log, eventTopics().products)).map((record) => {
        const decoded = decodeRecord(record);
        return decoded.format === 'envelope' ? decoded.event.entityId : '';
      });
      const lost = acknowledged.filter((id) => !stored.includes(id));
      console.info(
        `crash on the embedded log: ${acknowledged.length} acknowledged, ${cutOff} cut off, ${stored.length} events stored, ${lost.length} lost`,
      );
      expect(lost).toEqual([]);
      expect(stored.length).toBeGreaterThanOrEqual(acknowledged.length);
      expect(stored.length).toBeLessThanOrEqual(acknowledged.length + cutOff);
    } finally {
      await log.close();
    }

    const second = spawnService(ENTRY, env);
    processes.push(second);
    await waitReady(second, url);
    const ids = new Set(
      (await ok(url, `{ products(first: 500) { nodes { id } } }`)).products.nodes.map((p: { id: string }) => p.id),
    );
    expect(acknowledged.filter((id) => !ids.has(id))).toEqual([]);
  });
});
