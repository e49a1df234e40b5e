import { useEffect, useRef } from 'react';
import { useQuery } from '@apollo/client/react';
import type { CustomerFieldsFragment, ProductFieldsFragment, PurchaseRowFragment } from '../gql/graphql.ts';
import { useAsOf } from '../time/ViewTime.tsx';
import { CustomerQuery, CustomersQuery, PAGE_SIZE, ProductQuery, ProductsQuery, PurchasesQuery } from '../graphql/operations.ts';

const NONE: readonly never[] = [];

/**
 * `asOf` for the queries while the past is shown (the time scope gives them a client of their
 * own then); live queries go without it, as before.
 */
function useTimeVariables(): { asOf?: string } {
  const asOf = useAsOf();
  return asOf ? { asOf } : {};
}

interface PageInfo {
  readonly hasNextPage: boolean;
  readonly endCursor?: string | null;
}

/**
 * Loads the pages after the first, one request at a time, into the same cached list (the cache's
 * field policy appends them). Each cursor is asked for once, also under React's double effects.
 */
function useRemainingPages(
  fetchMore: (options: { variables: { after: string } }) => Promise<unknown>,
  pageInfo: PageInfo | undefined,
): void {
  const requested = useRef<string | null>(null);
  const cursor = pageInfo?.hasNextPage ? (pageInfo.endCursor ?? null) : null;
  useEffect(() => {
    if (!cursor || requested.current === cursor) return;
    requested.current = cursor;
    fetchMore({ variables: { after: cursor } }).catch(() => {
      requested.current = null;
    });
  }, [cursor, fetchMore]);
}

export interface ListResult<T> {
  readonly rows: readonly T[];
  /** True until every page is in. */
  readonly loading: boolean;
  readonly error: Error | undefined;
}

export function useProducts(): ListResult<ProductFieldsFragment> {
  const time = useTimeVariables();
  const { data, error, fetchMore } = useQuery(ProductsQuery, { variables: { first: PAGE_SIZE, ...time } });
  useRemainingPages(fetchMore, data?.products.pageInfo);
  return { rows: data?.products.nodes ?? NONE, loading: !error && (!data || data.products.pageInfo.hasNextPage), error };
}

export function useCustomers(): ListResult<CustomerFieldsFragment> {
  const time = useTimeVariables();
  const { data, error, fetchMore } = useQuery(CustomersQuery, { variables: { first: PAGE_SIZE, ...time } });
  useRemainingPages(fetchMore, data?.customers.pageInfo);
  return { rows: data?.customers.nodes ?? NONE, loading: !error && (!data || data.customers.pageInfo.hasNextPage), error };
}

export function usePurchases(): ListResult<PurchaseRowFragment> {
  const time = useTimeVariables();
  const { data, error, fetchMore } = useQuery(PurchasesQuery, { variables: { first: PAGE_SIZE, ...time } });
  useRemainingPages(fetchMore, data?.purchases.pageInfo);
  return { rows: data?.purchases.nodes ?? NONE, loading: !error && (!data || data.purchases.pageInfo.hasNextPage), error };
}

export interface DetailResult<T> {
  /** The entity; undefined while loading, null when it does not exist. */
  readonly entity: T | null | undefined;
  readonly purchases: ListResult<PurchaseRowFragment>;
  readonly error: Error | undefined;
}

export function useProduct(id: string): DetailResult<ProductFieldsFragment> {
  const time = useTimeVariables();
  const { data, error, fetchMore } = useQuery(ProductQuery, { variables: { id, first: PAGE_SIZE, ...time } });
  const purchases = data?.product?.purchases;
  useRemainingPages(fetchMore, purchases?.pageInfo);
  return {
    entity: data ? data.product : undefined,
    purchases: { rows: purchases?.nodes ?? NONE, loading: !error && (!purchases || purchases.pageInfo.hasNextPage), error },
    error,
  };
}

export function useCustomer(id: string): DetailResult<CustomerFieldsFragment> {
  const time = useTimeVariables();
  const { data, error, fetchMore } = useQuery(CustomerQuery, { variables: { id, first: PAGE_SIZE, ...time } });
  const purchases = data?.customer?.purchases;
  useRemainingPages(fetchMore, purchases?.pageInfo);
  return {
    entity: data ? data.customer : undefined,
    purchases: { rows: purchases?.nodes ?? NONE, loading: !error && (!purchases || purchases.pageInfo.hasNextPage), error },
    error,
  };
}
