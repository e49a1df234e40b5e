import { describe, expect, it } from 'vitest';
import { formatAsOf, parseAsOf, type AsOf } from '../src/as-of.ts';
import { DecodeError } from '../src/codec.ts';
import type { EventEnvelope } from '../src/envelope.ts';
import { DomainError } from '../src/errors.ts';
import { createEmbeddedLog } from '../src/log/embedded.ts';
import type { EventLog } from '../src/log/port.ts';
import { decodePosition, encodePosition } from '../src/position.ts';
import { diffFields, HistoryIndex, OrderedIds, RecordReader, TimeIndex } from '../src/readmodel/index.ts';
import { defineEventVersions } from '../src/upcast.ts';

const T = (iso: string): number => Date.parse(iso);
const instant = (iso: string): AsOf => ({ kind: 'instant', atMs: T(iso) });
const position = (p: Record<string, Record<number, number>>): AsOf => ({ kind: 'position', position: p });

function badInputOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('BAD_USER_INPUT');
    return error as DomainError;
  }
  throw new Error('expected BAD_USER_INPUT, but nothing was thrown');
}

describe('parseAsOf', () => {
  it.each([
    ['2026-01-31T12:00:00Z', '2026-01-31T12:00:00.000Z'],
    ['2026-01-31T12:00:00.123Z', '2026-01-31T12:00:00.123Z'],
    ['2026-01-31T13:00:00+01:00', '2026-01-31T12:00:00.000Z'],
    ['2026-01-31T12:00Z', '2026-01-31T12:00:00.000Z'],
  ])('reads the instant %s as %s', (text, canonical) => {
    const asOf = parseAsOf(text);
    expect(asOf.kind).toBe('instant');
    expect(formatAsOf(asOf)).toBe(canonical);
  });

  it('reads a position token and gives it back as the same token', () => {
    const token = encodePosition({ 'eventbus.products': { 0: 4, 1: 2 } });
    const asOf = parseAsOf(token);
    expect(asOf).toEqual({ kind: 'position', position: { 'eventbus.products': { 0: 4, 1: 2 } } });
    expect(decodePosition(formatAsOf(asOf))).toEqual(decodePosition(token));
  });

  it.each(['2026-01-31T12:00:00', '2026-01-31', '2026-13-45T12:00:00Z', 'yesterday', '', '{}'])(
    'refuses %j with BAD_USER_INPUT naming both forms',
    (text) => {
      expect(badInputOf(() => parseAsOf(text)).message).toMatch(/ISO-8601/);
    },
  );
});

describe('TimeIndex', () => {
  const products = 'eventbus.products';
  const purchases = 'eventbus.purchases';
  const index = (): TimeIndex => {
    const times = new TimeIndex([products, purchases]);
    times.record(products, 0, 0, T('2026-01-01T10:00:00Z'));
    times.record(products, 0, 1, T('2026-01-01T11:00:00Z'));
    // A writer with a slow clock: its event counts as occurring when the one before it did.
    times.record(products, 0, 3, T('2026-01-01T10:30:00Z'));
    times.record(products, 0, 4, T('2026-01-01T12:00:00Z'));
    times.record(products, 1, 0, T('2026-01-01T10:45:00Z'));
    times.record(purchases, 0, 0, T('2026-01-01T10:15:00Z'));
    times.record(purchases, 0, 1, T('2026-01-01T11:30:00Z'));
    return times;
  };

  it('cuts each partition at the first event after an instant; an event at the instant is in', () => {
    const times = index();
    expect(times.cut(products, instant('2026-01-01T09:00:00Z'))).toEqual({ 0: 0, 1: 0 });
    expect(times.cut(products, instant('2026-01-01T10:00:00Z'))).toEqual({ 0: 1, 1: 0 });
    expect(times.cut(products, instant('2026-01-01T10:50:00Z'))).toEqual({ 0: 1, 1: 1 });
    expect(times.cut(products, instant('2026-01-01T11:00:00Z'))).toEqual({ 0: 4, 1: 1 });
    expect(times.cut(products, instant('2030-01-01T00:00:00Z'))).toEqual({ 0: 5, 1: 1 });
  });

  it('keeps what a position names, and cuts what it does not name at the instant of its newest event', () => {
    const times = index();
    // After products 0@1 (11:00): partition 1 and the purchases topic are cut at 11:00.
    const asOf = position({ [products]: { 0: 2 } });
    expect(times.cut(products, asOf)).toEqual({ 0: 2, 1: 1 });
    expect(times.cut(purchases, asOf)).toEqual({ 0: 1 });
    expect(times.position([products, purchases], asOf)).toEqual({ [products]: { 0: 2, 1: 1 }, [purchases]: { 0: 1 } });
  });

  it('cuts everything before the first event for a position at the very start', () => {
    expect(index().cut(purchases, position({ [products]: { 0: 0 } }))).toEqual({ 0: 0 });
  });

  it('refuses a position in topics it does not follow, saying what to pass instead', () => {
    expect(badInputOf(() => index().cut(products, position({ 'eventbus.customers': { 0: 1 } }))).message).toMatch(/instant/);
  });
});

