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
 * The live entities of a list in every order the API offers, with their names for search: each
 * order is a {@link SortedIndex} over entity numbers, with each entity's key computed when it is
 * placed (so comparisons allocate nothing), and a {@link WordIndex} of their names.
 *
 * A put only records the entity and marks it changed, O(1); changed entities are placed again
 * (O(orders × log n) each) before the next read. An entity that changes on every event (a
 * product's sales, with each of its purchases) is placed once per read however many events
 * changed it, so a replay of a million purchases places each product once, not a million times.
 * A page is O(log n + page) plus the entities changed since the last read; it is the same on every
 * instance, since keys are computed from the events alone.
 */
export class SortedLists<T, O extends string> {
  private readonly numbers = new IdNumbers();
  /** The latest state put of each entity (undefined: out of the lists). */
  private readonly entities: (T | undefined)[] = [];
  /** Whether each entity is in the indexes now, under the keys in `keys`. */
  private readonly placed: boolean[] = [];
  private readonly texts: (string | undefined)[] = [];
  private readonly keys = new Map<O, SortKey[]>();
  private readonly indexes = new Map<O, SortedIndex>();
  private readonly words: WordIndex | undefined;
  /** Entities put since they were last placed. */
  private readonly changed = new Set<number>();

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
    this.place();
    return this.indexes.values().next().value?.size ?? 0;
  }

  /**
   * Records an entity's state (again, after a change: what it is sorted by may have changed);
   * undefined takes it out of the lists (deleted). It is placed before the next read.
   */
  put(id: string, entity: T | undefined): void {
    const n = this.numbers.intern(id);
    this.entities[n] = entity;
    this.changed.add(n);
  }

  /**
   * Places every entity put since the last read (out under its old keys, in under its new ones),
   * and settles the indexes. Every read does it first; a read model calls it when its replay has
   * caught up, so that the first request does not pay for the replay's placements.
   */
  place(): void {
    for (const n of this.changed) {
      const entity = this.entities[n];
      if (this.placed[n]) for (const index of this.indexes.values()) index.remove(n);
      this.placed[n] = entity !== undefined;
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
    this.changed.clear();
    for (const index of this.indexes.values()) index.settle();
  }

  /** One page in `order`, optionally of the entities matching `search`. */
  page(args: SortedPageArgs<O>): Connection<T> {
    this.place();
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
