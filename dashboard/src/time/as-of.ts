import { formatInstantWithZone } from '../lib/format.ts';

/** The query-string parameter holding the time the dashboard shows, so a link or a reload shows the same past. */
export const AS_OF_PARAM = 'asOf';

export type ParsedTime = { readonly ok: true; readonly instant: string } | { readonly ok: false; readonly message: string };

/** An ISO-8601 instant with its zone: the API refuses a time without one as ambiguous. */
const ZONED = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;
/** What a person types into the "view as of" control: a UTC date and time, 24-hour, seconds optional. */
const UTC_INPUT = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;

const EXAMPLE = '2026-01-31 12:00:00';

function checked(date: Date, text: string, now: Date): ParsedTime {
  if (Number.isNaN(date.getTime())) return { ok: false, message: `“${text}” is not a date and time. Write it as ${EXAMPLE}.` };
  if (date.getTime() > now.getTime())
    return {
      ok: false,
      message: `${formatInstantWithZone(date.toISOString())} is in the future: the live view already shows the present.`,
    };
  return { ok: true, instant: date.toISOString() };
}

/**
 * The time of the `asOf` parameter: an ISO-8601 instant with a zone (`2026-01-31T12:00:00Z`),
 * normalized to UTC with milliseconds, as the API reads it.
 */
export function parseInstant(text: string, now = new Date()): ParsedTime {
  const trimmed = text.trim();
  if (!ZONED.test(trimmed))
    return {
      ok: false,
      message: `“${text}” is not a date and time with a zone, such as 2026-01-31T12:00:00Z.`,
    };
  return checked(new Date(trimmed.replace(' ', 'T')), text, now);
}

/**
 * What the "view as of" input holds: a date and time in UTC (`2026-01-31 12:00`, seconds
 * optional), as every time on screen is shown, or an instant with a zone pasted in.
 */
export function parseUtcInput(text: string, now = new Date()): ParsedTime {
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, message: 'Enter a date and time to see the shop as it was then.' };
  if (ZONED.test(trimmed)) return parseInstant(trimmed, now);
  const match = UTC_INPUT.exec(trimmed);
  if (!match) return { ok: false, message: `“${text}” is not a date and time. Write it as ${EXAMPLE} (UTC).` };
  const [, year, month, day, hour, minute, second = '0', fraction = '0'] = match;
  const ms = Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour),
    Number(minute),
    Number(second),
    Number(fraction.padEnd(3, '0')),
  );
  const date = new Date(ms);
  // `Date.UTC` rolls 31 February over into March, and 25:00 into the next day: neither is accepted.
  if (
    date.getUTCFullYear() !== Number(year) ||
    date.getUTCMonth() !== Number(month) - 1 ||
    date.getUTCDate() !== Number(day) ||
    date.getUTCHours() !== Number(hour) ||
    date.getUTCMinutes() !== Number(minute) ||
    date.getUTCSeconds() !== Number(second)
  )
    return { ok: false, message: `“${text}” is not a date and time that exists.` };
  return checked(date, text, now);
}

/** An instant as the "view as of" input shows it: UTC, 24-hour, to the second (`2026-01-31 12:00:07`). */
export function toUtcInput(iso: string): string {
  return new Date(iso).toISOString().slice(0, 19).replace('T', ' ');
}

/** `path` with the `asOf` parameter, so a link inside a past view stays in that past. */
export function withAsOf(path: string, asOf: string | null): string {
  if (!asOf) return path;
  return `${path}${path.includes('?') ? '&' : '?'}${AS_OF_PARAM}=${encodeURIComponent(asOf)}`;
}
