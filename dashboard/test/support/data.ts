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

type Variables = Record<string, unknown>;
type Key = string | number;

const compareKeys = (a: readonly Key[], b: readonly Key[]): number => {
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i]!, b[i]!];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
};

/**
 * `rows` as the API answers a list: each word of `search` starts a word of the name
 * (case-insensitive), sorted by `orderBy` (ties by creation time, then id, in the same
 * direction), `offset` rows skipped, `first` taken, `totalCount` of the searched list.
 */
function list<T extends { id: string }>(
  rows: readonly T[],
  typename: string,
  v: Variables,
  columns: Readonly<Record<string, (row: T) => Key>>,
  defaultOrder: { field: string; direction: string },
  name: (row: T) => string,
  tie: (row: T) => Key = () => '',
) {
  const orderBy = { ...defaultOrder, ...(v['orderBy'] as object | undefined) } as { field: string; direction: string };
  const column = columns[orderBy.field];
  if (!column) throw new Error(`unknown orderBy field ${orderBy.field}`);
  const words = String(v['search'] ?? '')
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean);
  const found = rows.filter((row) => {
    const nameWords = name(row).toLowerCase().split(/\s+/);
    return words.every((word) => nameWords.some((w) => w.startsWith(word)));
  });
  const sign = orderBy.direction === 'DESC' ? -1 : 1;
  const sorted = [...found].sort((a, b) => sign * compareKeys([column(a), tie(a), a.id], [column(b), tie(b), b.id]));
  const first = Number(v['first'] ?? 50);
  const offset = Number(v['offset'] ?? 0);
  const nodes = sorted.slice(offset, offset + first);
  return { ...connection(nodes, typename, offset + first < sorted.length ? 'more' : undefined), totalCount: sorted.length };
}

const cents = (money: string): number => Math.round(Number(money) * 100);
const money = (value: number): string => (value / 100).toFixed(2);

const productColumns: Record<string, (p: ProductFieldsFragment) => Key> = {
  NAME: (p) => p.name.toLowerCase(),
  PRICE: (p) => cents(p.price),
  CREATED_AT: (p) => p.createdAt,
  PURCHASE_COUNT: (p) => p.purchaseCount,
  CUSTOMER_COUNT: (p) => p.customerCount,
  TOTAL_SPENT: (p) => cents(p.totalSpent),
};
const customerColumns: Record<string, (c: CustomerFieldsFragment) => Key> = {
  NAME: (c) => `${c.lastName.toLowerCase()} ${c.firstName.toLowerCase()}`,
  CREATED_AT: (c) => c.createdAt,
  PURCHASE_COUNT: (c) => c.purchaseCount,
  TOTAL_SPENT: (c) => cents(c.totalSpent),
};
const purchaseColumns: Record<string, (p: PurchaseLiveFragment) => Key> = {
  TRANSACTION_DATE: (p) => p.transactionDate,
  TOTAL: (p) => cents(p.total),
};

const BUCKETS = { MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000 } as const;

/** `sales` as the API keeps it: totals, and purchases per bucket (the finest with at most 1,000), empty ones left out. */
function sales(purchases: readonly PurchaseLiveFragment[]) {
  const times = purchases.map((p) => Date.parse(p.transactionDate));
  const [min, max] = [times.reduce((a, b) => Math.min(a, b), Infinity), times.reduce((a, b) => Math.max(a, b), -Infinity)];
  const bucket =
    (['MINUTE', 'HOUR', 'DAY'] as const).find((b) => Math.floor(max / BUCKETS[b]) - Math.floor(min / BUCKETS[b]) < 1000) ?? 'DAY';
  const byStart = new Map<number, { purchaseCount: number; cents: number }>();
  purchases.forEach((p, i) => {
    const start = Math.floor(times[i]! / BUCKETS[bucket]) * BUCKETS[bucket];
    const held = byStart.get(start) ?? { purchaseCount: 0, cents: 0 };
    held.purchaseCount++;
    held.cents += cents(p.total);
    byStart.set(start, held);
  });
  return {
    __typename: 'Sales',
    purchaseCount: purchases.length,
    revenue: money(purchases.reduce((sum, p) => sum + cents(p.total), 0)),
    overTime: {
      __typename: 'SalesOverTime',
      bucket,
      buckets: [...byStart.entries()]
        .sort(([a], [b]) => a - b)
        .map(([start, b]) => ({
          __typename: 'SalesBucket',
          start: new Date(start).toISOString(),
          purchaseCount: b.purchaseCount,
          revenue: money(b.cents),
        })),
    },
  };
}

