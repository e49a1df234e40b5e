import { useEffect, useRef } from 'react';
import type { Change } from '../live/changes.ts';
import { useLive } from '../live/LiveContext.tsx';
import { useAsOf } from '../time/ViewTime.tsx';

/** The least time between two refreshes of one query on screen, however fast changes come. */
export const REFRESH_INTERVAL_MS = 1000;

/**
 * Asks `refresh` (a query's `refetch`) again when a change that may alter its answer is applied:
 * a new product for a product list, a purchase for a list ordered by sales. The first change
 * refreshes at once, later ones at most once per `intervalMs`, and the last one is never dropped
 * (a change during the wait refreshes when it ends). Rows already on screen change in place
 * without this (the cache is normalized); it brings rows that now belong on the page, drops those
 * that no longer do, and corrects counts. Nothing while the past is shown: it does not change.
 *
 * @param relevant whether a change concerns the query; `false` while the query is not in use.
 */
export function useRefreshOn(
  relevant: ((change: Change) => boolean) | false,
  refresh: () => Promise<unknown>,
  intervalMs: number = REFRESH_INTERVAL_MS,
): void {
  const { changes } = useLive();
  const asOf = useAsOf();
  const latest = useRef({ relevant, refresh });
  useEffect(() => {
    latest.current = { relevant, refresh };
  });
  useEffect(() => {
    if (!changes || asOf) return;
    let last = Number.NEGATIVE_INFINITY;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = () => {
      timer = undefined;
      last = Date.now();
      // A failed refresh leaves the page as it was; the query reports its own error.
      latest.current.refresh().catch(() => undefined);
    };
    const unsubscribe = changes.subscribe((change) => {
      const { relevant: isRelevant } = latest.current;
      if (!isRelevant || !isRelevant(change) || timer !== undefined) return;
      const waitMs = last + intervalMs - Date.now();
      if (waitMs <= 0) run();
      else timer = setTimeout(run, waitMs);
    });
    return () => {
      unsubscribe();
      clearTimeout(timer);
    };
  }, [changes, asOf, intervalMs]);
}
