import { useEffect, useId, useRef } from 'react';
import { Link } from 'react-router';
import { useHistory } from '../data/history.ts';
import type { HistoryEntryFieldsFragment } from '../gql/graphql.ts';
import { formatInstant, formatMoney, humanize } from '../lib/format.ts';
import { AS_OF_PARAM } from '../time/as-of.ts';
import { useAsOf } from '../time/ViewTime.tsx';
import { ErrorNotice } from './Notices.tsx';

/** Fields whose values are money: shown as the rest of the dashboard shows money. */
const MONEY_FIELDS = new Set(['price', 'total', 'totalSpent']);
const TIME_FIELD = /At$|Date$/;

/** A changed value as text fit to read: money grouped, times in words, no value as "none". */
function Value({ field, value }: { readonly field: string; readonly value: string | null | undefined }) {
  if (value === null || value === undefined) return <span className="change-none">none</span>;
  if (MONEY_FIELDS.has(field)) return <span className="change-value">{formatMoney(value)}</span>;
  if (TIME_FIELD.test(field) && !Number.isNaN(Date.parse(value)))
    return (
      <time className="change-value" dateTime={value}>
        {formatInstant(value)}
      </time>
    );
  return <span className="change-value">{value}</span>;
}

function Entry({ entry }: { readonly entry: HistoryEntryFieldsFragment }) {
  const asOf = useAsOf();
  return (
    <>
      <h3 className="timeline-type">
        <span className={`tag tag-${entry.kind.toLowerCase()}`}>{humanize(entry.type)}</span>
      </h3>
      <p className="timeline-meta">
        <time dateTime={entry.occurredAt}>{formatInstant(entry.occurredAt)}</time>
        <span aria-hidden="true"> · </span>
        <span>{entry.actor ? `by ${entry.actor}` : 'actor not recorded'}</span>
        <span aria-hidden="true"> · </span>
        <span>version {entry.version}</span>
      </p>
      {entry.changes.length > 0 && (
        <ul className="changes" aria-label="Changed fields">
          {entry.changes.map((change) => (
            <li key={change.field}>
              <span className="change-field">{humanize(change.field)}:</span>{' '}
              {change.before === null || change.before === undefined ? (
                <Value field={change.field} value={change.after} />
              ) : (
                <>
                  <Value field={change.field} value={change.before} />
                  <span aria-hidden="true"> → </span>
                  <span className="visually-hidden"> changed to </span>
                  <Value field={change.field} value={change.after} />
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {!asOf && (
        <Link className="timeline-as-of" to={`?${AS_OF_PARAM}=${encodeURIComponent(entry.occurredAt)}`}>
          View as of this change<span className="visually-hidden"> (version {entry.version})</span>
        </Link>
      )}
    </>
  );
}

export interface TimelineProps {
  readonly kind: 'product' | 'customer';
  readonly id: string;
  /** The entity's version now: a newer one than the timeline's newest change brings that change in. */
  readonly version: number | undefined;
}

/** The changes of a product or customer, newest first: what, when, who, and each field before → after. */
export function Timeline({ kind, id, version }: TimelineProps) {
  const headingId = useId();
  const history = useHistory(kind, id, version);
  const list = useRef<HTMLOListElement>(null);
  // After "load more", the keyboard goes on at the first change it brought, not back to the top.
  const focusAt = useRef<number | null>(null);
  useEffect(() => {
    const at = focusAt.current;
    if (at === null || history.entries.length <= at) return;
    focusAt.current = null;
    list.current?.querySelectorAll<HTMLElement>(':scope > li')[at]?.focus();
  }, [history.entries.length]);

  return (
    <section className="panel timeline" aria-labelledby={headingId}>
      <h2 id={headingId}>History</h2>
      <ErrorNotice error={history.error} />
      {history.loading ? (
        <p role="status">Loading…</p>
      ) : history.entries.length === 0 ? (
        !history.error && <p className="empty">No changes recorded.</p>
      ) : (
        <ol className="timeline-list" ref={list} aria-labelledby={headingId}>
          {history.entries.map((entry) => (
            <li key={entry.eventId} className="timeline-entry" tabIndex={-1}>
              <Entry entry={entry} />
            </li>
          ))}
        </ol>
      )}
      {!history.loading && history.entries.length > 0 && (
        <div className="timeline-more">
          <p className="hint" aria-live="polite">
            Showing {history.entries.length} of {history.totalCount} {history.totalCount === 1 ? 'change' : 'changes'}, newest
            first.
          </p>
          {history.hasMore && (
            <button
              type="button"
              disabled={history.loadingMore}
              onClick={() => {
                focusAt.current = history.entries.length;
                void history.loadMore();
              }}
            >
              {history.loadingMore ? 'Loading…' : 'Load older changes'}
            </button>
          )}
        </div>
      )}
    </section>
  );
}
