import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { everyPage } from '../src/testing/index.ts';
import { compareKeys, SortedLists, sortedPageOf, type SortedListsSpec } from '../src/readmodel/index.ts';

interface Item {
  readonly id: string;
  readonly name: string;
  readonly price: number;
}

const spec: SortedListsSpec<Item, 'NAME' | 'PRICE' | 'ID'> = {
  orders: {
    ID: { key: (item) => [item.id], shape: ['string'] },
    NAME: { key: (item) => [item.name.toLowerCase(), item.id], shape: ['string', 'string'] },
    PRICE: { key: (item) => [item.price, item.id], shape: ['number', 'string'] },
  },
  text: (item) => item.name,
};

const NAMES = ['Butter', 'Peanut butter', 'Bread', 'Brown bread', 'Milk', 'milk chocolate', 'Jam', 'Crème brûlée'];

/** What a list should be: every live item filtered by the search words, sorted by the order's key. */
function naive(items: Iterable<Item>, order: keyof typeof spec.orders, descending: boolean, search?: string): Item[] {
  const terms = (search ?? '')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  const words = (item: Item) =>
    item.name
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u);
  const kept = [...items].filter((item) => terms.every((term) => words(item).some((word) => word.startsWith(term))));
  const sorted = kept.sort((a, b) => compareKeys(spec.orders[order].key(a), spec.orders[order].key(b)));
  return descending ? sorted.reverse() : sorted;
}

describe('SortedLists', () => {
  it('pages every order, direction and search like a naive sort and filter, through creates, updates and deletes', () => {
    const step = fc.record({
      id: fc.integer({ min: 1, max: 40 }).map((n) => `id${String(n).padStart(2, '0')}`),
      name: fc.constantFrom(...NAMES),
      price: fc.integer({ min: 0, max: 4 }),
      remove: fc.boolean(),
    });
    const query = fc.record({
      order: fc.constantFrom('ID' as const, 'NAME' as const, 'PRICE' as const),
      descending: fc.boolean(),
      search: fc.constantFrom(undefined, 'b', 'bread', 'BUT', 'milk ch', 'creme', 'zzz', '  '),
      first: fc.integer({ min: 1, max: 7 }),
      offset: fc.integer({ min: 0, max: 5 }),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 120 }), query, (steps, { order, descending, search, first, offset }) => {
        const lists = new SortedLists(spec);
        const live = new Map<string, Item>();
        for (const { id, name, price, remove } of steps) {
          if (remove) {
            lists.put(id, undefined);
            live.delete(id);
          } else {
            lists.put(id, { id, name, price });
            live.set(id, { id, name, price });
          }
        }
        const expected = naive(live.values(), order, descending, search);
        const args = { order, descending, search, first };
        // Page by page from the start, then from an offset: the same entries as the naive list.
        expect(everyPage((after) => lists.page({ ...args, after }))).toEqual(expected);
        const skipped = lists.page({ ...args, offset });
        expect(skipped.nodes).toEqual(expected.slice(offset, offset + first));
        expect(skipped.totalCount).toBe(expected.length);
        expect(skipped.pageInfo.hasNextPage).toBe(offset + first < expected.length);
        // A list built in memory (as of a point in time) gives the same pages and cursors.
        expect(sortedPageOf([...live.values()], spec, { ...args, offset })).toEqual(skipped);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a cursor valid when the entry it names moves or goes', () => {
    const lists = new SortedLists(spec);
    for (const [id, price] of [
      ['a', 1],
      ['b', 2],
      ['c', 3],
      ['d', 4],
    ] as const)
      lists.put(id, { id, name: id, price });
    const first = lists.page({ order: 'PRICE', descending: false, first: 2 });
    expect(first.nodes.map((item) => item.id)).toEqual(['a', 'b']);
    // "b" now costs more and "c" is gone: the next page starts after price 2 all the same.
    lists.put('b', { id: 'b', name: 'b', price: 9 });
    lists.put('c', undefined);
    const next = lists.page({ order: 'PRICE', descending: false, first: 2, after: first.pageInfo.endCursor });
    expect(next.nodes.map((item) => item.id)).toEqual(['d', 'b']);
  });

  it('finds the matches of a broad search by walking the order, with their exact count', () => {
    const lists = new SortedLists(spec);
    for (let n = 0; n < 10_000; n++) {
      const id = `id${String(n).padStart(5, '0')}`;
      lists.put(id, { id, name: n % 2 === 0 ? `Bread ${n}` : `Butter ${n}`, price: n % 97 });
    }
    const page = lists.page({ order: 'PRICE', descending: true, search: 'bre', first: 3, offset: 2 });
    expect(page.totalCount).toBe(5_000);
    const expected = naive(
      Array.from({ length: 10_000 }, (_, n) => ({
        id: `id${String(n).padStart(5, '0')}`,
        name: n % 2 === 0 ? `Bread ${n}` : `Butter ${n}`,
        price: n % 97,
      })),
      'PRICE',
      true,
      'bre',
    );
    expect(page.nodes).toEqual(expected.slice(2, 5));
  });

  it('refuses a cursor of another order, an offset out of range and an unusable search, naming the argument', () => {
    const lists = new SortedLists(spec);
    lists.put('a', { id: 'a', name: 'a', price: 1 });
    lists.put('b', { id: 'b', name: 'b', price: 2 });
    const byName = lists.page({ order: 'NAME', descending: false, first: 1 });
    const code = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        const { code, details } = error as { code?: string; details?: { field?: string } };
        return { code, field: details?.field };
      }
      return undefined;
    };
    expect(code(() => lists.page({ order: 'PRICE', descending: false, after: byName.pageInfo.endCursor }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'after',
    });
    expect(code(() => lists.page({ order: 'NAME', descending: false, after: 'not a cursor' }))).toMatchObject({ field: 'after' });
    expect(code(() => lists.page({ order: 'NAME', descending: false, offset: -1 }))).toMatchObject({ field: 'offset' });
    expect(code(() => lists.page({ order: 'NAME', descending: false, offset: 1.5 }))).toMatchObject({ field: 'offset' });
    expect(code(() => lists.page({ order: 'NAME', descending: false, first: 501 }))).toMatchObject({ field: 'first' });
    expect(code(() => lists.page({ order: 'NAME', descending: false, search: 'x'.repeat(101) }))).toMatchObject({
      field: 'search',
    });
    expect(code(() => lists.page({ order: 'NAME', descending: false, search: 'a\u0000b' }))).toMatchObject({ field: 'search' });
  });
});
