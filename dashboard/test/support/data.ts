import type { FakeServer } from './fake-server.ts';
import type {
  ChangeKind,
  CustomerFieldsFragment,
  HistoryEntryFieldsFragment,
  ProductFieldsFragment,
  PurchaseLiveFragment,
} from '../../src/gql/graphql.ts';

const at = '2026-01-05T10:00:00.000Z';

export function product(overrides: Partial<ProductFieldsFragment> & { id: string; name: string }): ProductFieldsFragment {
  return {
    __typename: 'Product',
    price: '1.50',
    version: 1,
    createdAt: at,
    updatedAt: at,
    deletedAt: null,
    purchaseCount: 0,
    customerCount: 0,
    totalSpent: '0.00',
    ...overrides,
  };
}

export function customer(
  overrides: Partial<CustomerFieldsFragment> & { id: string; firstName: string; lastName: string },
): CustomerFieldsFragment {
  return {
    __typename: 'Customer',
    version: 1,
    createdAt: at,
    updatedAt: at,
    deletedAt: null,
    purchaseCount: 0,
    totalSpent: '0.00',
    ...overrides,
  };
}

/** A purchase with the aggregates of its product and customer after it. */
export function purchase(
  id: string,
  of: ProductFieldsFragment,
  by: CustomerFieldsFragment,
  total: string,
  transactionDate = at,
): PurchaseLiveFragment {
  return { __typename: 'Purchase', id, total, transactionDate, product: of, customer: by };
}

export function connection<T>(nodes: readonly T[], typename: string, next?: string) {
  return {
    __typename: typename,
    totalCount: nodes.length,
    pageInfo: { __typename: 'PageInfo', hasNextPage: Boolean(next), endCursor: next ?? null },
    nodes,
  };
}

export const empty = (typename: string) => connection([], typename);

export interface World {
  products: ProductFieldsFragment[];
  customers: CustomerFieldsFragment[];
  purchases: PurchaseLiveFragment[];
}

/** One page of `rows` after the cursor `after` (the index of the last row seen), like the server. */
function page<T>(rows: readonly T[], typename: string, variables: Record<string, unknown>) {
  const first = Number(variables['first'] ?? 50);
  const start = variables['after'] ? Number(variables['after']) + 1 : 0;
  const nodes = rows.slice(start, start + first);
  const more = start + first < rows.length;
  return { ...connection(nodes, typename, more ? String(start + first - 1) : undefined), totalCount: rows.length };
}

/**
 * Answers the dashboard's queries from `live`, paging as the API does; a query with `asOf` from
 * `past(asOf)` when given (the world as it was then). Histories are empty until `serveHistory`.
 */
export function serveWorld(server: FakeServer, live: World, past?: (asOf: string) => World): World {
  const at = (v: Record<string, unknown>): World => (past && typeof v['asOf'] === 'string' ? past(v['asOf']) : live);
  const row = ({ product: p, customer: c, ...rest }: PurchaseLiveFragment) => ({
    ...rest,
    product: { __typename: 'Product', id: p.id, name: p.name, deletedAt: p.deletedAt },
    customer: { __typename: 'Customer', id: c.id, firstName: c.firstName, lastName: c.lastName, deletedAt: c.deletedAt },
  });
  server
    .on('Products', (v) => ({ data: { products: page(at(v).products, 'ProductConnection', v) } }))
    .on('Customers', (v) => ({ data: { customers: page(at(v).customers, 'CustomerConnection', v) } }))
    .on('Purchases', (v) => ({ data: { purchases: page(at(v).purchases.map(row), 'PurchaseConnection', v) } }))
    .on('Product', (v) => {
      const world = at(v);
      const found = world.products.find((p) => p.id === v['id']);
      const purchases = world.purchases.filter((p) => p.product.id === v['id']).map(row);
      return { data: { product: found ? { ...found, purchases: page(purchases, 'PurchaseConnection', v) } : null } };
    })
    .on('Customer', (v) => {
      const world = at(v);
      const found = world.customers.find((c) => c.id === v['id']);
      const purchases = world.purchases.filter((p) => p.customer.id === v['id']).map(row);
      return { data: { customer: found ? { ...found, purchases: page(purchases, 'PurchaseConnection', v) } : null } };
    });
  serveHistory(server, {});
  return live;
}

/** One event of an entity's history, as `HistoryEntry` gives it. */
export function change(
  version: number,
  type: string,
  occurredAt: string,
  changes: Record<string, [before: string | null, after: string | null]>,
  actor: string | null = 'alice',
): HistoryEntryFieldsFragment {
  const kind: ChangeKind = type.endsWith('Created') ? 'CREATED' : type.endsWith('Deleted') ? 'DELETED' : 'UPDATED';
  return {
    __typename: 'HistoryEntry',
    eventId: `${type}-${version}-${occurredAt}`,
    type,
    kind,
    version,
    occurredAt,
    actor,
    changes: Object.entries(changes).map(([field, [before, after]]) => ({ __typename: 'FieldChange', field, before, after })),
  };
}

/**
 * Answers `ProductHistory` and `CustomerHistory` from `events` (per entity id, oldest first) as
 * the API does with `newestFirst: true`: cursors are event indexes, so they hold as history grows;
 * with `asOf`, only the events up to then.
 */
export function serveHistory(server: FakeServer, events: Record<string, HistoryEntryFieldsFragment[]>): void {
  const history = (v: Record<string, unknown>) => {
    const asOf = typeof v['asOf'] === 'string' ? Date.parse(v['asOf']) : Infinity;
    const all = (events[String(v['id'])] ?? []).filter((e) => Date.parse(e.occurredAt) <= asOf);
    const first = Number(v['first'] ?? 50);
    const start = v['after'] ? Number(v['after']) - 1 : all.length - 1;
    const indices: number[] = [];
    for (let i = start; i >= 0 && indices.length < first; i--) indices.push(i);
    const last = indices.at(-1);
    return {
      __typename: 'HistoryConnection',
      totalCount: all.length,
      pageInfo: {
        __typename: 'PageInfo',
        hasNextPage: last !== undefined && last > 0,
        endCursor: last === undefined ? null : String(last),
      },
      nodes: indices.map((i) => all[i]!),
    };
  };
  server
    .on('ProductHistory', (v) => ({ data: { product: { __typename: 'Product', id: v['id'], history: history(v) } } }))
    .on('CustomerHistory', (v) => ({ data: { customer: { __typename: 'Customer', id: v['id'], history: history(v) } } }));
}
