import { useId, useState, type FormEvent } from 'react';
import { formatInstantWithZone } from '../lib/format.ts';
import { parseUtcInput, toUtcInput } from '../time/as-of.ts';
import { useViewTime } from '../time/ViewTime.tsx';

/**
 * The "view as of" control of the header: a date and time in UTC, 24-hour, as the banner and
 * every other time on screen show it. A text input, not `datetime-local`: the browser would show
 * that in its own locale and zone (12-hour in many). Key it by the time shown, so it shows that
 * time again after "Back to live" or a link.
 */
export function ViewAsOfControl() {
  const { asOf, setAsOf } = useViewTime();
  const id = useId();
  const [value, setValue] = useState(asOf ? toUtcInput(asOf) : '');
  const [error, setError] = useState<string | null>(null);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = parseUtcInput(value);
    if (!parsed.ok) {
      setError(parsed.message);
      return;
    }
    setError(null);
    setAsOf(parsed.instant);
  }

  return (
    <form className="as-of-control" aria-label="View as of" onSubmit={submit} noValidate>
      <label htmlFor={id}>View as of (UTC)</label>
      <input
        id={id}
        name="asOf"
        type="text"
        inputMode="numeric"
        placeholder="2026-01-31 12:00:00"
        size={19}
        spellCheck={false}
        autoComplete="off"
        value={value}
        onChange={(event) => {
          setValue(event.target.value);
          setError(null);
        }}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : `${id}-hint`}
      />
      <span id={`${id}-hint`} className="visually-hidden">
        A date and time in UTC, 24-hour: year-month-day hours:minutes:seconds. Shows the shop as it was then.
      </span>
      <button type="submit">Show</button>
      {error && (
        <p id={`${id}-error`} className="as-of-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

/** While the past is shown, says so on every page, with the way back; a bad time in the address, too. */
export function PastBanner() {
  const { asOf, invalid, setAsOf } = useViewTime();
  const backToLive = () => {
    setAsOf(null);
    // The button goes away with the banner: keep the keyboard in the page it leaves.
    document.getElementById('main')?.focus();
  };
  if (invalid) {
    return (
      <div className="notice notice-error as-of-banner" role="alert">
        <p>{invalid} Showing the live view.</p>
        <button type="button" onClick={backToLive}>
          Clear the time
        </button>
      </div>
    );
  }
  if (!asOf) return null;
  return (
    <section className="as-of-banner notice notice-warning" aria-label="Viewing the past">
      <p role="status">
        <strong>
          Viewing as of <time dateTime={asOf}>{formatInstantWithZone(asOf)}</time>.
        </strong>{' '}
        Changes since then are not shown, and nothing can be edited.
      </p>
      <button type="button" className="primary" onClick={backToLive}>
        Back to live
      </button>
    </section>
  );
}
