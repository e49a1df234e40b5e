import { Bar, BarChart, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { OverviewQuery, TimeBucket } from '../gql/graphql.ts';
import { formatMoney, moneyToCents } from '../lib/format.ts';

const BLUE = '#1d4ed8';
const ORANGE = '#b45309';

type TopProduct = OverviewQuery['productsBySales']['nodes'][number];
type SalesOverTime = OverviewQuery['sales']['overTime'];

/** Room above the highest value, so a lone point or the tallest bar is not cut at the top edge. */
const headroom = (dataMax: number): number => (dataMax > 0 ? dataMax * 1.15 : 1);

/** The products that earned most, as the server ranks them, as a horizontal bar chart (names are long, bars are short). */
export function RevenueByProduct({
  products,
  top,
}: {
  readonly products: readonly TopProduct[] | undefined;
  readonly top: number;
}) {
  const data = (products ?? [])
    .filter((p) => moneyToCents(p.totalSpent) > 0)
    .map((p) => ({ name: p.name, revenue: moneyToCents(p.totalSpent) / 100, label: formatMoney(p.totalSpent) }));
  const summary = data.length
    ? `Revenue by product, highest first: ${data.map((d) => `${d.name} ${d.label}`).join(', ')}.`
    : products
      ? 'No revenue yet.'
      : 'Loading.';
  return (
    <figure className="chart">
      <figcaption>Revenue by product (top {top})</figcaption>
      <div role="img" aria-label={summary} className="chart-area">
        {data.length === 0 ? (
          <p className="empty">{products ? 'No purchases yet.' : 'Loading…'}</p>
        ) : (
          <ResponsiveContainer width="100%" height={Math.max(160, data.length * 34 + 60)}>
            <BarChart data={data} layout="vertical" margin={{ left: 8, right: 24, bottom: 16 }}>
              <CartesianGrid strokeDasharray="3 3" horizontal={false} />
              <XAxis
                type="number"
                domain={[0, headroom]}
                tickFormatter={(v: number) => formatMoney(v.toFixed(2))}
                label={{ value: 'Revenue', position: 'insideBottom', offset: -10 }}
              />
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

const BUCKET_MS: Readonly<Record<TimeBucket, number>> = { MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000 };
/** More than this many buckets between the first and the last is not filled in (the server keeps to 1,000). */
const MAX_FILLED = 2_000;

export interface ChartBucket {
  readonly label: string;
  readonly purchases: number;
  /** In currency units, for drawing only; text shows the server's exact amount. */
  readonly revenue: number;
}

/**
 * The server's buckets (only those with purchases, oldest first) with the empty ones between them
 * put back, so the time axis is honest, and labelled in UTC: a day as `2026-01-05`, a time as
 * `10:20` when everything is on one day, else `01-05 10:20`.
 */
export function fillBuckets(overTime: SalesOverTime): ChartBucket[] {
  const { buckets, bucket } = overTime;
  const first = buckets[0];
  const last = buckets.at(-1);
  if (!first || !last) return [];
  const step = BUCKET_MS[bucket];
  const start = Date.parse(first.start);
  const end = Date.parse(last.start);
  const sameDay = first.start.slice(0, 10) === last.start.slice(0, 10);
  const label = (t: number) => {
    const iso = new Date(t).toISOString();
    return bucket === 'DAY' ? iso.slice(0, 10) : sameDay ? iso.slice(11, 16) : `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
  };
  const point = (b: (typeof buckets)[number]): ChartBucket => ({
    label: label(Date.parse(b.start)),
    purchases: b.purchaseCount,
    revenue: moneyToCents(b.revenue) / 100,
  });
  const count = Math.floor((end - start) / step) + 1;
  if (count > MAX_FILLED) return buckets.map(point);
  const filled: ChartBucket[] = [];
  let next = 0;
  for (let i = 0; i < count; i++) {
    const t = start + i * step;
    const held = buckets[next];
    if (held && Date.parse(held.start) === t) {
      filled.push(point(held));
      next++;
    } else filled.push({ label: label(t), purchases: 0, revenue: 0 });
  }
  return filled;
}

const bucketWords: Readonly<Record<TimeBucket, string>> = { MINUTE: 'per minute', HOUR: 'per hour', DAY: 'per day' };

/** Purchases (bars, left axis) and revenue (line, right axis) per time bucket, in UTC. */
export function PurchasesOverTime({ overTime }: { readonly overTime: SalesOverTime | undefined }) {
  const data = overTime ? fillBuckets(overTime) : [];
  const busiest = data.reduce<ChartBucket | undefined>(
    (best, d) => (!best || d.purchases > best.purchases ? d : best),
    undefined,
  );
  const summary =
    busiest && overTime
      ? `Purchases over time (UTC, ${bucketWords[overTime.bucket]}) from ${data[0]!.label} to ${data.at(-1)!.label}; busiest ${busiest.label} with ${busiest.purchases}.`
      : overTime
        ? 'No purchases yet.'
        : 'Loading.';
  return (
    <figure className="chart">
      <figcaption>Purchases over time (UTC{overTime ? `, ${bucketWords[overTime.bucket]}` : ''})</figcaption>
      <div role="img" aria-label={summary} className="chart-area">
        {data.length === 0 ? (
          <p className="empty">{overTime ? 'No purchases yet.' : 'Loading…'}</p>
        ) : (
          <ResponsiveContainer width="100%" height={300}>
            <ComposedChart data={data} margin={{ top: 8, left: 8, right: 8, bottom: 16 }}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="label" minTickGap={24} label={{ value: 'Time (UTC)', position: 'insideBottom', offset: -10 }} />
              <YAxis
                yAxisId="count"
                allowDecimals={false}
                width={56}
                domain={[0, (dataMax: number) => Math.ceil(headroom(dataMax))]}
                label={{ value: 'Purchases', angle: -90, position: 'insideLeft' }}
              />
              <YAxis
                yAxisId="revenue"
                orientation="right"
                width={72}
                domain={[0, headroom]}
                tickFormatter={(v: number) => formatMoney(v.toFixed(2))}
                label={{ value: 'Revenue', angle: 90, position: 'insideRight' }}
              />
              <Tooltip formatter={(v, name) => (name === 'Revenue' ? formatMoney(Number(v).toFixed(2)) : v)} />
              <Legend verticalAlign="top" height={28} />
              <Bar yAxisId="count" dataKey="purchases" name="Purchases" fill={BLUE} maxBarSize={48} isAnimationActive={false} />
              <Line
                yAxisId="revenue"
                dataKey="revenue"
                name="Revenue"
                stroke={ORANGE}
                strokeWidth={2}
                // A line needs two points: a single bucket is drawn as a dot.
                dot={data.length === 1}
                isAnimationActive={false}
              />
            </ComposedChart>
          </ResponsiveContainer>
        )}
      </div>
    </figure>
  );
}
