import { badInput } from '../errors.ts';
import { decodeKeyCursor, encodeKeyCursor, pageSize, type Connection, type PageArgs } from './connection.ts';

/** What a list is sorted by, compared value by value; the last value is unique (an id or a creation key). */
export type SortKey = readonly (string | number)[];

/** The type of each value of an order's keys: a cursor of that order must have the same shape. */
export type KeyShape = readonly ('string' | 'number')[];

/** Page arguments of a sorted list: a cursor, and entries to skip after it. */
export interface OrderedPageArgs extends PageArgs {
  readonly offset?: number | null;
}

/** The largest `offset` accepted: far beyond any screen of pages, small enough to stay exact. */
export const MAX_OFFSET = 1_000_000;

export function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}

/**
 * A cursor is the key of the entry it follows, so it means the same place on every instance and
 * stays valid while entries move around it. A key that is one string (creation order) is written
 * as the cursors of the lists as of a point in time are, so both share their cursors.
 */
export function encodeSortCursor(key: SortKey): string {
  if (key.length === 1 && typeof key[0] === 'string') return encodeKeyCursor(key[0]);
  return Buffer.from(`s:${JSON.stringify(key)}`, 'utf8').toString('base64url');
}

/** The key a cursor of an order with keys of `shape` holds; BAD_USER_INPUT for anything else. */
export function decodeSortCursor(cursor: string, shape: KeyShape): SortKey {
  if (shape.length === 1 && shape[0] === 'string') return [decodeKeyCursor(cursor)];
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  let key: unknown;
  try {
    key = text.startsWith('s:') && text.length <= 2000 ? JSON.parse(text.slice(2)) : undefined;
  } catch {
    key = undefined;
  }
  const fits =
    Array.isArray(key) &&
    key.length === shape.length &&
    key.every((value, i) => (shape[i] === 'number' ? Number.isFinite(value) : typeof value === 'string'));
  if (!fits) {
    throw badInput(
      `"${cursor.slice(0, 40)}" is not a cursor of this list in this order; pass an endCursor you received`,
      'after',
    );
  }
  return key as SortKey;
}

/** `offset` checked: a whole number from 0 to {@link MAX_OFFSET} (none: 0). */
export function checkOffset(offset: number | null | undefined): number {
  const value = offset ?? 0;
  if (!Number.isInteger(value) || value < 0 || value > MAX_OFFSET) {
    throw badInput(`offset must be a whole number from 0 to ${MAX_OFFSET}`, 'offset');
  }
  return value;
}

/** Entries in an order, with ranks: a {@link SortedIndex}, or an array sorted once ({@link ArraySource}). */
export interface OrderedSource {
  readonly size: number;
  /** Rank of the first entry for which `isAfter` holds (it holds from some rank on). */
  rankWhere(isAfter: (entry: number) => boolean): number;
  walk(rank: number, descending?: boolean): Iterable<number>;
}

/** An array of entries already in order, as an {@link OrderedSource}. */
export class ArraySource implements OrderedSource {
  constructor(private readonly entries: readonly number[]) {}

  get size(): number {
    return this.entries.length;
  }

  rankWhere(isAfter: (entry: number) => boolean): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (isAfter(this.entries[mid]!)) high = mid;
      else low = mid + 1;
    }
    return low;
  }

  *walk(rank: number, descending = false): Iterable<number> {
    for (let i = rank; i >= 0 && i < this.entries.length; i += descending ? -1 : 1) yield this.entries[i]!;
  }
}

export interface OrderedPageOptions<T> {
  readonly source: OrderedSource;
  readonly descending: boolean;
  readonly keyOf: (entry: number) => SortKey;
  readonly shape: KeyShape;
  /** Entries the list holds (after any filter `pick` applies). */
  readonly totalCount: number;
  /** The node of an entry; undefined leaves it out (a purchase after an `asOf`). Without it, every entry is a node. */
  readonly node: (entry: number) => T | undefined;
  /** True when `node` may leave entries out: then `offset` walks, instead of jumping by rank. */
  readonly filtered?: boolean;
}

/**
 * One page of a sorted list: the entries after the cursor (in the list's direction), `offset` of
 * them skipped. O(log n + page) when nothing is filtered: the cursor is found by binary search
 * and the offset by rank; a filter adds the entries it leaves out on the way.
 */
export function pageInOrder<T>(args: OrderedPageArgs, options: OrderedPageOptions<T>): Connection<T> {
  const { source, descending, keyOf, shape, totalCount, node, filtered = false } = options;
  const size = pageSize(args.first);
  let skip = checkOffset(args.offset);
  let rank: number;
  if (args.after) {
    const key = decodeSortCursor(args.after, shape);
    rank = descending
      ? source.rankWhere((entry) => compareKeys(keyOf(entry), key) >= 0) - 1
      : source.rankWhere((entry) => compareKeys(keyOf(entry), key) > 0);
  } else rank = descending ? source.size - 1 : 0;
  if (!filtered) {
    rank += descending ? -skip : skip;
    skip = 0;
  }
  const edges: { cursor: string; node: T }[] = [];
  let hasNextPage = false;
  for (const entry of source.walk(rank, descending)) {
    const value = node(entry);
    if (value === undefined) continue;
    if (skip > 0) {
      skip--;
      continue;
    }
    if (edges.length === size) {
      hasNextPage = true;
      break;
    }
    edges.push({ cursor: encodeSortCursor(keyOf(entry)), node: value });
  }
  return {
    nodes: edges.map((edge) => edge.node),
    edges,
    pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
}
