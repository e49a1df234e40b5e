import type { FakeServer } from './fake-server.ts';
import type { CustomerFieldsFragment, ProductFieldsFragment, PurchaseLiveFragment } from '../../src/gql/graphql.ts';

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

/** Answers the dashboard's queries from `world`, paging as the API does. */
export function serveWorld(server: FakeServer, world: World): World {
  const row = ({ product: p, customer: c, ...rest }: PurchaseLiveFragment) => ({
    ...rest,
    product: { __typename: 'Product', id: p.id, name: p.name, deletedAt: p.deletedAt },
    customer: { __typename: 'Customer', id: c.id, firstName: c.firstName, lastName: c.lastName, deletedAt: c.deletedAt },
  });
  server
    .on('Products', (v) => ({ data: { products: page(world.products, 'ProductConnection', v) } }))
    .on('Customers', (v) => ({ data: { customers: page(world.customers, 'CustomerConnection', v) } }))
    .on('Purchases', (v) => ({ data: { purchases: page(world.purchases.map(row), 'PurchaseConnection', v) } }))
    .on('Product', (v) => {
      const found = world.products.find((p) => p.id === v['id']);
      const purchases = world.purchases.filter((p) => p.product.id === v['id']).map(row);
      return { data: { product: found ? { ...found, purchases: page(purchases, 'PurchaseConnection', v) } : null } };
    })
    .on('Customer', (v) => {
      const found = world.customers.find((c) => c.id === v['id']);
      const purchases = world.purchases.filter((p) => p.customer.id === v['id']).map(row);
      return { data: { customer: found ? { ...found, purchases: page(purchases, 'PurchaseConnection', v) } : null } };
    });
  return world;
}
