import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventWriter, createProjector, decodeRecord, DomainError, silentLogger, type LogRecord } from '@shop/event-core';
import type { Role, TokenHolder } from '../src/security.ts';
import { post, startTestSystem } from './support/system.ts';

/** Every record of a topic, read from the start. */
async function recordsOf(log: Awaited<ReturnType<typeof startTestSystem>>['log'], topic: string): Promise<LogRecord[]> {
  const marks = await log.highWaterMarks(topic);
  const offsets = Array.from({ length: marks[0] ?? 0 }, (_, i) => i);
  return log.read(topic, 0, offsets);
}

const HOSTILE: Record<string, string>[] = [
  { 'x-correlation-id': 'c'.repeat(201) },
  { 'x-correlation-id': 'c'.repeat(8000) },
  { 'x-correlation-id': 'two words' },
  { 'x-correlation-id': '%0d%0aX-Injected: 1' },
  { 'x-actor': 'a'.repeat(201) },
  { 'x-actor': 'a'.repeat(8000) },
  { 'x-actor': '\u00e9'.repeat(300) },
  { 'x-actor': '   ' },
  { 'x-actor': 'mallory', 'x-correlation-id': 'x'.repeat(300) },
];

describe('headers that reach an event are normalised at the edge: no request makes an event the readers refuse', () => {
  let started: Awaited<ReturnType<typeof startTestSystem>>;
  beforeAll(async () => {
    started = await startTestSystem();
  }, 120_000);
  afterAll(async () => {
    await started?.close();
  });

  it('stores and applies every write at once, through the gateway and straight at a subgraph', async () => {
    const { url, system, log, topics } = started;
    let n = 0;
    for (const target of [url, system.subgraphs.products.url]) {
      for (const headers of HOSTILE) {
        const answer = await post(
          target,
          { query: `mutation { createProduct(input: { name: "Hostile ${n++}", price: 1 }) { id name } }` },
          headers,
        );
        // A write the readers refused would never be applied: UNAVAILABLE (stored YES) after the mutation timeout.
        expect(answer.json.errors, JSON.stringify(headers).slice(0, 80)).toBeUndefined();
        expect(answer.json.data?.createProduct.name).toBe(`Hostile ${n - 1}`);
      }
    }
    const records = await recordsOf(log, topics.products);
    expect(records).toHaveLength(n);
    for (const record of records) {
      const decoded = decodeRecord(record);
      expect(decoded.format).toBe('envelope');
      if (decoded.format !== 'envelope') continue;
      expect(decoded.event.meta.correlationId!.length).toBeLessThanOrEqual(100);
      expect(decoded.event.meta.actor?.length ?? 0).toBeLessThanOrEqual(200);
    }
    expect(system.subgraphs.products.projector.stats().skipped).toBe(0);
  });

  it('the writer refuses, with nothing stored, an event the readers would skip', async () => {
    const { log, topics } = started;
    const projector = createProjector({
      name: 'test',
      log,
      logger: silentLogger,
      projection: {
        topics: [topics.customers],
        apply: (_t, decoded) => ({ ok: true, entityId: decoded.format === 'envelope' ? decoded.event.entityId : '' }),
      },
    });
    await projector.start();
    const writer = createEventWriter({ log, projector, topic: topics.customers, timeoutMs: 2000 });
    const before = (await log.highWaterMarks(topics.customers))[0];
    const event = {
      id: 'e-too-long',
      type: 'CustomerCreated',
      entityId: 'c1',
      version: 1,
      occurredAt: new Date().toISOString(),
      data: {},
    };
    for (const meta of [{ correlationId: 'x'.repeat(201) }, { actor: 'y'.repeat(201) }]) {
      const refused = await writer.write({ ...event, meta }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(DomainError);
      expect((refused as DomainError).code).toBe('BAD_USER_INPUT');
      expect((refused as DomainError).details.stored).toBe('NO');
    }
    const refusedType = await writer.write({ ...event, type: 'not an event name', meta: {} }).catch((error: unknown) => error);
    expect((refusedType as DomainError).code).toBe('BAD_USER_INPUT');
    expect((await log.highWaterMarks(topics.customers))[0]).toBe(before);
    await projector.stop();
  });
});

describe('with tokens, who made a change comes from the token, not from a header', () => {
  const ALICE = 'alice-editor-token-0123456789';
  const EDITOR = 'plain-editor-token-0123456789';
  let started: Awaited<ReturnType<typeof startTestSystem>>;
  beforeAll(async () => {
    started = await startTestSystem({
      security: {
        tokens: new Map<string, Role | TokenHolder>([
          [ALICE, { role: 'editor', name: 'alice' }],
          [EDITOR, 'editor'],
        ]),
      },
    });
  }, 120_000);
  afterAll(async () => {
    await started?.close();
  });

  it('records the name of the token holder (or its role) as the actor, whatever X-Actor says', async () => {
    const { url } = started;
    const actors: (string | null)[] = [];
    for (const token of [ALICE, EDITOR]) {
      const created = await post(
        url,
        { query: 'mutation { createProduct(input: { name: "Who", price: 1 }) { id } }' },
        { authorization: `Bearer ${token}`, 'x-actor': 'mallory' },
      );
      expect(created.json.errors).toBeUndefined();
      const history = await post(
        url,
        { query: `{ product(id: "${created.json.data.createProduct.id}") { history { nodes { actor } } } }` },
        { authorization: `Bearer ${token}`, 'cache-control': 'no-cache' },
      );
      actors.push(history.json.data.product.history.nodes[0].actor);
    }
    expect(actors).toEqual(['alice', 'editor']);
  });
});
