import { useEffect, useId, useState, type ReactNode } from 'react';
import type { TableView } from './table-view.ts';

export interface Column<T> {
  readonly key: string;
  readonly header: string;
  readonly render: (row: T) => ReactNode;
  /** The server can order by this column (the view's `sort` is then this key). */
  readonly sortable?: boolean;
  readonly numeric?: boolean;
}

export interface DataTableProps<T> {
  readonly caption: string;
  readonly view: TableView;
  /** The rows of the page the server sent, in its order. */
  readonly rows: readonly T[];
  /** Rows in the whole (searched) list; undefined until the first page is in. */
  readonly totalCount: number | undefined;
  readonly columns: readonly Column<T>[];
  readonly rowKey: (row: T) => string;
  /** Shows a search box; the server matches it against names. */
  readonly searchable?: boolean;
  readonly searchLabel?: string;
  readonly empty?: ReactNode;
  readonly loading?: boolean;
}

/** How long the search box waits for the typing to stop before asking the server. */
export const SEARCH_DEBOUNCE_MS = 300;
/** The API's limit on a search. */
const SEARCH_MAX_LENGTH = 100;

/**
 * One page of a list the server sorts, searches and counts: the table shows what it was sent,
 * and turns a click on a header, a search or a page button into a new view in the address
 * ({@link TableView}), which the page's query follows. Nothing here grows with the list.
 */
export function DataTable<T>({
  caption,
  view,
  rows,
  totalCount,
  columns,
  rowKey,
  searchable = false,
  searchLabel = 'Search by name',
  empty = 'Nothing here yet.',
  loading = false,
}: DataTableProps<T>) {
  const searchId = useId();
  const { sort, dir, search, page, pageSize, update } = view;
  // What is typed and not yet applied; null once the address has it.
  const [draft, setDraft] = useState<string | null>(null);
  useEffect(() => {
    if (draft === null) return;
    const timer = setTimeout(() => {
      update({ q: draft.trim(), page: null });
      setDraft(null);
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [draft, update]);

  const pages = totalCount === undefined ? undefined : Math.max(1, Math.ceil(totalCount / pageSize));
  // A page past the end (the list shrank, or an old link): show the last one instead.
  useEffect(() => {
    if (!loading && pages !== undefined && page > pages) update({ page: pages > 1 ? String(pages) : null });
  }, [loading, page, pages, update]);

  const sortBy = (key: string) => update({ sort: key, dir: sort === key && dir === 'asc' ? 'desc' : 'asc', page: null });
  const count =
    totalCount === undefined ? '(loading…)' : `(${rows.length === totalCount ? totalCount : `${rows.length} of ${totalCount}`})`;

  return (
    <div className="data-table">
      {searchable && (
        <div className="table-tools">
          <label htmlFor={searchId}>{searchLabel}</label>
          <input
            id={searchId}
            type="search"
            value={draft ?? search}
            maxLength={SEARCH_MAX_LENGTH}
            // Control characters are refused by the API; they cannot be meant.
            onChange={(event) => setDraft(event.target.value.replace(/\p{Cc}/gu, ''))}
            autoComplete="off"
          />
        </div>
      )}
      {/* A region that scrolls sideways on a narrow screen must be reachable by keyboard to be scrolled. */}
      {/* eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex */}
      <div className="table-scroll" role="region" aria-label={caption} tabIndex={0}>
        <table aria-busy={loading || undefined}>
          <caption>
            {caption} <span className="caption-count">{count}</span>
          </caption>
          <thead>
            <tr>
              {columns.map((column) => {
                const sorted = column.key === sort;
                return (
                  <th
                    key={column.key}
                    scope="col"
                    className={column.numeric ? 'numeric' : undefined}
                    aria-sort={sorted ? (dir === 'asc' ? 'ascending' : 'descending') : undefined}
                  >
                    {column.sortable ? (
                      <button type="button" className="sort" onClick={() => sortBy(column.key)}>
                        {column.header}
                        <span aria-hidden="true" className="sort-mark">
                          {sorted ? (dir === 'asc' ? ' ▲' : ' ▼') : ' ↕'}
                        </span>
                      </button>
                    ) : (
                      column.header
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colSpan={columns.length} className="empty">
                  {totalCount === undefined ? 'Loading…' : search ? `Nothing matches “${search}”.` : empty}
                </td>
              </tr>
            ) : (
              rows.map((row) => (
                <tr key={rowKey(row)}>
                  {columns.map((column) => (
                    <td key={column.key} className={column.numeric ? 'numeric' : undefined}>
                      {column.render(row)}
                    </td>
                  ))}
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      {pages !== undefined && pages > 1 && (
        <nav className="pager" aria-label={`${caption} pages`}>
          <button type="button" onClick={() => update({ page: page > 2 ? String(page - 1) : null })} disabled={page <= 1}>
            Previous
          </button>
          <span aria-live="polite">
            Page {page} of {pages}
          </span>
          <button type="button" onClick={() => update({ page: String(page + 1) })} disabled={page >= pages}>
            Next
          </button>
        </nav>
      )}
    </div>
  );
}
