import { useQuery } from '@apollo/client/react';
import type { TableView } from '../components/table-view.ts';
import type {
  CustomerFieldsFragment,
  CustomerOrderField,
  CustomerSalesField,
  OverviewQuery as OverviewData,
  ProductFieldsFragment,
  ProductOrderField,
  ProductSalesField,
  PurchaseOrderField,
  PurchaseRowFragment,
  SortDirection,
} from '../gql/graphql.ts';
import {
  CustomerPurchasesQuery,
  CustomerQuery,
  CustomersBySalesQuery,
  CustomersQuery,
  OverviewQuery,
  ProductPurchasesQuery,
  ProductQuery,
  ProductsBySalesQuery,
  ProductsQuery,
} from '../graphql/operations.ts';
import { useAsOf } from '../time/ViewTime.tsx';
import { useRefreshOn } from './refresh.ts';

const NONE: readonly never[] = [];

/**
 * A list page is shown from the cache at once when it was seen before, and asked for again all
 * the same: which rows belong on it may have changed while it was off screen. Entities changed
 * by live updates re-render it from the cache without a request. (No `nextFetchPolicy`: with
 * `cache-first` there, Apollo Client 4 was seen to go back and forth between a search's old and
 * new variables.)
 */
const LIST_POLICY = { fetchPolicy: 'cache-and-network' } as const;

/** The columns each list can be ordered by, and which root field orders by them. */
export const productOrder: Readonly<Record<string, ProductOrderField>> = { name: 'NAME', price: 'PRICE', created: 'CREATED_AT' };
/** Sales figures are kept by the purchases subgraph: `productsBySales` sorts by them. */
export const productSalesOrder: Readonly<Record<string, ProductSalesField>> = {
  purchases: 'PURCHASE_COUNT',
  customers: 'CUSTOMER_COUNT',
  total: 'TOTAL_SPENT',
};
export const customerOrder: Readonly<Record<string, CustomerOrderField>> = { name: 'NAME', created: 'CREATED_AT' };
export const customerSalesOrder: Readonly<Record<string, CustomerSalesField>> = {
  purchases: 'PURCHASE_COUNT',
  total: 'TOTAL_SPENT',
};
export const purchaseOrder: Readonly<Record<string, PurchaseOrderField>> = { date: 'TRANSACTION_DATE', amount: 'TOTAL' };

export interface ListResult<T> {
  /** The page's rows, in the server's order. */
  readonly rows: readonly T[];
  /** Rows of the whole (searched) list; undefined until the first answer. */
  readonly totalCount: number | undefined;
  /** A request for this view is on its way (the rows shown may be the previous view's). */
  readonly loading: boolean;
  readonly error: Error | undefined;
}

const direction = (view: TableView): SortDirection => (view.dir === 'asc' ? 'ASC' : 'DESC');

/** `first`, `offset`, `search` and `asOf` of a list query for `view`. */
function pageVariables(view: TableView, asOf: string | null) {
  return {
    first: view.pageSize,
    offset: view.offset,
    ...(view.search ? { search: view.search } : {}),
    ...(asOf ? { asOf } : {}),
  };
}

interface Page<T> {
  readonly totalCount: number;
  readonly nodes: readonly T[];
}

function listResult<T>(page: Page<T> | undefined, loading: boolean, error: Error | undefined): ListResult<T> {
  return { rows: page?.nodes ?? NONE, totalCount: page?.totalCount, loading, error };
}

/** One page of products: by name, price or creation from `products`, by a sales figure from `productsBySales`. */
export function useProductList(view: TableView): ListResult<ProductFieldsFragment> {
  const asOf = useAsOf();
  const salesField = productSalesOrder[view.sort];
  const common = pageVariables(view, asOf);
  const plain = useQuery(ProductsQuery, {
    variables: { ...common, orderBy: { field: productOrder[view.sort] ?? 'NAME', direction: direction(view) } },
    skip: salesField !== undefined,
    ...LIST_POLICY,
  });
  const bySales = useQuery(ProductsBySalesQuery, {
    variables: { ...common, orderBy: { field: salesField ?? 'TOTAL_SPENT', direction: direction(view) } },
    skip: salesField === undefined,
    ...LIST_POLICY,
  });
  // A product list changes with products; one ordered by sales, with purchases too.
  useRefreshOn(salesField ? (change) => change.stream !== 'customers' : (change) => change.stream === 'products', () =>
    salesField ? bySales.refetch() : plain.refetch(),
  );
  return salesField
    ? listResult((bySales.data ?? bySales.previousData)?.productsBySales, bySales.loading, bySales.error)
    : listResult((plain.data ?? plain.previousData)?.products, plain.loading, plain.error);
}

