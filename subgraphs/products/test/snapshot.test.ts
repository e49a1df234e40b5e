import { deserialize, serialize } from 'node:v8';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError, decodeRecord, encodeEvent, type LogRecord, type WholeStateSnapshot } from '@shop/event-core';
import { TOPICS } from '@shop/schema';
import type { Product } from '../src/domain.ts';
import { ProductsReadModel } from '../src/read-model.ts';

const T0 = Date.parse('2026-01-01T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

const step = fc.record({
  id: fc.nat(6),
  // Wrong versions are rejected by the model (lost races); right ones create, update, delete.
  version: fc.integer({ min: 1, max: 4 }),
  name: fc.constantFrom('Butter', 'Peanut Butter', 'Bread', 'Brown Bread', 'Jam'),
  cents: fc.constantFrom(100, 150, 999),
  deleted: fc.boolean(),
  key: fc.option(fc.nat(5), { nil: undefined }),
  partition: fc.nat(2),
  /**
   * As an event, as the original system wrote it (`{eventType: "set" | "remove", payload}`, an
   * upsert, the price a number), or a record that is no event (the projector logs it and goes on).
   */
  form: fc.constantFrom('event' as const, 'event' as const, 'legacy' as const, 'poison' as const),
});

type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

function recordsOf(steps: readonly Step[]): LogRecord[] {
  const offsets = new Map<number, number>();
  return steps.map((s, n) => {
    const occurredAt = iso(T0 + n * 1000);
    const type = s.version === 1 ? 'ProductCreated' : s.deleted ? 'ProductDeleted' : 'ProductUpdated';
    const id = `p${s.id}`;
    const legacy = { eventType: s.deleted ? 'remove' : 'set', payload: { id, name: s.name, price: s.cents / 100 } };
    const encoded =
      s.form === 'event'
        ? encodeEvent({
            id: `e${n}`,
            type,
            entityId: id,
            version: s.version,
            occurredAt,
            data: {
              id,
              name: s.name,
              price: (s.cents / 100).toFixed(2),
              createdAt: iso(T0 + s.id * 7),
              updatedAt: occurredAt,
              deletedAt: type === 'ProductDeleted' ? occurredAt : null,
            },
            meta: s.key === undefined ? {} : { idempotencyKey: `k${s.key}` },
          })
        : { key: s.form === 'legacy' ? id : null, value: s.form === 'legacy' ? JSON.stringify(legacy) : '{"eventType":"set"}' };
    // An entity's events stay in one partition, as a keyed topic keeps them.
    const partition = s.id % 3;
    const offset = offsets.get(partition) ?? 0;
    offsets.set(partition, offset + 1);
    return {
      topic: TOPICS.products,
      partition,
      offset,
      key: encoded.key,
      value: Buffer.from(encoded.value),
      headers: {},
      timestampMs: T0 + n * 1000,
    };
  });
}

/** Applies each record as the projector does: one that is no event is skipped. */
const applyAll = (model: ProductsReadModel, records: readonly LogRecord[]) => {
  for (const record of records) {
    try {
      model.apply(record.topic, decodeRecord(record), record);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
    }
  }
};

function lists(model: ProductsReadModel) {
  return (['CREATED_AT', 'NAME', 'PRICE'] as const).flatMap((order) =>
    [false, true].map((descending) => {
      const page = model.lists!.page({ order, descending, first: 500, search: order === 'NAME' ? 'b' : undefined });
      return { ids: page.nodes.map((p) => p.id), total: page.totalCount, cursors: page.edges.map((e) => e.cursor) };
    }),
  );
}

describe('a products read model restored from a snapshot', () => {
  it('holds the same entities, history, times and lists as a full replay, after any history and any tail', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), fc.nat(), (steps, cutAt) => {
        const records = recordsOf(steps);
        const split = cutAt % (records.length + 1);
        const full = new ProductsReadModel();
        applyAll(full, records);
        full.caughtUp();
        const before = new ProductsReadModel();
        applyAll(before, records.slice(0, split));
        const snapshot = deserialize(serialize(before.toSnapshot())) as WholeStateSnapshot<Product>;
        const restored = new ProductsReadModel();
        restored.restore(snapshot);
        applyAll(restored, records.slice(split));
        restored.caughtUp();

        expect(restored.toSnapshot()).toEqual(full.toSnapshot());
        expect(lists(restored)).toEqual(lists(full));
        for (let n = 0; n < 7; n++) {
          expect(restored.history.count(`p${n}`)).toBe(full.history.count(`p${n}`));
          expect(restored.entityForKey(`k${n}`)).toBe(full.entityForKey(`k${n}`));
        }
        const cut = { 0: 1, 1: 2, 2: 0 };
        expect(restored.history.liveCountAt(cut)).toBe(full.history.liveCountAt(cut));
        expect(restored.history.pageAt(cut, { first: 100 })).toEqual(full.history.pageAt(cut, { first: 100 }));
      }),
      { numRuns: 200 },
    );
  });
});
