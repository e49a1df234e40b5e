import { useEffect, useRef, useState } from 'react';
import { useQuery } from '@apollo/client/react';
import type { HistoryEntryFieldsFragment } from '../gql/graphql.ts';
import { CustomerHistoryQuery, ProductHistoryQuery } from '../graphql/operations.ts';
import { useAsOf } from '../time/ViewTime.tsx';

/** Changes per request: small, as reading far-apart events costs a log read each on Kafka (docs/history.md). */
export const HISTORY_PAGE_SIZE = 20;

const NONE: readonly never[] = [];

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

export interface HistoryResult {
  /** Newest first. */
  readonly entries: readonly HistoryEntryFieldsFragment[];
  readonly totalCount: number;
  readonly loading: boolean;
  readonly hasMore: boolean;
  readonly loadingMore: boolean;
  readonly loadMore: () => Promise<void>;
  readonly error: Error | undefined;
}

/**
 * The timeline of one product or customer, newest first, a page at a time, as of the time shown.
 * Live, it follows the entity's `version` (which subscriptions and this tab's own mutations keep
 * current in the cache): when the entity is newer than the newest change listed, the first page
 * is asked for once more and merged on top (see `timeline()` in the cache). Changes of other
 * entities, and purchases, leave it alone.
 */
export function useHistory(kind: 'product' | 'customer', id: string, version: number | undefined): HistoryResult {
  const asOf = useAsOf();
  const variables = { id, first: HISTORY_PAGE_SIZE, ...(asOf ? { asOf } : {}) };
  const products = useQuery(ProductHistoryQuery, { variables, skip: kind !== 'product' });
  const customers = useQuery(CustomerHistoryQuery, { variables, skip: kind !== 'customer' });
  const { error, loading, fetchMore } = kind === 'product' ? products : customers;
  const loaded = kind === 'product' ? products.data !== undefined : customers.data !== undefined;
  const history = kind === 'product' ? products.data?.product?.history : customers.data?.customer?.history;
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<Error | undefined>(undefined);

  const newest = history?.nodes[0]?.version;
  const refreshedFor = useRef<number | null>(null);
  useEffect(() => {
    if (asOf || loading || version === undefined || newest === undefined) return;
    if (version <= newest || refreshedFor.current === version) return;
    refreshedFor.current = version;
    // Not `refetch()`: Apollo writes a refetch over the list (the merge sees no existing pages),
    // and the older pages loaded would be lost. A first page through `fetchMore` is merged on top.
    fetchMore({ variables: { after: null } }).catch((err: unknown) => setMoreError(asError(err)));
  }, [asOf, loading, version, newest, fetchMore]);

  const cursor = history?.pageInfo.hasNextPage ? (history.pageInfo.endCursor ?? null) : null;
  const loadMore = async () => {
    if (!cursor || loadingMore) return;
    setLoadingMore(true);
    setMoreError(undefined);
    try {
      await fetchMore({ variables: { after: cursor } });
    } catch (err) {
      setMoreError(asError(err));
    } finally {
      setLoadingMore(false);
    }
  };

  return {
    entries: history?.nodes ?? NONE,
    totalCount: history?.totalCount ?? 0,
    loading: !error && !loaded,
    hasMore: cursor !== null,
    loadingMore,
    loadMore,
    error: error ?? moreError,
  };
}
