import { describe, expect, it } from 'vitest';
import {
  createEmbeddedLog,
  decodeRecord,
  DomainError,
  encodeEvent,
  RecordReader,
  type EventLog,
  type LogRecord,
  type OutgoingRecord,
} from '@shop/event-core';
import { TOPICS } from '@shop/schema';
import { decide } from '../src/domain.ts';
import { ProductsReadModel } from '../src/read-model.ts';

const TOPIC = TOPICS.products;
const T0 = '2026-01-01T10:00:00.000Z';
const T1 = '2026-01-01T11:00:00.000Z';
const T2 = '2026-01-01T12:00:00.000Z';
const ctx = (now: string, actor = 'tester') => ({ eventId: `e-${now}-${Math.random()}`, now, meta: { actor } });
const legacy = (eventType: 'set' | 'remove', payload: Record<string, unknown>): OutgoingRecord => ({
  key: payload.id as string,
  value: JSON.stringify({ eventType, payload }),
});

/** A log holding `records`, a read model that applied all of them, and a reader that counts log reads. */
async function given(records: readonly OutgoingRecord[], { drop = [] as number[] } = {}) {
  const inner = createEmbeddedLog({ file: ':memory:' });
  await inner.provision([{ topic: TOPIC }]);
  await inner.append(TOPIC, records);
  const all = await inner.read(
    TOPIC,
    0,
    records.map((_, i) => i),
  );
  const model = new ProductsReadModel();
  for (const record of all) model.apply(TOPIC, decodeRecord(record), record);
  const reads: number[][] = [];
  // `drop`: records removed since the model read them (compaction while the service runs).
  const log: EventLog = {
    ...inner,
    read: async (topic, partition, offsets) => {
      reads.push([...offsets].sort((a, b) => a - b));
      return (await inner.read(topic, partition, offsets)).filter((r: LogRecord) => !drop.includes(r.offset));
    },
  };
  return { model, past: model.pastStates(new RecordReader({ log, topic: TOPIC, cacheSize: 0 })), reads };
}

function scripted(): OutgoingRecord[] {
  const created = decide(undefined, { type: 'CreateProduct', id: 'p1', name: 'Butter', priceCents: 150 }, ctx(T0, 'alice'));
  const state = { id: 'p1', name: 'Butter', priceCents: 150, version: 1, createdAt: T0, updatedAt: T0, deletedAt: null };
  const repriced = decide(state, { type: 'UpdateProduct', id: 'p1', priceCents: 199 }, ctx(T1, 'bob'));
  const deleted = decide(
    { ...state, priceCents: 199, version: 2, updatedAt: T1 },
    { type: 'DeleteProduct', id: 'p1' },
    ctx(T2, 'carol'),
  );
  const other = decide(undefined, { type: 'CreateProduct', id: 'p2', name: 'Gum', priceCents: 10 }, ctx(T1));
  return [created, other, repriced, deleted].map(encodeEvent);
}

describe('past states and history of products, read from the log', () => {
  it('reads one record for a past state, none when nothing changed since', async () => {
    const { model, past, reads } = await given(scripted());
    const cut = model.times.cut(TOPIC, { kind: 'instant', atMs: Date.parse(T1) });
    expect(await past.stateAt('p1', cut, () => model.products.get('p1'))).toMatchObject({
      priceCents: 199,
      version: 2,
      deletedAt: null,
    });
    expect(reads).toEqual([[2]]);
    expect(await past.stateAt('p2', cut, () => model.products.get('p2'))).toMatchObject({ name: 'Gum' });
    expect(reads).toHaveLength(1);
    expect(await past.stateAt('p1', { 0: 0 }, () => model.products.get('p1'))).toBeUndefined();
  });

  it('pages a history with the state before the page read too, so its first entry has its changes', async () => {
    const { past, reads } = await given(scripted());
    const page = await past.page('p1', { first: 1, newestFirst: true });
    expect(page.totalCount).toBe(3);
    expect(page.nodes).toEqual([
      expect.objectContaining({
        type: 'ProductDeleted',
        version: 3,
        actor: 'carol',
        occurredAt: T2,
        changes: [{ field: 'deletedAt', before: null, after: T2 }],
      }),
    ]);
    expect(reads).toEqual([[2, 3]]);
  });

  it('replays an entity with original-system records from its first record: they carry no version nor creation time', async () => {
    const records = [
      legacy('set', { id: 'L', name: 'Butter', price: 1.5 }),
      legacy('set', { id: 'L', name: 'Butter', price: 1.75 }),
      legacy('remove', { id: 'L' }),
      legacy('set', { id: 'L', name: 'Back', price: 2 }),
    ];
    const { model, past, reads } = await given(records);
    const before = await past.stateAt('L', { 0: 3 }, () => model.products.get('L'));
    expect(before).toMatchObject({ name: 'Butter', priceCents: 175, version: 3, deletedAt: expect.any(String) });
    expect(reads).toEqual([[0, 1, 2]]);
    const history = await past.page('L', {});
    expect(history.nodes.map((n) => [n.type, n.version, n.actor])).toEqual([
      ['ProductCreated', 1, 'legacy'],
      ['ProductUpdated', 2, 'legacy'],
      ['ProductDeleted', 3, 'legacy'],
      ['ProductUpdated', 4, 'legacy'],
    ]);
    expect(history.nodes[3]!.changes).toEqual([
      { field: 'name', before: 'Butter', after: 'Back' },
      { field: 'price', before: '1.75', after: '2.00' },
      { field: 'deletedAt', before: expect.any(String), after: null },
    ]);
  });

  it('starts the history of a compacted product at its first kept record, whole', async () => {
    const [, , repriced, deleted] = scripted();
    const { model, past } = await given([repriced!, deleted!]);
    expect(model.products.get('p1')).toMatchObject({ version: 3, deletedAt: T2 });
    const history = await past.page('p1', {});
    expect(history.nodes.map((n) => [n.type, n.version])).toEqual([
      ['ProductUpdated', 2],
      ['ProductDeleted', 3],
    ]);
    expect(history.nodes[0]!.changes).toEqual([
      { field: 'name', before: null, after: 'Butter' },
      { field: 'price', before: null, after: '1.99' },
    ]);
  });

  it('says NOT_FOUND, and why, for a past state whose record compaction removed since', async () => {
    const { model, past } = await given(scripted(), { drop: [2] });
    const error = await past.stateAt('p1', { 0: 3 }, () => model.products.get('p1')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('NOT_FOUND');
    expect((error as DomainError).message).toMatch(/TOPIC_RETENTION=full/);
    expect((await past.page('p1', {})).nodes.map((n) => n.version)).toEqual([1, 3]);
  });

  it('lists products as of a cut, reading only those that changed since', async () => {
    const { model, past, reads } = await given(scripted());
    const cut = model.times.cut(TOPIC, { kind: 'instant', atMs: Date.parse(T1) });
    const page = await past.listAt(cut, {}, (id) => model.products.get(id));
    expect(page.totalCount).toBe(2);
    expect(page.nodes.map((p) => [p.id, p.priceCents, p.deletedAt])).toEqual([
      ['p1', 199, null],
      ['p2', 10, null],
    ]);
    expect(reads).toEqual([[2]]);
    expect((await past.listAt({ 0: 4 }, {}, (id) => model.products.get(id))).nodes.map((p) => p.id)).toEqual(['p2']);
  });
});
