import { InMemoryCache, type ApolloCache, type FieldPolicy, type Reference } from '@apollo/client';

/** A connection as the cache stores it: the dashboard reads `nodes`, never `edges`. */
export interface StoredConnection {
  readonly __typename?: string;
  readonly nodes: readonly Reference[];
  readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
  readonly totalCount: number;
}

/**
 * One list per field, whatever `first` was: page 1 replaces the list, a page with `after` is
 * appended (without the nodes a live update already added). Live updates then edit that one list.
 */
function connection(): FieldPolicy<StoredConnection> {
  return {
    keyArgs: false,
    merge(existing, incoming, { args, readField }) {
      if (!existing || !args?.['after']) return incoming;
      const seen = new Set(existing.nodes.map((node) => readField<string>('id', node)));
      return {
        ...incoming,
        nodes: [...existing.nodes, ...incoming.nodes.filter((node) => !seen.has(readField<string>('id', node)))],
      };
    },
  };
}

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
          products: connection(),
          customers: connection(),
          purchases: connection(),
          product: entity('Product'),
          customer: entity('Customer'),
        },
      },
      Product: { fields: { purchases: connection(), history: timeline() } },
      Customer: { fields: { purchases: connection(), history: timeline() } },
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

/** Where a list lives: a root field (`ROOT_QUERY`) or a field of an entity (a customer's purchases). */
export interface ListOwner {
  readonly id: string;
  readonly field: string;
}

export const rootList = (field: 'products' | 'customers' | 'purchases'): ListOwner => ({ id: 'ROOT_QUERY', field });

type ReadId = (node: Reference) => unknown;

/** Edits one list in place if it was loaded. */
function editList(cache: ApolloCache, owner: ListOwner, edit: (list: StoredConnection, idOf: ReadId) => StoredConnection): void {
  cache.modify({
    id: owner.id,
    fields: {
      [owner.field]: (value, { readField }) => {
        const list = value as StoredConnection | undefined;
        if (!list || !Array.isArray(list.nodes)) return value;
        return edit(list, (node) => readField('id', node));
      },
    },
  });
}

/**
 * Appends an entity to a loaded list, once. A list that was never loaded stays unloaded:
 * inventing one would make a page believe it has all the rows.
 */
export function addToList(cache: ApolloCache, owner: ListOwner, ref: Reference): void {
  editList(cache, owner, (list, idOf) => {
    const id = idOf(ref);
    if (list.nodes.some((node) => idOf(node) === id)) return list;
    return { ...list, nodes: [...list.nodes, ref], totalCount: list.totalCount + 1 };
  });
}

/** Removes an entity from a loaded list (a deleted product leaves the product list). */
export function removeFromList(cache: ApolloCache, owner: ListOwner, id: string): void {
  editList(cache, owner, (list, idOf) => {
    const nodes = list.nodes.filter((node) => idOf(node) !== id);
    return nodes.length === list.nodes.length ? list : { ...list, nodes, totalCount: Math.max(0, list.totalCount - 1) };
  });
}