export function useCustomerList(view: TableView): ListResult<CustomerFieldsFragment> {
  const asOf = useAsOf();
  const salesField = customerSalesOrder[view.sort];
  const common = pageVariables(view, asOf);
  const plain = useQuery(CustomersQuery, {
    variables: { ...common, orderBy: { field: customerOrder[view.sort] ?? 'NAME', direction: direction(view) } },
    skip: salesField !== undefined,
    ...LIST_POLICY,
  });
  const bySales = useQuery(CustomersBySalesQuery, {
    variables: { ...common, orderBy: { field: salesField ?? 'TOTAL_SPENT', direction: direction(view) } },
    skip: salesField === undefined,
    ...LIST_POLICY,
  });
  useRefreshOn(salesField ? (change) => change.stream !== 'products' : (change) => change.stream === 'customers', () =>
    salesField ? bySales.refetch() : plain.refetch(),
  );
  return salesField
    ? listResult((bySales.data ?? bySales.previousData)?.customersBySales, bySales.loading, bySales.error)
    : listResult((plain.data ?? plain.previousData)?.customers, plain.loading, plain.error);
}

function purchaseVariables(id: string, view: TableView, asOf: string | null) {
  // Purchases have no names of their own to search.
  return {
    id,
    first: view.pageSize,
    offset: view.offset,
    ...(asOf ? { asOf } : {}),
    orderBy: { field: purchaseOrder[view.sort] ?? 'TRANSACTION_DATE', direction: direction(view) },
  };
}

/** One page of a product's purchases. */
export function useProductPurchases(id: string, view: TableView): ListResult<PurchaseRowFragment> {
  const asOf = useAsOf();
  const { data, previousData, loading, error, refetch } = useQuery(ProductPurchasesQuery, {
    variables: purchaseVariables(id, view, asOf),
    ...LIST_POLICY,
  });
  useRefreshOn((change) => change.stream === 'purchases' && change.productId === id, refetch);
  return listResult((data ?? previousData)?.product?.purchases, loading, error);
}

export function useCustomerPurchases(id: string, view: TableView): ListResult<PurchaseRowFragment> {
  const asOf = useAsOf();
  const { data, previousData, loading, error, refetch } = useQuery(CustomerPurchasesQuery, {
    variables: purchaseVariables(id, view, asOf),
    ...LIST_POLICY,
  });
  useRefreshOn((change) => change.stream === 'purchases' && change.customerId === id, refetch);
  return listResult((data ?? previousData)?.customer?.purchases, loading, error);
}

export interface EntityResult<T> {
  /** The entity; undefined while loading, null when it does not exist. */
  readonly entity: T | null | undefined;
  readonly error: Error | undefined;
}

/** A product as of the time shown; live updates keep it current in the cache. */
export function useProduct(id: string): EntityResult<ProductFieldsFragment> {
  const asOf = useAsOf();
  const { data, error } = useQuery(ProductQuery, { variables: { id, ...(asOf ? { asOf } : {}) } });
  return { entity: data ? data.product : undefined, error };
}

export function useCustomer(id: string): EntityResult<CustomerFieldsFragment> {
  const asOf = useAsOf();
  const { data, error } = useQuery(CustomerQuery, { variables: { id, ...(asOf ? { asOf } : {}) } });
  return { entity: data ? data.customer : undefined, error };
}

/** How many products the revenue chart shows. */
export const TOP_PRODUCTS = 10;

export interface OverviewResult {
  readonly data: OverviewData | undefined;
  readonly error: Error | undefined;
}

/** The overview's figures, asked for again (throttled) on every change: each may move them. */
export function useOverview(): OverviewResult {
  const asOf = useAsOf();
  const { data, previousData, error, refetch } = useQuery(OverviewQuery, {
    variables: { top: TOP_PRODUCTS, ...(asOf ? { asOf } : {}) },
    ...LIST_POLICY,
  });
  useRefreshOn(() => true, refetch);
  return { data: data ?? previousData, error };
}
