import type { Connection } from './connection.ts';
import { IdNumbers } from './id-numbers.ts';
import {
  ArraySource,
  compareKeys,
  pageInOrder,
  type KeyShape,
  type OrderedPageArgs,
  type OrderedSource,
  type SortKey,
} from './ordered-page.ts';
import { SortedIndex } from './sorted-index.ts';
import { searchTerms, textMatches, WordIndex } from './word-index.ts';

/** One order of a list: the key of an entity (ending with something unique), and its shape for cursors. */
export interface ListOrder<T> {
  readonly key: (entity: T) => SortKey;
  readonly shape: KeyShape;
}

/** The orders of a list by name (`NAME`, `PRICE`, …), and the text `search` matches. */
export interface SortedListsSpec<T, O extends string> {
  readonly orders: Readonly<Record<O, ListOrder<T>>>;
  /** The names an entity is found by; no search without it. */
  readonly text?: (entity: T) => string;
}

/** How a page of a sorted list is asked for. */
export interface SortedPageArgs<O extends string> extends OrderedPageArgs {
  readonly order: O;
  readonly descending: boolean;
  readonly search?: string | null;
}

/**
 * A search that matches at most this many entities sorts them (O(m log m)); one that matches more
 * walks the order and keeps the matches, which finds a page after about page × n / m entries.
 * Either way the cost follows the matches, not the whole list.
 */
const SORT_MATCHES_UP_TO = 4096;

/**
 * The live entities of a list in every order the API offers, kept per event: each order is a
 * {@link SortedIndex} over entity numbers, with each entity's key computed once when it is put
 * (so comparisons allocate nothing), and a {@link WordIndex} of their names for `search`. A put
 * costs O(orders × log n); a page O(log n + page), the same on every instance, since keys are
 * computed from the events alone.
 */
export class SortedLists<T, O extends string> {
  private readonly numbers = new IdNumbers();
  private readonly entities: (T | undefined)[] = [];
  private readonly texts: (string | undefined)[] = [];
  private readonly keys = new Map<O, SortKey[]>();
  private readonly indexes = new Map<O, SortedIndex>();
  private readonly words: WordIndex | undefined;

  constructor(private readonly spec: SortedListsSpec<T, O>) {
    for (const order of Object.keys(spec.orders) as O[]) {
      const keys: SortKey[] = [];
      this.keys.set(order, keys);
      this.indexes.set(order, new SortedIndex((a, b) => compareKeys(keys[a]!, keys[b]!)));
    }
    this.words = spec.text ? new WordIndex() : undefined;
  }

  /** Live entities listed. */
  get size(): number {
    return this.entities.length === 0 ? 0 : this.indexes.values().next().value!.size;
  }

  /** Puts an entity in its places (again, after a change); undefined takes it out of the lists (deleted). */
  put(id: string, entity: T | undefined): void {
    const n = this.numbers.intern(id);
    if (this.entities[n] !== undefined) for (const index of this.indexes.values()) index.remove(n);
    this.entities[n] = entity;
    if (entity !== undefined) {
      for (const [order, index] of this.indexes) {
        this.keys.get(order)![n] = this.spec.orders[order].key(entity);
        index.insert(n);
      }
    }
    if (this.words) {
      const text = entity === undefined ? undefined : this.spec.text!(entity);
      if (text !== this.texts[n]) {
        this.words.set(n, text);
        this.texts[n] = text;
      }
    }
  }

  /** One page in `order`, optionally of the entities matching `search`. */
  page(args: SortedPageArgs<O>): Connection<T> {
    const terms = searchTerms(args.search);
    const keys = this.keys.get(args.order)!;
    const index = this.indexes.get(args.order)!;
    const common = { descending: args.descending, keyOf: (n: number) => keys[n]!, shape: this.spec.orders[args.order].shape };
    if (!terms || !this.words) {
      return pageInOrder(args, { ...common, source: index, totalCount: index.size, node: (n) => this.entities[n] });
    }
    const matched = this.words.matches(terms);
    let source: OrderedSource = index;
    let filtered = true;
    if (matched.size <= SORT_MATCHES_UP_TO) {
      source = new ArraySource([...matched].sort((a, b) => compareKeys(keys[a]!, keys[b]!)));
      filtered = false;
    }
    return pageInOrder(args, {
      ...common,
      source,
      filtered,
      totalCount: matched.size,
      node: (n) => (matched.has(n) ? this.entities[n] : undefined),
    });
  }
}

/**
 * One page of entities held in memory (a list as of a point in time, rebuilt for the request), in
 * the same order, with the same search and cursors as {@link SortedLists}: O(n log n) in the
 * entities given.
 */
export function sortedPageOf<T, O extends string>(
  entities: readonly T[],
  spec: SortedListsSpec<T, O>,
  args: SortedPageArgs<O>,
): Connection<T> {
  const terms = searchTerms(args.search);
  const kept = terms && spec.text ? entities.filter((entity) => textMatches(spec.text!(entity), terms)) : entities;
  const { key, shape } = spec.orders[args.order];
  const keys = kept.map(key);
  const order = keys.map((_, i) => i).sort((a, b) => compareKeys(keys[a]!, keys[b]!));
  return pageInOrder(args, {
    source: new ArraySource(order),
    descending: args.descending,
    keyOf: (i) => keys[i]!,
    shape,
    totalCount: kept.length,
    node: (i) => kept[i],
  });
}
