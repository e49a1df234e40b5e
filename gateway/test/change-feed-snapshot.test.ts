import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createEmbeddedLog,
  createLogger,
  decodePosition,
  decodeRecord,
  decodeSnapshot,
  encodeEvent,
  encodePosition,
  encodeSnapshot,
  silentLogger,
  type EventEnvelope,
  type EventLog,
  type LogRecord,
  type Position,
  type SnapshotSettings,
} from '@shop/event-core';
import { eventTopics, TOPICS } from '@shop/schema';
import { startSystem, type RunningSystem } from '@shop/system';
import { ChangeFeed, type Change } from '../src/subscriptions/change-feed.ts';
import { post, socketClient, until } from './support/system.ts';

const T0 = Date.parse('2026-01-01T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** One record of a random history of the three topics: rejections, retries, legacy and poison records included. */
type Step =
  | {
      readonly kind: 'product' | 'customer';
      readonly id: number;
      readonly version: number;
      readonly deleted: boolean;
      readonly key: number | undefined;
      readonly legacy: boolean;
    }
  | {
      readonly kind: 'purchase';
      readonly id: number;
      readonly key: number | undefined;
      readonly partition: number;
      readonly legacy: boolean;
    }
  | { readonly kind: 'poison'; readonly topic: 'products' | 'customers' | 'purchases'; readonly decodes: boolean };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constantFrom('product' as const, 'customer' as const),
      id: fc.nat(4),
      // Wrong versions (lost races) as well as right ones.
      version: fc.integer({ min: 1, max: 4 }),
      deleted: fc.boolean(),
      // Repeated keys: a retry that raced its first attempt.
      key: fc.option(fc.nat(4), { nil: undefined }),
      legacy: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('purchase' as const),
      // Repeated ids and keys: a purchase already made, a retry.
      id: fc.nat(20),
      key: fc.option(fc.nat(6), { nil: undefined }),
      partition: fc.nat(1),
      legacy: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('poison' as const),
      topic: fc.constantFrom('products' as const, 'customers' as const, 'purchases' as const),
      // Not JSON at all, or an envelope of a type the topic does not hold.
      decodes: fc.boolean(),
    }),
  },
);

/** The records a history makes, at dense offsets per topic and partition, as the log would hold them. */
function recordsOf(steps: readonly Step[]): LogRecord[] {
  const offsets = new Map<string, number>();
  return steps.map((s, n) => {
    const occurredAt = iso(T0 + n * 1000);
    let topic: string;
    let partition = 0;
    let key: string | null;
    let value: string | Buffer;
    if (s.kind === 'poison') {
      topic = TOPICS[s.topic];
      partition = n % 2;
      key = `x${n}`;
      value = s.decodes
        ? encodeEvent({ id: `e${n}`, type: 'Unheard', entityId: `x${n}`, version: 1, occurredAt, data: {}, meta: {} }).value
        : '{"not": json';
    } else if (s.kind === 'purchase') {
      topic = TOPICS.purchases;
      partition = s.partition;
      const id = `u${s.id}`;
      const data = { id, productId: `p${s.id % 3}`, customerId: `c${s.id % 2}`, total: '1.50', transactionDate: occurredAt };
      key = id;
      value = s.legacy
        ? JSON.stringify({ eventType: 'set', payload: { ...data, total: 1.5 } })
        : encodeEvent(envelope(n, 'PurchaseMade', id, 1, data, s.key)).value;
    } else {
      const product = s.kind === 'product';
      topic = product ? TOPICS.products : TOPICS.customers;
      const id = `${product ? 'p' : 'c'}${s.id}`;
      partition = s.id % 2;
      key = id;
      const fields = product ? { name: `Product ${n}`, price: '2.00' } : { firstName: `Pat ${n}`, lastName: 'Doe' };
      if (s.legacy) {
        value = JSON.stringify({
          eventType: s.deleted ? 'remove' : 'set',
          payload: { id, ...fields, ...(product ? { price: 2 } : {}) },
        });
      } else {
        const type = s.version === 1 ? 'Created' : s.deleted ? 'Deleted' : 'Updated';
        const data = {
          id,
          ...fields,
          createdAt: iso(T0),
          updatedAt: occurredAt,
          deletedAt: type === 'Deleted' ? occurredAt : null,
        };
        value = encodeEvent(envelope(n, `${product ? 'Product' : 'Customer'}${type}`, id, s.version, data, s.key)).value;
      }
    }
    const slot = `${topic}/${partition}`;
    const offset = offsets.get(slot) ?? 0;
    offsets.set(slot, offset + 1);
    return { topic, partition, offset, key, value: Buffer.from(value), headers: {}, timestampMs: T0 + n };
  });
}

