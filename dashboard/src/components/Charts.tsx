import { Bar, BarChart, CartesianGrid, ComposedChart, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ProductFieldsFragment, PurchaseRowFragment } from '../gql/graphql.ts';
import { centsToMoney, formatMoney, moneyToCents } from '../lib/format.ts';

const BLUE = '#1d4ed8';
const ORANGE = '#b45309';

/** The products that earned most, as a horizontal bar chart (names are long, bars are short). */
export function RevenueByProduct({
  products,
  top = 10,
}: {
  readonly products: readonly ProductFieldsFragment[];
  readonly top?: number;
}) {
  const data = [...products]
    .map((p) => ({ name: p.name, cents: moneyToCents(p.totalSpent) }))
    .filter((p) => p.cents > 0)
    .sort((a, b) => b.cents - a.cents)
    .slice(0, top)
    .map((p) => ({ name: p.name, revenue: p.cents / 100 }));
  const summary = data.length
    ? `Revenue by product, highest first: ${data.map((d) => `${d.name} ${formatMoney(centsToMoney(Math.round(d.revenue * 100)))}`).join(', ')}.`
    : 'No revenue yet.';
  return (
    <figure className="chart">
      <figcaption>Revenue by product (top {top})</figcaption>
      <div role="img" aria-label={summary} className="chart-area">
        {data.length === 0 ? (
          <p className="empty">No purchases yet.</p>
        ) : (
          <ResponsiveContainer width="100%" height={Math.max(160, data.length * 34 + 40)}>
            <BarChart data={data} layout="vertical" margin={{ left: 8, right: 24 }}>
              <CartesianGrid strokeDasharray="3 3" horizontal={false} />
              <XAxis type="number" tickFormatter={(v: number) => formatMoney(v.toFixed(2))} />
              <YAxis type="category" dataKey="name" width={120} />
              <Tooltip formatter={(v) => formatMoney(Number(v).toFixed(2))} />
              <Bar dataKey="revenue" name="Revenue" fill={BLUE} maxBarSize={28} isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        )}
      </div>
    </figure>
  );
}

interface Bucket {
  readonly label: string;
  purchases: number;
  cents: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Bucket widths, finest first: the finest that needs at most `maxBuckets` buckets wins. */
const STEPS = [MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR, 6 * HOUR, DAY, 7 * DAY, 30 * DAY];

/**
 * Purchases and revenue per time bucket (UTC), as fine as fits in `maxBuckets`, with empty
 * buckets kept so the time axis is honest.
 */
export function bucketPurchases(
  purchases: readonly Pick<PurchaseRowFragment, 'transactionDate' | 'total'>[],
  maxBuckets = 48,
): Bucket[] {
  if (purchases.length === 0) return [];
  const times = purchases.map((p) => Date.parse(p.transactionDate));
  const [min, max] = [Math.min(...times), Math.max(...times)];
  const step = STEPS.find((candidate) => Math.floor(max / candidate) - Math.floor(min / candidate) < maxBuckets) ?? STEPS.at(-1)!;
  const start = Math.floor(min / step) * step;
  const count = Math.floor(max / step) - Math.floor(min / step) + 1;
  const label = (t: number) => {
    const iso = new Date(t).toISOString();
    return step >= DAY
      ? iso.slice(0, 10)
      : min >= Math.floor(max / DAY) * DAY
        ? iso.slice(11, 16)
        : `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
  };
  const buckets: Bucket[] = Array.from({ length: count }, (_, i) => ({ label: label(start + i * step), purchases: 0, cents: 0 }));
  purchases.forEach((p, i) => {
    const bucket = buckets[Math.floor((times[i]! - start) / step)];
    if (!bucket) return;
    bucket.purchases++;
    bucket.cents += moneyToCents(p.total);
  });
  return buckets;
}

export function PurchasesOverTime({ purchases }: { readonly purchases: readonly PurchaseRowFragment[] }) {
  const data = bucketPurchases(purchases).map((b) => ({ label: b.label, purchases: b.purchases, revenue: b.cents / 100 }));
  const busiest = data.reduce<(typeof data)[number] | undefined>(
    (best, d) => (!best || d.purchases > best.purchases ? d : best),
    undefined,
  );
  const summary = busiest
    ? `Purchases over time (UTC) from ${data[0]!.label} to ${data.at(-1)!.label}; busiest ${busiest.label} with ${busiest.purchases}.`
    : 'No purchases yet.';
  return (
    <figure className="chart">
      <figcaption>Purchases over time (UTC)</figcaption>
      <div role="img" aria-label={summary} className="chart-area">
        {data.length === 0 ? (
          <p className="empty">No purchases yet.</p>
        ) : (
          <ResponsiveContainer width="100%" height={260}>
            <ComposedChart data={data} margin={{ left: 0, right: 8 }}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="label" minTickGap={24} />
              <YAxis yAxisId="count" allowDecimals={false} width={40} />
              <YAxis yAxisId="revenue" orientation="right" width={60} tickFormatter={(v: number) => formatMoney(v.toFixed(2))} />
              <Tooltip />
              <Bar yAxisId="count" dataKey="purchases" name="Purchases" fill={BLUE} maxBarSize={48} isAnimationActive={false} />
              <Line
                yAxisId="revenue"
                dataKey="revenue"
                name="Revenue"
                stroke={ORANGE}
                strokeWidth={2}
                dot={false}
                isAnimationActive={false}
              />
            </ComposedChart>
          </ResponsiveContainer>
        )}
      </div>
    </figure>
  );
}
