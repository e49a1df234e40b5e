import { InMemoryCache, type FieldPolicy, type Reference } from '@apollo/client';

/** A connection as the cache stores it: the dashboard reads `nodes`, never `edges`. */
export interface StoredConnection {
  readonly __typename?: string;
  readonly nodes: readonly Reference[];
  readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
  readonly totalCount: number;
}

/**
 * A page of a list, one cache entry per page: every argument (offset, order, search, `asOf`) is
 * part of its key, and a page fetched again replaces the one held. The rows are references to
 * normalized entities, so live updates change them in place; which rows belong on a page is the
 * server's answer, asked for again when it may have changed (see `useRefreshOn`).
 */
const page: FieldPolicy<StoredConnection> = { merge: false };

/**
 * An entity's timeline, newest first. A page with `after` (older changes) is appended. A first
 * page asked for again after the entity changed puts the new changes on top and keeps the older
 * pages already loaded, with their cursor (cursors count from the oldest event, so they stay valid
 * as history grows). When the new first page does not reach the newest change held (more changes
 * came than a page holds), it replaces the list: better a shorter timeline than one with a gap.
 */
function timeline(): FieldPolicy<StoredConnection> {
  return {
    keyArgs: false,
    merge(existing, incoming, { args, readField }) {
      if (!existing) return incoming;
      const idOf = (node: Reference) => readField<string>('eventId', node);
      if (args?.['after']) {
        const seen = new Set(existing.nodes.map(idOf));
        return { ...incoming, nodes: [...existing.nodes, ...incoming.nodes.filter((node) => !seen.has(idOf(node)))] };
      }
      const first = existing.nodes[0];
      const fresh = new Set(incoming.nodes.map(idOf));
      if (first === undefined || !fresh.has(idOf(first))) return incoming;
      const older = existing.nodes.filter((node) => !fresh.has(idOf(node)));
      return older.length === 0 ? incoming : { ...incoming, nodes: [...incoming.nodes, ...older], pageInfo: existing.pageInfo };
    },
  };
}

/** `product(id)` and `customer(id)` read what a list already loaded, so a drill-down opens at once. */
function entity(typename: 'Product' | 'Customer'): FieldPolicy<Reference | null> {
  return {
    read(existing, { args, toReference }) {
      if (existing !== undefined) return existing;
      const id = args?.['id'];
      return typeof id === 'string' ? toReference({ __typename: typename, id }) : undefined;
    },
  };
}

export function createCache(): InMemoryCache {
  return new InMemoryCache({
    typePolicies: {
      Query: {
        fields: {
          products: page,
          customers: page,
          productsBySales: page,
          customersBySales: page,
          purchases: page,
          // The shop's figures as of one point (or now): the newest answer replaces the last.
          sales: { merge: false },
          product: entity('Product'),
          customer: entity('Customer'),
        },
      },
      Product: { fields: { purchases: page, history: timeline() } },
      Customer: { fields: { purchases: page, history: timeline() } },
      // Events never change: one per id.
      HistoryEntry: { keyFields: ['eventId'] },
      // Subscription payloads are events, not state worth keeping: their entities are normalized
      // into the cache, the root fields themselves are not merged.
      Subscription: {
        fields: { productChanged: { merge: false }, customerChanged: { merge: false }, purchaseMade: { merge: false } },
      },
    },
  });
}
