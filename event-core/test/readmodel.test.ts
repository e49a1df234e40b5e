import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../src/envelope.ts';
import { DomainError } from '../src/errors.ts';
import {
  creationKey,
  decodeCursor,
  encodeCursor,
  EntityTable,
  MAX_PAGE_SIZE,
  OrderedIds,
  paginate,
  WholeStateTable,
  type Versioned,
} from '../src/readmodel/index.ts';

interface Item extends Versioned {
  readonly name: string;
}

const item = (id: string, version = 1, deletedAt: string | null = null): Item => ({
  id,
  version,
  deletedAt,
  name: `name of ${id}`,
});

/** A table with items i0..i{n-1}, those listed in `deleted` deleted. */
function tableOf(n: number, deleted: readonly number[] = []): EntityTable<Item> {
  const table = new EntityTable<Item>();
  for (let i = 0; i < n; i++) table.put(item(`i${i}`));
  for (const i of deleted) table.put(item(`i${i}`, 2, '2026-01-01T00:00:00.000Z'));
  return table;
}

function domainErrorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected a DomainError, but nothing was thrown');
}

const ids = (nodes: readonly Item[]): string[] => nodes.map((node) => node.id);

describe('EntityTable.page', () => {
  it('returns the first page in creation order with a cursor per edge', () => {
    const page = tableOf(5).page({ first: 2 });
    expect(ids(page.nodes)).toEqual(['i0', 'i1']);
    expect(page.edges.map((edge) => edge.node)).toEqual(page.nodes);
    expect(page.pageInfo).toEqual({ hasNextPage: true, endCursor: page.edges[1]!.cursor });
    expect(page.totalCount).toBe(5);
  });

  it('continues after the endCursor of the previous page', () => {
    const table = tableOf(5);
    const first = table.page({ first: 2 });
    const second = table.page({ first: 2, after: first.pageInfo.endCursor });
    const third = table.page({ first: 2, after: second.pageInfo.endCursor });
    expect(ids(second.nodes)).toEqual(['i2', 'i3']);
    expect(ids(third.nodes)).toEqual(['i4']);
    expect(third.pageInfo.hasNextPage).toBe(false);
  });

  it('says there is no next page when the page ends exactly at the last entity', () => {
    const page = tableOf(3).page({ first: 3 });
    expect(ids(page.nodes)).toEqual(['i0', 'i1', 'i2']);
    expect(page.pageInfo.hasNextPage).toBe(false);
  });

  it('returns an empty page with a null endCursor after the last entity', () => {
    const table = tableOf(2);
    const page = table.page({ first: 5, after: table.page({ first: 5 }).pageInfo.endCursor });
    expect(page.nodes).toEqual([]);
    expect(page.edges).toEqual([]);
    expect(page.pageInfo).toEqual({ hasNextPage: false, endCursor: null });
  });

  it('defaults to 50 entities per page', () => {
    const page = tableOf(60).page({});
    expect(page.nodes).toHaveLength(50);
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(tableOf(60).page({ first: null, after: null }).nodes).toHaveLength(50);
  });

  it('skips deleted entities and fills the page from later ones', () => {
    const page = tableOf(6, [1, 2]).page({ first: 3 });
    expect(ids(page.nodes)).toEqual(['i0', 'i3', 'i4']);
    expect(page.pageInfo.hasNextPage).toBe(true);
  });

  it('says there is no next page when only deleted entities follow', () => {
    const page = tableOf(5, [3, 4]).page({ first: 3 });
    expect(ids(page.nodes)).toEqual(['i0', 'i1', 'i2']);
    expect(page.pageInfo.hasNextPage).toBe(false);
  });

  it('excludes deleted entities from totalCount', () => {
    const table = tableOf(5, [0, 4]);
    expect(table.page({ first: 1 }).totalCount).toBe(3);
    expect(table.size).toBe(3);
  });

  it('counts an entity once however often it is updated', () => {
    const table = tableOf(2);
    table.put(item('i0', 2));
    table.put(item('i0', 3));
    expect(table.size).toBe(2);
    expect(ids(table.page({}).nodes)).toEqual(['i0', 'i1']);
    expect(table.get('i0')?.version).toBe(3);
  });

  it('keeps a deleted entity readable by id but not as live', () => {
    const table = tableOf(2, [1]);
    expect(table.get('i1')?.deletedAt).not.toBeNull();
    expect(table.getLive('i1')).toBeUndefined();
    expect(table.getLive('i0')?.id).toBe('i0');
  });

  it('counts an entity again once it is brought back', () => {
    const table = tableOf(2, [1]);
    table.put(item('i1', 3));
    expect(table.size).toBe(2);
    expect(ids(table.page({}).nodes)).toEqual(['i0', 'i1']);
  });

  it('returns an empty page with hasNextPage for first: 0 when entities exist', () => {
    const page = tableOf(3).page({ first: 0 });
    expect(page.nodes).toEqual([]);
    expect(page.pageInfo).toEqual({ hasNextPage: true, endCursor: null });
    expect(page.totalCount).toBe(3);
  });

  it('accepts first: 500', () => {
    expect(tableOf(501).page({ first: MAX_PAGE_SIZE }).nodes).toHaveLength(500);
  });

  it.each([MAX_PAGE_SIZE + 1, -1, 1.5, Number.NaN])('rejects first: %s with BAD_USER_INPUT on field first', (first) => {
    const error = domainErrorOf(() => tableOf(3).page({ first }));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.details).toEqual({ field: 'first' });
    expect(error.message).toContain(String(MAX_PAGE_SIZE));
  });

  it.each(['garbage', 'i:1', Buffer.from('i:-1').toString('base64url'), Buffer.from('i:1.5').toString('base64url')])(
    'rejects the cursor %j with BAD_USER_INPUT on field after',
    (after) => {
      const error = domainErrorOf(() => tableOf(3).page({ after }));
      expect(error.code).toBe('BAD_USER_INPUT');
      expect(error.details).toEqual({ field: 'after' });
    },
  );
});