function envelope(
  n: number,
  type: string,
  entityId: string,
  version: number,
  data: object,
  key: number | undefined,
): EventEnvelope {
  return {
    id: `e${n}`,
    type,
    entityId,
    version,
    occurredAt: iso(T0 + n * 1000),
    data,
    meta: key === undefined ? {} : { idempotencyKey: `k${key}` },
  };
}

/** Applies records as the projector does: one that cannot be decoded or applied is skipped. */
function applyAll(feed: ChangeFeed, records: readonly LogRecord[]): void {
  for (const record of records) {
    let decoded;
    try {
      decoded = decodeRecord(record);
    } catch {
      continue;
    }
    try {
      feed.apply(record.topic, decoded, record);
    } catch {
      // Skipped, and remembered by the feed as not a change.
    }
  }
}

const dir = mkdtempSync(join(tmpdir(), 'shop-feed-snapshots-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a change feed restored from a snapshot', () => {
  // The feed's constructor only keeps the log; these feeds are fed by hand and never started.
  const idle = createEmbeddedLog({ file: ':memory:' });
  afterAll(() => idle.close());

  it('dispatches the same changes as a full replay, and rejects and skips the same records, after any history and any tail', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 80 }), fc.nat(), async (steps, cutAt) => {
        const records = recordsOf(steps);
        const split = cutAt % (records.length + 1);
        const full = new ChangeFeed(TOPICS, idle, silentLogger);
        applyAll(full, records.slice(0, split));
        const fromFull: Change[] = [];
        full.listen((change) => fromFull.push(change));
        applyAll(full, records.slice(split));

        const before = new ChangeFeed(TOPICS, idle, silentLogger);
        applyAll(before, records.slice(0, split));
        // Through the container a stored snapshot takes (v8 serialization, checksum).
        const header = {
          model: before.snapshotModel,
          modelVersion: 1,
          positions: {},
          fingerprints: {},
          events: split,
          createdAt: '',
        };
        const { state } = decodeSnapshot(await encodeSnapshot(header, before.toSnapshot()));
        const restored = new ChangeFeed(TOPICS, idle, silentLogger);
        restored.restore(state);
        const fromRestored: Change[] = [];
        restored.listen((change) => fromRestored.push(change));
        applyAll(restored, records.slice(split));

        expect(fromRestored).toEqual(fromFull);
        // The same mirrors, purchase ids and keys, and the same records known as not changes:
        // a replay from any `after` skips the same ones.
        expect(restored.toSnapshot()).toEqual(full.toSnapshot());
      }),
      { numRuns: 200 },
    );
  });
});

const PRODUCT_CHANGED = `subscription ($after: String) { productChanged(after: $after) { kind position product { id } } }`;
const CREATE_PRODUCT = `mutation ($name: String!) { createProduct(input: { name: $name, price: 1 }) { id version } }`;
const UPDATE_PRODUCT = `mutation ($id: ID!, $name: String!) { updateProduct(id: $id, input: { name: $name, price: 2 }) { id version } }`;

interface Received {
  readonly kind: string;
  readonly position: Position;
  readonly id: string;
}

