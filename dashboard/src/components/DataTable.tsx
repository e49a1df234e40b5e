import { useId, useMemo, type ReactNode } from 'react';
import { useSearchParams } from 'react-router';

export interface Column<T> {
  readonly key: string;
  readonly header: string;
  readonly render: (row: T) => ReactNode;
  /** Makes the column sortable by this value. */
  readonly sortValue?: (row: T) => string | number;
  readonly numeric?: boolean;
}

export interface DataTableProps<T> {
  readonly caption: string;
  readonly rows: readonly T[];
  readonly columns: readonly Column<T>[];
  readonly rowKey: (row: T) => string;
  /** Text the search box matches (case-insensitive); no search box without it. */
  readonly searchText?: (row: T) => string;
  readonly searchLabel?: string;
  readonly defaultSort?: { readonly key: string; readonly dir: 'asc' | 'desc' };
  readonly pageSize?: number;
  readonly empty?: ReactNode;
  readonly loading?: boolean;
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

/**
 * A table that sorts, searches by name and pages in the browser. The API pages by cursor but
 * has no sort or search arguments, so the dashboard loads a whole list once (live updates keep
 * it current) and does the rest here; sort, search and page live in the URL, so a reload or a
 * shared link shows the same view.
 */
export function DataTable<T>({
  caption,
  rows,
  columns,
  rowKey,
  searchText,
  searchLabel = 'Search by name',
  defaultSort,
  pageSize = 20,
  empty = 'Nothing here yet.',
  loading = false,
}: DataTableProps<T>) {
  const [params, setParams] = useSearchParams();
  const searchId = useId();
  const query = params.get('q') ?? '';
  const sortKey = params.get('sort') ?? defaultSort?.key ?? '';
  const dir = (params.get('dir') ?? defaultSort?.dir ?? 'asc') === 'desc' ? 'desc' : 'asc';

  const visible = useMemo(() => {
    const needle = query.trim().toLocaleLowerCase();
    const filtered =
      needle && searchText ? rows.filter((row) => searchText(row).toLocaleLowerCase().includes(needle)) : [...rows];
    const column = columns.find((c) => c.key === sortKey);
    if (column?.sortValue) {
      const value = column.sortValue;
      filtered.sort((a, b) => {
        const [x, y] = [value(a), value(b)];
        const order = typeof x === 'number' && typeof y === 'number' ? x - y : collator.compare(String(x), String(y));
        return dir === 'asc' ? order : -order;
      });
    }
    return filtered;
  }, [rows, columns, query, searchText, sortKey, dir]);

  const pages = Math.max(1, Math.ceil(visible.length / pageSize));
  const page = Math.min(pages, Math.max(1, Number(params.get('page')) || 1));
  const shown = visible.slice((page - 1) * pageSize, page * pageSize);

  const update = (changes: Record<string, string | null>) =>
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
    );

  const sortBy = (key: string) => update({ sort: key, dir: sortKey === key && dir === 'asc' ? 'desc' : 'asc', page: null });

  return (
    <div className="data-table">
      {searchText && (
        <div className="table-tools">
          <label htmlFor={searchId}>{searchLabel}</label>
          <input
            id={searchId}
            type="search"
            value={query}
            onChange={(event) => update({ q: event.target.value, page: null })}
            autoComplete="off"
          />
        </div>
      )}
      {/* A region that scrolls sideways on a narrow screen must be reachable by keyboard to be scrolled. */}
      {/* eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex */}
      <div className="table-scroll" role="region" aria-label={caption} tabIndex={0}>
        <table>
          <caption>
            {caption}{' '}
            <span className="caption-count">
              {loading ? '(loading…)' : `(${visible.length}${visible.length === rows.length ? '' : ` of ${rows.length}`})`}
            </span>
          </caption>
          <thead>
            <tr>
              {columns.map((column) => {
                const sorted = column.key === sortKey;
                return (
                  <th
                    key={column.key}
                    scope="col"
                    className={column.numeric ? 'numeric' : undefined}
                    aria-sort={sorted ? (dir === 'asc' ? 'ascending' : 'descending') : undefined}
                  >
                    {column.sortValue ? (
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
            {shown.length === 0 ? (
              <tr>
                <td colSpan={columns.length} className="empty">
                  {loading ? 'Loading…' : query ? `Nothing matches “${query}”.` : empty}
                </td>
              </tr>
            ) : (
              shown.map((row) => (
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
      {pages > 1 && (
        <nav className="pager" aria-label={`${caption} pages`}>
          <button type="button" onClick={() => update({ page: String(page - 1) })} disabled={page <= 1}>
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