/** A history index with the order its table would keep: an entity joins it at its first event. */
function historyIndex() {
  const order = new OrderedIds();
  const index = new HistoryIndex(order);
  return Object.assign(index, {
    record(id: string, partition: number, offset: number, options: { live: boolean; legacy?: boolean; key: string }) {
      if (!index.has(id)) order.add(id, options.key);
      index.add(id, partition, offset, options);
    },
  });
}

describe('HistoryIndex', () => {
  /**
   * a: created @0, renamed @2, deleted @5, revived @7 (an original-system `set`); b: created @3;
   * c: partition 1 @0, created between a and b (it is read after b, as another partition would be).
   */
  const index = (): HistoryIndex => {
    const h = historyIndex();
    h.record('a', 0, 0, { live: true, key: '1 a' });
    h.record('a', 0, 2, { live: true, key: '1 a' });
    h.record('b', 0, 3, { live: true, key: '3 b' });
    h.record('a', 0, 5, { live: false, key: '1 a' });
    h.record('c', 1, 0, { live: true, key: '2 c' });
    h.record('a', 0, 7, { live: true, legacy: true, key: '1 a' });
    return h;
  };

  it('counts and finds an entity’s events before a cut, with liveness after each', () => {
    const h = index();
    expect(h.count('a')).toBe(4);
    expect(h.count('a', { 0: 3 })).toBe(2);
    expect(h.count('a', { 1: 0 })).toBe(4);
    expect(h.lastBefore('a', { 0: 6 })).toEqual({ index: 2, partition: 0, offset: 5, live: false });
    expect(h.lastBefore('a', { 0: 0 })).toBeUndefined();
    expect(h.lastBefore('nobody')).toBeUndefined();
    expect(h.isLegacy('a')).toBe(true);
    expect(h.isLegacy('b')).toBe(false);
  });

  it('counts the live entities at any cut', () => {
    const h = index();
    expect(h.liveCountAt({ 0: 0, 1: 0 })).toBe(0);
    expect(h.liveCountAt({ 0: 4, 1: 0 })).toBe(2);
    expect(h.liveCountAt({ 0: 6, 1: 0 })).toBe(1);
    expect(h.liveCountAt({ 0: 6, 1: 1 })).toBe(2);
    expect(h.liveCountAt({ 0: 8, 1: 1 })).toBe(3);
    expect(h.liveCountAt({})).toBe(3);
  });

  it('pages the entities live at a cut in the order of their keys, skipping deleted and later ones', () => {
    const h = index();
    const ids = (cut: Record<number, number>, first = 10, after?: string) =>
      h.pageAt(cut, { first, ...(after === undefined ? {} : { after }) }).entries.map((e) => [e.key, e.id, e.event.offset]);
    expect(ids({ 0: 4, 1: 0 })).toEqual([
      ['1 a', 'a', 2],
      ['3 b', 'b', 3],
    ]);
    expect(ids({ 0: 6, 1: 1 })).toEqual([
      ['2 c', 'c', 0],
      ['3 b', 'b', 3],
    ]);
    expect(h.pageAt({ 0: 8, 1: 1 }, { first: 2 }).hasNextPage).toBe(true);
    expect(ids({ 0: 8, 1: 1 }, 2, '1 a')).toEqual([
      ['2 c', 'c', 0],
      ['3 b', 'b', 3],
    ]);
    expect(ids({ 0: 8, 1: 1 }, 2, '2 c')).toEqual([['3 b', 'b', 3]]);
  });

  it('starts an entity’s history at its first kept record when compaction removed the ones before', () => {
    const h = historyIndex();
    h.record('kept', 0, 41, { live: true, key: 'k' });
    expect(h.count('kept')).toBe(1);
    expect(h.liveCountAt({ 0: 41 })).toBe(0);
    expect(h.liveCountAt({ 0: 42 })).toBe(1);
  });
});

describe('diffFields', () => {
  it('lists every set field for a create, and only what changed after', () => {
    expect(diffFields(undefined, { name: 'Butter', price: '1.50', deletedAt: null })).toEqual([
      { field: 'name', before: null, after: 'Butter' },
      { field: 'price', before: null, after: '1.50' },
    ]);
    expect(diffFields({ name: 'Butter', price: '1.50' }, { name: 'Butter', price: '1.99' })).toEqual([
      { field: 'price', before: '1.50', after: '1.99' },
    ]);
    expect(diffFields({ name: 'a', gone: 'x' }, { name: 'a' })).toEqual([{ field: 'gone', before: 'x', after: null }]);
  });
});