describe('lists in key order, the same on every instance', () => {
  interface Dated extends Item {
    readonly createdAt: string;
  }
  /** 3,000 entities created a millisecond apart on 3 partitions (by id), some deleted. */
  const entities: Dated[] = Array.from({ length: 3_000 }, (_, i) => ({
    ...item(`e${String(i).padStart(4, '0')}`, 1, i % 7 === 0 ? '2026-02-01T00:00:00.000Z' : null),
    createdAt: new Date(Date.UTC(2026, 0, 1) + i).toISOString(),
  }));
  const partitionOf = (i: number) => i % 3;
  const keyed = () => new EntityTable<Dated>((e) => creationKey(e.createdAt, e.id));
  const pages = (table: EntityTable<Dated>, first: number) => {
    const all: { id: string; cursor: string }[] = [];
    let after: string | null = null;
    for (;;) {
      const page = table.page({ first, ...(after ? { after } : {}) });
      all.push(...page.edges.map((edge) => ({ id: edge.node.id, cursor: edge.cursor })));
      if (!page.pageInfo.hasNextPage) return all;
      after = page.pageInfo.endCursor;
    }
  };

  it('lists the same entities in the same order with the same cursors, however the partitions were read', () => {
    // One instance followed live (interleaved, with neighbours now and then out of order), another
    // replayed partition after partition.
    const live = keyed();
    for (let i = 0; i < entities.length; i += 2) {
      const pair = [entities[i + 1], entities[i]].filter((e): e is Dated => e !== undefined);
      for (const e of pair) live.put(e);
    }
    const replayed = keyed();
    for (const partition of [2, 0, 1]) entities.forEach((e, i) => partitionOf(i) === partition && replayed.put(e));

    const expected = entities.filter((e) => e.deletedAt === null).map((e) => e.id);
    expect(pages(live, 50).map((e) => e.id)).toEqual(expected);
    expect(pages(replayed, 50)).toEqual(pages(live, 50));
    // A cursor from one instance continues the list on the other.
    const cursor = live.page({ first: 100 }).pageInfo.endCursor!;
    expect(ids(replayed.page({ first: 10, after: cursor }).nodes)).toEqual(ids(live.page({ first: 10, after: cursor }).nodes));
  });

  it('keeps cursors valid when an entity is created before them', () => {
    const table = keyed();
    for (const e of entities.slice(0, 10)) if (e.id !== 'e0003') table.put(e);
    const first = table.page({ first: 4 });
    table.put(entities[3]!);
    const next = table.page({ first: 4, after: first.pageInfo.endCursor });
    expect(ids(first.nodes)).toEqual(['e0001', 'e0002', 'e0004', 'e0005']);
    expect(ids(next.nodes)).toEqual(['e0006', 'e0008', 'e0009']);
  });

  it('refuses a cursor of another kind of list', () => {
    expect(domainErrorOf(() => keyed().page({ after: encodeCursor(3) })).code).toBe('BAD_USER_INPUT');
  });

  it('orders ids by key, whether they come in order, a little late, or far out of order', () => {
    const order = new OrderedIds();
    const keys = Array.from({ length: 5_000 }, (_, i) => String(i).padStart(5, '0'));
    // Most in order, every 10th a few places late, the last 2,000 from the far past (a replay).
    const late: string[] = [];
    keys.slice(0, 3_000).forEach((key, i) => (i % 10 === 0 ? late.push(key) : order.add(`id${key}`, key)));
    for (const key of late) order.add(`id${key}`, key);
    for (const key of keys.slice(3_000).reverse()) order.add(`id${key}`, key);
    expect(order.view().keys).toEqual(keys);
    expect(order.view().ids).toEqual(keys.map((key) => `id${key}`));
  });
});

