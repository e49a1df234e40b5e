import { badInput } from '@shop/event-core';

export type TimeBucket = 'MINUTE' | 'HOUR' | 'DAY';

const BUCKET_MS: Readonly<Record<TimeBucket, number>> = { MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000 };

/** The most buckets one answer holds: a chart's worth, whatever the range. */
export const MAX_BUCKETS = 1000;

/** The start of the bucket of `sizeMs` that `timeMs` falls in. */
const bucketStart = (timeMs: number, sizeMs: number): number => Math.floor(timeMs / sizeMs) * sizeMs;

/** Purchases and revenue of one bucket of transaction time. */
export interface SalesBucket {
  /** The bucket's start, epoch ms (UTC). */
  readonly startMs: number;
  readonly purchaseCount: number;
  readonly totalCents: number;
}

/**
 * Purchase counts and revenue per bucket of one size, kept per purchase: bucket starts ascending,
 * with their sums. Purchases mostly arrive in time order, so a purchase adds to the last bucket or
 * starts a new one at the end; an older one finds its bucket by binary search. Only buckets with
 * purchases exist, so memory follows the busy minutes, not the length of time.
 */
class BucketSeries {
  readonly starts: number[] = [];
  readonly counts: number[] = [];
  readonly cents: number[] = [];

  constructor(readonly sizeMs: number) {}

  /** Adds `count` purchases made in the same bucket, totalling `totalCents`. */
  add(timeMs: number, totalCents: number, count = 1): void {
    const start = bucketStart(timeMs, this.sizeMs);
    let i = this.starts.length - 1;
    if (i < 0 || this.starts[i]! !== start) {
      i = this.indexOf(start);
      if (this.starts[i] !== start) {
        this.starts.splice(i, 0, start);
        this.counts.splice(i, 0, 0);
        this.cents.splice(i, 0, 0);
      }
    }
    this.counts[i]! += count;
    this.cents[i]! += totalCents;
  }

  /** Index of the first bucket starting at or after `startMs`. */
  indexOf(startMs: number): number {
    let low = 0;
    let high = this.starts.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.starts[mid]! < startMs) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/**
 * The shop's purchases over time in minute, hour and day buckets, kept per purchase (three O(1)
 * updates in the usual case). A range is answered in O(log n + buckets), in the finest size that
 * gives at most {@link MAX_BUCKETS} buckets unless one is asked for.
 */
export class SalesOverTime {
  private readonly series: Readonly<Record<TimeBucket, BucketSeries>> = {
    MINUTE: new BucketSeries(BUCKET_MS.MINUTE),
    HOUR: new BucketSeries(BUCKET_MS.HOUR),
    DAY: new BucketSeries(BUCKET_MS.DAY),
  };
  /** The same series as a list: `add` runs per purchase, and `Object.values` would allocate each time. */
  private readonly everySeries = Object.values(this.series);

  /** Adds a purchase, or `count` purchases made in the same minute, totalling `totalCents`. */
  add(timeMs: number, totalCents: number, count = 1): void {
    if (!Number.isFinite(timeMs)) return;
    for (const series of this.everySeries) series.add(timeMs, totalCents, count);
  }

  /** The first and last minute with purchases, if any. */
  span(): { readonly fromMs: number; readonly toMs: number } | undefined {
    const { starts } = this.series.MINUTE;
    return starts.length === 0 ? undefined : { fromMs: starts[0]!, toMs: starts.at(-1)! + BUCKET_MS.MINUTE - 1 };
  }

  /**
   * Buckets overlapping `fromMs`..`toMs` (inclusive; default: from the first purchase to the last),
   * with `minus` (purchases after an `asOf`) taken out.
   */
  range(
    { fromMs, toMs, bucket }: { fromMs?: number; toMs?: number; bucket?: TimeBucket | null },
    minus: readonly { readonly timeMs: number; readonly totalCents: number }[] = [],
  ): { readonly bucket: TimeBucket; readonly buckets: readonly SalesBucket[] } {
    const span = this.span();
    const from = fromMs ?? span?.fromMs ?? 0;
    const to = toMs ?? span?.toMs ?? from;
    if (to < from) throw badInput('to must not be before from', 'to');
    const fits = (size: TimeBucket) => Math.floor(to / BUCKET_MS[size]) - Math.floor(from / BUCKET_MS[size]) + 1 <= MAX_BUCKETS;
    const size = bucket ?? (['MINUTE', 'HOUR', 'DAY'] as const).find(fits) ?? 'DAY';
    if (bucket && !fits(bucket)) {
      throw badInput(
        `${bucket} buckets from ${new Date(from).toISOString()} to ${new Date(to).toISOString()} are more than ${MAX_BUCKETS}: pick a larger bucket or a shorter range`,
        'bucket',
      );
    }
    const series = this.series[size];
    const start = series.indexOf(bucketStart(from, series.sizeMs));
    const end = series.indexOf(to + 1);
    const buckets = new Map<number, { startMs: number; purchaseCount: number; totalCents: number }>();
    const order: number[] = [];
    for (let i = start; i < end; i++) {
      const startMs = series.starts[i]!;
      buckets.set(startMs, { startMs, purchaseCount: series.counts[i]!, totalCents: series.cents[i]! });
      order.push(startMs);
    }
    for (const { timeMs, totalCents } of minus) {
      const entry = buckets.get(bucketStart(timeMs, series.sizeMs));
      if (!entry) continue;
      entry.purchaseCount--;
      entry.totalCents -= totalCents;
    }
    return { bucket: size, buckets: order.map((startMs) => buckets.get(startMs)!).filter((b) => b.purchaseCount > 0) };
  }
}