describe('RecordReader', () => {
  async function givenLog(): Promise<{ log: EventLog; calls: number[][] }> {
    const inner = createEmbeddedLog({ file: ':memory:' });
    await inner.provision([{ topic: 't', partitions: 1 }]);
    await inner.append(
      't',
      Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: `v${i}` })),
    );
    const calls: number[][] = [];
    const log: EventLog = {
      ...inner,
      read: (topic, partition, offsets) => {
        calls.push([...offsets]);
        return inner.read(topic, partition, offsets);
      },
    };
    return { log, calls };
  }

  it('shares one log read among the reads asked for in the same turn, and serves repeats from its cache', async () => {
    const { log, calls } = await givenLog();
    const reader = new RecordReader({ log, topic: 't' });
    const [a, b, c] = await Promise.all([reader.read(0, [1, 3]), reader.read(0, [3, 5]), reader.read(0, [42])]);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.sort((x, y) => x - y)).toEqual([1, 3, 5, 42]);
    expect([...a.keys()]).toEqual([1, 3]);
    expect(b.get(5)?.value?.toString()).toBe('v5');
    expect(c.size).toBe(0);
    await reader.read(0, [1, 5]);
    expect(calls).toHaveLength(1);
    expect(reader.stats()).toEqual({ reads: 1, records: 3, cacheHits: 2 });
    await log.close();
  });

  it('keeps no more records than its cache size', async () => {
    const { log, calls } = await givenLog();
    const reader = new RecordReader({ log, topic: 't', cacheSize: 2 });
    await reader.read(0, [1, 2, 3]);
    await reader.read(0, [3]);
    await reader.read(0, [1]);
    expect(calls).toEqual([[1, 2, 3], [1]]);
    await log.close();
  });
});

describe('defineEventVersions', () => {
  const event = (type: string, data: unknown, schemaVersion?: number): EventEnvelope => ({
    id: 'e1',
    type,
    entityId: 'x1',
    version: 1,
    occurredAt: '2026-01-01T00:00:00.000Z',
    data,
    meta: {},
    ...(schemaVersion === undefined ? {} : { schemaVersion }),
  });
  const versions = defineEventVersions<'ThingMade' | 'ThingGone'>({
    current: { ThingMade: 3, ThingGone: 1 },
    upcasters: {
      ThingMade: {
        1: (e) => ({ ...e, data: { ...(e.data as object), colour: 'grey' } }),
        2: (e) => {
          const { colour, ...rest } = e.data as { colour: string };
          return { ...e, data: { ...rest, colours: [colour] } };
        },
      },
    },
  });

  it('brings an event of every older version to the current one, step by step', () => {
    expect(versions.upcast(event('ThingMade', { name: 'n' }))).toEqual(event('ThingMade', { name: 'n', colours: ['grey'] }, 3));
    expect(versions.upcast(event('ThingMade', { name: 'n', colour: 'red' }, 2))).toEqual(
      event('ThingMade', { name: 'n', colours: ['red'] }, 3),
    );
  });

  it('leaves a current event, and one of a type it does not know, as they are', () => {
    const current = event('ThingMade', { colours: [] }, 3);
    expect(versions.upcast(current)).toBe(current);
    const gone = event('ThingGone', {});
    expect(versions.upcast(gone)).toBe(gone);
    const other = event('Unrelated', {}, 9);
    expect(versions.upcast(other)).toBe(other);
  });

  it('refuses a version newer than it knows as undecodable, saying to upgrade readers first', () => {
    expect(() => versions.upcast(event('ThingMade', {}, 4))).toThrow(DecodeError);
    expect(() => versions.upcast(event('ThingMade', {}, 4))).toThrow(/upgrade every reader/);
  });

  it('stamps the current version for writers', () => {
    expect(versions.stamp({ ...event('ThingMade', {}), type: 'ThingMade' }).schemaVersion).toBe(3);
  });

  it('refuses, when defined, a missing step or a step beyond the current version', () => {
    expect(() => defineEventVersions({ current: { A: 3 }, upcasters: { A: { 1: (e) => e } } })).toThrow(
      /no upcaster from schema version 2 to 3/,
    );
    expect(() => defineEventVersions({ current: { A: 1 }, upcasters: { A: { 1: (e) => e } } })).toThrow(/does not lead/);
    expect(() => defineEventVersions({ current: { A: 0 } })).toThrow(/integer >= 1/);
  });
});
