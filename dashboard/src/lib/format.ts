/**
 * Money arrives as exact decimal strings ("1234.50"); it is summed in integer cents and shown
 * with grouping, never through floating point.
 */
export function moneyToCents(amount: string): number {
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(amount.trim());
  if (!match) return Number.NaN;
  const cents = Number(match[2]) * 100 + Number((match[3] ?? '').padEnd(2, '0'));
  return match[1] ? -cents : cents;
}

export function centsToMoney(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** "1234.5" → "1,234.50": grouping for reading; the value itself stays the server's string. */
export function formatMoney(amount: string): string {
  const cents = moneyToCents(amount);
  if (Number.isNaN(cents)) return amount;
  const [whole, fraction] = centsToMoney(cents).split('.') as [string, string];
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${fraction}`;
}

// Every time on screen is UTC and 24-hour, to the second, as the "view as of" control reads it:
// purchases moments apart must not look simultaneous, and one moment reads the same everywhere.
const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' });
const time = new Intl.DateTimeFormat('en-GB', { timeStyle: 'medium', timeZone: 'UTC' });

export const formatDateTime = (iso: string): string => dateTime.format(new Date(iso));
export const formatTime = (iso: string): string => time.format(new Date(iso));

export const fullName = (person: { firstName: string; lastName: string }): string => `${person.firstName} ${person.lastName}`;

const instant = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' });
const instantWithZone = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'long', timeZone: 'UTC' });

/** "27 Nov 2026, 20:46:19": to the second, for changes that may be moments apart. */
export const formatInstant = (iso: string): string => instant.format(new Date(iso));
/** "27 Nov 2026, 20:46:19 UTC": with the zone, where the reader must know which moment it is. */
export const formatInstantWithZone = (iso: string): string => instantWithZone.format(new Date(iso));

/** `ProductPriceChanged` → "Product price changed", `deletedAt` → "Deleted at": names as words. */
export function humanize(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1 $2')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
