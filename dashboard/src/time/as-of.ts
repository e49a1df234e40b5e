import { formatInstantWithZone } from '../lib/format.ts';

/** The query-string parameter holding the time the dashboard shows, so a link or a reload shows the same past. */
export const AS_OF_PARAM = 'asOf';

export type ParsedTime = { readonly ok: true; readonly instant: string } | { readonly ok: false; readonly message: string };

/** An ISO-8601 instant with its zone: the API refuses a time without one as ambiguous. */
const ZONED = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;
/** What a `datetime-local` input holds (or a person types where the browser has no picker): local time. */
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;

const EXAMPLE = '2026-01-31T12:00';

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
 * What the "view as of" input holds: local time (`2026-01-31T12:00` or with seconds), or an
 * instant with a zone pasted in. Read in the browser's time zone.
 */
export function parseLocalInput(text: string, now = new Date()): ParsedTime {
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, message: 'Enter a date and time to see the shop as it was then.' };
  if (ZONED.test(trimmed)) return parseInstant(trimmed, now);
  const match = LOCAL.exec(trimmed);
  if (!match) return { ok: false, message: `“${text}” is not a date and time. Write it as ${EXAMPLE}.` };
  const [, year, month, day, hour, minute, second = '0', fraction = '0'] = match;
  const date = new Date(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour),
    Number(minute),
    Number(second),
    Number(fraction.padEnd(3, '0')),
  );
  // `new Date` rolls 31 February over into March: a date that does not exist is not accepted.
  if (date.getFullYear() !== Number(year) || date.getMonth() !== Number(month) - 1 || date.getDate() !== Number(day))
    return { ok: false, message: `“${text}” is not a date that exists.` };
  return checked(date, text, now);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** An instant as a `datetime-local` value in the browser's time zone, to the second. */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `path` with the `asOf` parameter, so a link inside a past view stays in that past. */
export function withAsOf(path: string, asOf: string | null): string {
  if (!asOf) return path;
  return `${path}${path.includes('?') ? '&' : '?'}${AS_OF_PARAM}=${encodeURIComponent(asOf)}`;
}