describe('cursors', () => {
  it('decode to the index they encode', () => {
    expect(decodeCursor(encodeCursor(0))).toBe(0);
    expect(decodeCursor(encodeCursor(123_456))).toBe(123_456);
  });

  it('are URL-safe', () => {
    expect(encodeCursor(999_999)).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});

describe('paginate', () => {
  it('reports the totalCount it is given and pages any sequence through pick', () => {
    const page = paginate([1, 2, 3, 4], { first: 2 }, 2, (n) => (n % 2 === 0 ? `even ${n}` : undefined));
    expect(page.nodes).toEqual(['even 2', 'even 4']);
    expect(page.totalCount).toBe(2);
    expect(page.pageInfo.hasNextPage).toBe(false);
  });

  it('reads only the page and the probe for a next entry, not the whole sequence', () => {
    const sequence = Array.from({ length: 10_000 }, (_, i) => i);
    let picks = 0;
    paginate(sequence, { first: 10 }, sequence.length, (n) => {
      picks++;
      return n;
    });
    expect(picks).toBe(11);
  });
});

// ---------------------------------------------------------------------------------------------

type ItemEvent = EventEnvelope<'ItemCreated' | 'ItemRenamed', { readonly id: string; readonly name: string }>;

let eventCounter = 0;
const itemEvent = (
  type: ItemEvent['type'],
  entityId: string,
  version: number,
  name: string,
  idempotencyKey?: string,
  inputDigest?: string,
): ItemEvent => ({
  id: `ev-${++eventCounter}`,
  type,
  entityId,
  version,
  occurredAt: '2026-01-01T00:00:00.000Z',
  data: { id: entityId, name },
  meta: { ...(idempotencyKey === undefined ? {} : { idempotencyKey }), ...(inputDigest === undefined ? {} : { inputDigest }) },
});

const itemTable = (): WholeStateTable<Item, ItemEvent> =>
  new WholeStateTable<Item, ItemEvent>(
    'item',
    (event) => event.type === 'ItemCreated',
    (_state, event) => ({ id: event.data.id, name: event.data.name, version: event.version, deletedAt: null }),
  );

describe('WholeStateTable', () => {
  it('applies a create and then updates in sequence', () => {
    const table = itemTable();
    expect(table.apply(itemEvent('ItemCreated', 'a', 1, 'one'))).toEqual({ ok: true, entityId: 'a' });
    expect(table.apply(itemEvent('ItemRenamed', 'a', 2, 'two'))).toEqual({ ok: true, entityId: 'a' });
    expect(table.apply(itemEvent('ItemRenamed', 'a', 3, 'three'))).toEqual({ ok: true, entityId: 'a' });
    expect(table.table.get('a')).toEqual({ id: 'a', name: 'three', version: 3, deletedAt: null });
  });

  it('rejects an update that skips a version with CONFLICT and keeps the state', () => {
    const table = itemTable();
    table.apply(itemEvent('ItemCreated', 'a', 1, 'one'));
    const outcome = table.apply(itemEvent('ItemRenamed', 'a', 3, 'skipped'));
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error).toBeInstanceOf(DomainError);
    expect(outcome.error.code).toBe('CONFLICT');
    expect(outcome.error.details).toMatchObject({ id: 'a', expectedVersion: 2, currentVersion: 1 });
    expect(table.table.get('a')?.name).toBe('one');
  });

  it('rejects the second of two updates decided on the same version (a lost race)', () => {
    const table = itemTable();
    table.apply(itemEvent('ItemCreated', 'a', 1, 'one'));
    expect(table.apply(itemEvent('ItemRenamed', 'a', 2, 'winner')).ok).toBe(true);
    const loser = table.apply(itemEvent('ItemRenamed', 'a', 2, 'loser'));
    expect(loser.ok).toBe(false);
    if (!loser.ok) expect(loser.error.code).toBe('CONFLICT');
    expect(table.table.get('a')).toMatchObject({ name: 'winner', version: 2 });
  });

  it('takes the first record of an entity that is not its create as the state compaction left, then checks versions again', () => {
    const table = itemTable();
    // A compacted topic kept only version 3 of "kept": the records before it are gone.
    expect(table.apply(itemEvent('ItemRenamed', 'kept', 3, 'latest'))).toEqual({ ok: true, entityId: 'kept' });
    expect(table.table.get('kept')).toMatchObject({ version: 3, name: 'latest' });
    const stale = table.apply(itemEvent('ItemRenamed', 'kept', 3, 'stale'));
    expect(stale.ok).toBe(false);
    expect(table.apply(itemEvent('ItemRenamed', 'kept', 4, 'next')).ok).toBe(true);
    expect(table.table.get('kept')?.name).toBe('next');
  });

  it('rejects a second create of the same id and keeps the first', () => {
    const table = itemTable();
    table.apply(itemEvent('ItemCreated', 'a', 1, 'first'));
    const outcome = table.apply(itemEvent('ItemCreated', 'a', 1, 'second'));
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error.code).toBe('CONFLICT');
    expect(table.table.get('a')?.name).toBe('first');
    expect(table.table.size).toBe(1);
  });

  it('rejects a create whose version is not 1', () => {
    const table = itemTable();
    expect(table.apply(itemEvent('ItemCreated', 'a', 2, 'x')).ok).toBe(false);
    expect(table.table.get('a')).toBeUndefined();
  });

  it('answers a repeated idempotency key with the first entity and changes nothing', () => {
    const table = itemTable();
    table.apply(itemEvent('ItemCreated', 'first', 1, 'original', 'key-1'));
    const retry = table.apply(itemEvent('ItemCreated', 'second', 1, 'retry', 'key-1'));
    expect(retry).toEqual({ ok: true, entityId: 'first', duplicate: true });
    expect(table.table.get('second')).toBeUndefined();
    expect(table.table.get('first')?.name).toBe('original');
    expect(table.table.size).toBe(1);
    expect(table.entityForKey('key-1')).toBe('first');
  });

  it('rejects an event that reuses an idempotency key for another input, and keeps the first', () => {
    const table = itemTable();
    table.apply(itemEvent('ItemCreated', 'first', 1, 'original', 'key-3', 'aaaaaaaaaaaaa'));
    const reused = table.apply(itemEvent('ItemCreated', 'second', 1, 'other', 'key-3', 'bbbbbbbbbbbbb'));
    expect(reused.ok).toBe(false);
    if (!reused.ok) expect(reused.error).toMatchObject({ code: 'CONFLICT', details: { field: 'idempotencyKey' } });
    // The same input again is a retry; an event from before digests cannot be told apart, so it is one too.
    expect(table.apply(itemEvent('ItemCreated', 'third', 1, 'same', 'key-3', 'aaaaaaaaaaaaa'))).toEqual({
      ok: true,
      entityId: 'first',
      duplicate: true,
    });
    expect(table.apply(itemEvent('ItemCreated', 'fourth', 1, 'old', 'key-3'))).toMatchObject({ duplicate: true });
    expect(table.table.size).toBe(1);
    expect(table.inputDigestForKey('key-3')).toBe('aaaaaaaaaaaaa');
  });

  it('does not remember the idempotency key of a rejected event', () => {
    const table = itemTable();
    table.apply(itemEvent('ItemCreated', 'a', 1, 'one'));
    expect(table.apply(itemEvent('ItemRenamed', 'a', 5, 'bad', 'key-2')).ok).toBe(false);
    expect(table.entityForKey('key-2')).toBeUndefined();
    expect(table.apply(itemEvent('ItemRenamed', 'a', 2, 'good', 'key-2'))).toEqual({ ok: true, entityId: 'a' });
    expect(table.table.get('a')?.name).toBe('good');
  });
});
