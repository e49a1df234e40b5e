import { badInput } from '../errors.ts';
import { countBelow } from './numbers.ts';

/** Relay-style page as the GraphQL connections expose it. */
export interface Connection<T> {
  readonly nodes: readonly T[];
  readonly edges: readonly { readonly cursor: string; readonly node: T }[];
  readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
  readonly totalCount: number;
}

export interface PageArgs {
  readonly first?: number | null;
  readonly after?: string | null;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/** Cursors are opaque to clients: the index in an append-only sequence, URL-safe encoded. */
export function encodeCursor(index: number): string {
  return Buffer.from(`i:${index}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const match = /^i:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw badInput(`"${cursor.slice(0, 40)}" is not a cursor from this list; pass an endCursor you received`, 'after');
  return Number(match[1]);
}

/**
 * Cursors of a list in key order ({@link OrderedIds}): the key of the entry, so that a cursor
 * means the same place on every instance, and stays valid when entries are inserted before it.
 */
export function encodeKeyCursor(key: string): string {
  return Buffer.from(`k:${key}`, 'utf8').toString('base64url');
}

export function decodeKeyCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith('k:') || text.length < 3 || text.length > 300) {
    throw badInput(`"${cursor.slice(0, 40)}" is not a cursor from this list; pass an endCursor you received`, 'after');
  }
  return text.slice(2);
}

/** A page's size from `first` (default {@link DEFAULT_PAGE_SIZE}); BAD_USER_INPUT outside 0..{@link MAX_PAGE_SIZE}. */
export function pageSize(first: number | null | undefined): number {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw badInput(`first must be between 0 and ${MAX_PAGE_SIZE}`, 'first');
  }
  return size;
}

/**
 * One page of an append-only sequence read by index, skipping entries `pick` returns undefined
 * for (deleted entities). Costs O(page + skipped), never a scan of the whole sequence. `end`
 * bounds the walk when the caller knows nothing after it can be picked (a list as of a point in
 * time: the entries added after it).
 */
export function paginate<S, T>(
  sequence: ArrayLike<S>,
  args: PageArgs,
  totalCount: number,
  pick: (entry: S) => T | undefined,
  end: number = sequence.length,
): Connection<T> {
  return paginateIndexes(sequence.length, args, totalCount, (index) => pick(sequence[index]!), end);
}

/**
 * {@link paginate} over the indexes `0..length - 1` of a sequence that is not an array (rows of
 * a columnar store): `pick` gets the index, and the index is the cursor.
 */
export function paginateIndexes<T>(
  length: number,
  { first, after }: PageArgs,
  totalCount: number,
  pick: (index: number) => T | undefined,
  end: number = length,
): Connection<T> {
  const stop = Math.min(end, length);
  const size = pageSize(first);
  let index = after ? decodeCursor(after) + 1 : 0;
  const edges: { cursor: string; node: T }[] = [];
  while (index < stop && edges.length < size) {
    const node = pick(index);
    if (node !== undefined) edges.push({ cursor: encodeCursor(index), node });
    index++;
  }
  let hasNextPage = false;
  for (let probe = index; probe < stop; probe++) {
    if (pick(probe) !== undefined) {
      hasNextPage = true;
      break;
    }
  }
  return {
    nodes: edges.map((edge) => edge.node),
    edges,
    pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
}

/**
 * One page of a list in key order: entries after the cursor's key, skipping those `pick` returns
 * undefined for (deleted entities). O(log n + page + skipped).
 */
export function paginateByKey<T>(
  order: { readonly ids: readonly string[]; readonly keys: readonly string[] },
  { first, after }: PageArgs,
  totalCount: number,
  pick: (id: string) => T | undefined,
): Connection<T> {
  const size = pageSize(first);
  const stop = order.ids.length;
  let index = after ? upperBoundOf(order.keys, decodeKeyCursor(after)) : 0;
  const edges: { cursor: string; node: T }[] = [];
  let hasNextPage = false;
  for (; index < stop; index++) {
    const node = pick(order.ids[index]!);
    if (node === undefined) continue;
    if (edges.length === size) {
      hasNextPage = true;
      break;
    }
    edges.push({ cursor: encodeKeyCursor(order.keys[index]!), node });
  }
  return {
    nodes: edges.map((edge) => edge.node),
    edges,
    pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
}

/** Index of the first of `keys` (ascending) greater than `key`. */
export const upperBoundOf = (keys: readonly string[], key: string): number => countBelow(keys.length, (i) => keys[i]!, key, true);

/** The same page with every node mapped (e.g. marked with the point in time it was read at). */
export function mapNodes<T, U>(connection: Connection<T>, map: (node: T) => U): Connection<U> {
  const edges = connection.edges.map((edge) => ({ cursor: edge.cursor, node: map(edge.node) }));
  return { ...connection, nodes: edges.map((edge) => edge.node), edges };
}