/**
 * Answers the dashboard's queries from `live`, sorting, searching and paging as the API does;
 * a query with `asOf` from `past(asOf)` when given (the world as it was then). Histories are
 * empty until `serveHistory`.
 */
export function serveWorld(server: FakeServer, live: World, past?: (asOf: string) => World): World {
  const at = (v: Variables): World => (past && typeof v['asOf'] === 'string' ? past(v['asOf']) : live);
  const row = ({ product: p, customer: c, ...rest }: PurchaseLiveFragment) => ({
    ...rest,
    product: { __typename: 'Product', id: p.id, name: p.name, deletedAt: p.deletedAt },
    customer: { __typename: 'Customer', id: c.id, firstName: c.firstName, lastName: c.lastName, deletedAt: c.deletedAt },
  });
  const products = (v: Variables, defaultOrder: { field: string; direction: string }) =>
    list(
      at(v).products,
      'ProductConnection',
      v,
      productColumns,
      defaultOrder,
      (p) => p.name,
      (p) => p.createdAt,
    );
  const customers = (v: Variables, defaultOrder: { field: string; direction: string }) =>
    list(
      at(v).customers,
      'CustomerConnection',
      v,
      customerColumns,
      defaultOrder,
      (c) => `${c.firstName} ${c.lastName}`,
      (c) => c.createdAt,
    );
  const purchases = (v: Variables, of: (p: PurchaseLiveFragment) => boolean) => {
    const page = list(
      at(v).purchases.filter(of),
      'PurchaseConnection',
      v,
      purchaseColumns,
      { field: 'TRANSACTION_DATE', direction: 'ASC' },
      () => '',
    );
    return { ...page, nodes: page.nodes.map(row) };
  };
  const byCreation = { field: 'CREATED_AT', direction: 'ASC' };
  const bySales = { field: 'TOTAL_SPENT', direction: 'DESC' };
  server
    .on('Products', (v) => ({ data: { products: products(v, byCreation) } }))
    .on('ProductsBySales', (v) => ({ data: { productsBySales: products(v, bySales) } }))
    .on('Customers', (v) => ({ data: { customers: customers(v, byCreation) } }))
    .on('CustomersBySales', (v) => ({ data: { customersBySales: customers(v, bySales) } }))
    .on('Product', (v) => ({ data: { product: at(v).products.find((p) => p.id === v['id']) ?? null } }))
    .on('Customer', (v) => ({ data: { customer: at(v).customers.find((c) => c.id === v['id']) ?? null } }))
    .on('ProductPurchases', (v) => {
      const found = at(v).products.some((p) => p.id === v['id']);
      const page = purchases(v, (p) => p.product.id === v['id']);
      return { data: { product: found ? { __typename: 'Product', id: v['id'], purchases: page } : null } };
    })
    .on('CustomerPurchases', (v) => {
      const found = at(v).customers.some((c) => c.id === v['id']);
      const page = purchases(v, (p) => p.customer.id === v['id']);
      return { data: { customer: found ? { __typename: 'Customer', id: v['id'], purchases: page } : null } };
    })
    .on('Overview', (v) => {
      const world = at(v);
      const top = products({ first: v['top'], asOf: v['asOf'] }, bySales);
      return {
        data: {
          products: { __typename: 'ProductConnection', totalCount: world.products.length },
          customers: { __typename: 'CustomerConnection', totalCount: world.customers.length },
          sales: sales(world.purchases),
          productsBySales: {
            __typename: 'ProductConnection',
            nodes: top.nodes.map(({ id, name, totalSpent }) => ({ __typename: 'Product', id, name, totalSpent })),
          },
        },
      };
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