describe('a subscriber resuming with after across a restart of the gateway from a snapshot', () => {
  const topics = eventTopics('feed-snapshots.');
  const log: EventLog = createEmbeddedLog({ file: join(dir, 'events.sqlite') });
  const snapshots: SnapshotSettings = { store: log.snapshotStore!({ topicPrefix: 'feed-snapshots.' }) };
  let system: RunningSystem | undefined;
  afterAll(async () => {
    await system?.close();
    await log.close();
  });

  const start = async () =>
    (system = await startSystem({
      log,
      logger: createLogger({ level: 'silent' }),
      topics,
      ports: { gateway: 0, products: 0, customers: 0, purchases: 0 },
      snapshots,
    }));
  const ok = async (url: string, query: string, variables: Record<string, unknown>) => {
    const { json } = await post(url, { query, variables });
    expect(json.errors).toBeUndefined();
    return json.data;
  };
  /** A product record written straight to the log, as another writer (or a lost race) would. */
  const appendProduct = async (type: 'ProductCreated' | 'ProductUpdated', id: string, version: number, name: string) => {
    const at = new Date().toISOString();
    await log.append(topics.products, [
      encodeEvent({
        id: `${id}-${version}-${name}`,
        type,
        entityId: id,
        version,
        occurredAt: at,
        data: { id, name, price: '3.00', createdAt: at, updatedAt: at, deletedAt: null },
        meta: {},
      }),
    ]);
  };
  /** Subscribes from `after`, collects payloads until `enough` says so, and leaves. */
  const subscribe = async (url: string, after: string, enough: (received: readonly Received[]) => boolean) => {
    const client = socketClient(url);
    const received: Received[] = [];
    let failed: unknown;
    client.subscribe(
      { query: PRODUCT_CHANGED, variables: { after } },
      {
        next: (result) => {
          const change = (result.data as { productChanged: { kind: string; position: string; product: { id: string } } })
            .productChanged;
          received.push({ kind: change.kind, position: decodePosition(change.position), id: change.product.id });
        },
        error: (error) => (failed = error),
        complete: () => undefined,
      },
    );
    try {
      await until(() => failed !== undefined || enough(received), 'the subscriber received what it waits for');
    } finally {
      await client.dispose();
    }
    expect(failed).toBeUndefined();
    return received;
  };

  it('receives every change after its position once, in log order, and none of the records the feed rejected before or after the snapshot', async () => {
    let url = (await start()).gateway.url;
    const ids: string[] = [];
    for (const name of ['Butter', 'Bread', 'Jam']) ids.push((await ok(url, CREATE_PRODUCT, { name })).createProduct.id);
    // Before the snapshot: changes, a lost race and a poison record the feed does not count as changes.
    await ok(url, UPDATE_PRODUCT, { id: ids[0], name: 'Salted Butter' });
    await appendProduct('ProductUpdated', ids[1]!, 5, 'Lost race');
    await log.append(topics.products, [{ key: 'poison', value: '{"not": json' }]);
    await ok(url, UPDATE_PRODUCT, { id: ids[1], name: 'Brown Bread' });
    // A subscriber from the start: once it has the last change, the feed has applied everything.
    const received = await subscribe(url, encodePosition({}), (changes) => changes.length >= 5);
    const resumeAt = received[0]!.position;
    // A graceful stop saves a snapshot of the feed.
    await system!.close();
    system = undefined;

    // While the gateway is down: a change, and records the mirrors restored from the snapshot
    // reject (a version already taken, a second create).
    await appendProduct('ProductUpdated', ids[2]!, 2, 'Strawberry Jam');
    await appendProduct('ProductUpdated', ids[0]!, 2, 'Lost race too');
    await appendProduct('ProductCreated', ids[1]!, 1, 'Created twice');

    const restarted = await start();
    url = restarted.gateway.url;
    const metrics = await (await fetch(new URL('/metrics', url))).text();
    // The feed started from its snapshot and read only the three records written after it.
    expect(metrics).toContain(`shop_snapshot_offset{service="gateway",topic="${topics.products}",partition="0"} 7\n`);
    expect(gatewayCount(metrics, 'applied')).toBe(1);
    expect(gatewayCount(metrics, 'rejected')).toBe(2);

    // Resumed from the first change: the rest before the snapshot, those after it, then a live one.
    // The live change comes after every replayed one: once it is here, nothing more is on its way.
    const live: { id?: string } = {};
    const resumed = subscribe(url, encodePosition(resumeAt), (changes) => changes.some((change) => change.id === live.id));
    await until(() => restarted.gateway.subscriptionStats().active === 1, 'the gateway holds the subscription');
    live.id = (await ok(url, CREATE_PRODUCT, { name: 'After the restart' })).createProduct.id;
    const afterRestart = await resumed;

    // What a feed that replays the whole log counts as changes, after the subscriber's position.
    const reference = new ChangeFeed(topics, log, silentLogger);
    const expected: Received[] = [];
    reference.listen((change) => {
      if (change.topic === topics.products && change.offset >= resumeAt[topics.products]![0]!)
        expected.push({ kind: change.kind, position: change.position, id: change.entityId });
    });
    await reference.start();
    await reference.stop();
    expect(expected.map((change) => change.kind)).toEqual(['CREATED', 'CREATED', 'UPDATED', 'UPDATED', 'UPDATED', 'CREATED']);
    expect(afterRestart).toEqual(expected);
  });
});

/** `shop_events_<count>_total` of the gateway's feed, all topics together. */
function gatewayCount(metrics: string, count: 'applied' | 'rejected'): number {
  let total = 0;
  const line = new RegExp(`^shop_events_${count}_total\\{service="gateway",topic="[^"]*"\\} (\\d+)`, 'gm');
  for (const [, value] of metrics.matchAll(line)) total += Number(value);
  return total;
}
