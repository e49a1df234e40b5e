import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createKafkaLog, decodeRecord } from '@shop/event-core';
import { eventTopics } from '@shop/schema';
import {
  attempt,
  freePort,
  readTopic,
  runClients,
  spawnService,
  waitReady,
  waitUntil,
  type ServiceProcess,
} from '../support/faults.ts';
import { CREATE_PRODUCT } from '../support/operations.ts';

// SIGTERM to a subgraph process while mutations are in flight.

const brokers = inject('kafkaBrokers');

describe('SIGTERM to a subgraph process during writes', () => {
  const prefix = `faults.sigterm.${randomUUID().slice(0, 8)}.`;
  const log = createKafkaLog({ brokers: brokers.split(','), clientId: `faults-sigterm-${randomUUID().slice(0, 8)}` });
  let service: ServiceProcess | undefined;
  afterAll(async () => {
    service?.kill('SIGKILL');
    await log.close();
  });

  it('finishes what it accepted, refuses the rest cleanly, flushes, closes and exits 0', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/graphql`;
    service = spawnService('subgraphs/products/src/main.ts', {
      KAFKA_BROKERS: brokers,
      PRODUCTS_PORT: String(port),
      TOPIC_PREFIX: prefix,
      LOG_LEVEL: 'info',
    });
    await waitReady(service, url);

    const clients = runClients(
      8,
      (client, n) =>
        attempt(`term-${client}-${n}`, url, CREATE_PRODUCT, { input: { name: `term-${client}-${n}`, price: '1.00' } }),
      {
        pauseAfterFailureMs: 20,
      },
    );
    await waitUntil(() => clients.outcomes.filter((o) => o.ok).length >= 20, 'twenty acknowledged writes');
    const signalledAt = Date.now();
    service.kill('SIGTERM');
    const exit = await service.exited;
    const outcomes = await clients.stop();
    const exitMs = exit.at - signalledAt;

    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
    expect(exitMs).toBeLessThan(20_000);
    // The shutdown ran to its end: the server drained, the projector stopped, the log closed.
    expect(service.output()).toContain('products stopped');

    const acknowledged = outcomes.filter((o) => o.ok);
    const inFlight = outcomes.filter((o) => o.startedAt < signalledAt && o.startedAt + o.ms >= signalledAt);
    // A request either got its answer, or failed without one: refused once the port closed, or
    // reset while it still waited in a connection the server had not read a request from yet
    // (the drain ends those; a busy event loop makes that window wider). An error answer must
    // say nothing was stored.
    const failedCleanly = (o: (typeof outcomes)[number]) =>
      o.network === 'ECONNREFUSED' || o.network === 'ECONNRESET' || (o.code === 'UNAVAILABLE' && o.extensions?.stored === 'NO');
    expect(outcomes.filter((o) => !o.ok && !failedCleanly(o))).toEqual([]);
    expect(inFlight.filter((o) => o.ok).length).toBeGreaterThan(0);

    // What proves the failures clean: every event in the log is an acknowledged mutation, and
    // every acknowledged mutation is there.
    const stored = (await readTopic(log, eventTopics(prefix).products)).map((record) => {
      const decoded = decodeRecord(record);
      return decoded.format === 'envelope' ? (decoded.event.data as { name: string }).name : '';
    });
    expect([...stored].sort()).toEqual(acknowledged.map((o) => o.label).sort());
    const count = (network: string) => outcomes.filter((o) => o.network === network).length;
    console.info(
      `SIGTERM: ${inFlight.length} requests in flight, ${inFlight.filter((o) => o.ok).length} of them completed; ${acknowledged.length} acknowledged, ` +
        `${stored.length} events; ${count('ECONNRESET')} reset before being read, ${count('ECONNREFUSED')} refused; exit 0 after ${exitMs} ms`,
    );
  });
});
