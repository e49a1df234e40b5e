import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { PAGE_SIZE } from '../graphql/operations.ts';

export type SortDirection = 'asc' | 'desc';

/**
 * What a table shows, as the address holds it (`sort`, `dir`, `q`, `page`), so a reload, the back
 * button or a shared link shows the same rows. The server sorts, searches and pages: this is only
 * what to ask it for.
 */
export interface TableView {
  /** The key of the column sorted by. */
  readonly sort: string;
  readonly dir: SortDirection;
  /** The search as applied (the box itself may be ahead of it while typing). */
  readonly search: string;
  /** 1-based. */
  readonly page: number;
  readonly pageSize: number;
  /** Rows before this page: what the list query passes as `offset`. */
  readonly offset: number;
  /** Changes the view; `null` or `''` removes a parameter. */
  readonly update: (changes: Readonly<Record<string, string | null>>) => void;
}

/** The most a page may hold (the API allows 500; a screen needs far fewer). */
export const MAX_PAGE_SIZE = 100;

/** The table's view from the address, with `defaultSort` when it names none. */
export function useTableView(
  defaultSort: { readonly key: string; readonly dir: SortDirection },
  pageSize: number = PAGE_SIZE,
): TableView {
  const [params, setParams] = useSearchParams();
  const size = Math.min(pageSize, MAX_PAGE_SIZE);
  const sort = params.get('sort') || defaultSort.key;
  const dirParam = params.get('dir');
  const dir: SortDirection = dirParam === 'asc' || dirParam === 'desc' ? dirParam : defaultSort.dir;
  const search = params.get('q')?.trim() ?? '';
  const pageParam = Number(params.get('page'));
  const page = Number.isSafeInteger(pageParam) && pageParam >= 1 ? pageParam : 1;
  const update = useCallback(
    (changes: Readonly<Record<string, string | null>>) =>
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          for (const [key, value] of Object.entries(changes)) {
            if (value === null || value === '') next.delete(key);
            else next.set(key, value);
          }
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  return useMemo(
    () => ({ sort, dir, search, page, pageSize: size, offset: (page - 1) * size, update }),
    [sort, dir, search, page, size, update],
  );
}
