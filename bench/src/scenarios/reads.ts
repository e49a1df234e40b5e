/** Dashboard reads against `@graphql-hive/gateway`, and the read cost as the data grows: one page, and sorted and searched pages. */
import { errorNote, interleave } from '../compare.ts';
import type { BenchContext } from '../context.ts';
import { closedLoop, FRESH, graphqlData } from '../http-load.ts';
import {
  CUSTOMERS_BY_TOTAL_PAGE,
  CUSTOMERS_PAGE,
  CUSTOMERS_SEARCHED_PAGE,
  PRODUCTS_PAGE,
  PURCHASES_BY_TOTAL_PAGE,
} from '../operations.ts';
import { perSecond, type Row } from '../report.ts';
import { throughput, type Measurement } from '../stats.ts';
import type { Dataset } from '../data.ts';
import type { GraphQLRequest } from '../http-load.ts';
import type { PeerGateway, SystemUnderTest } from '../systems.ts';

const sideOf = (label: string, m: Measurement) => ({
  label,
  medianMs: m.latencies.median,
  p99Ms: m.latencies.p99,
  value: perSecond(throughput(m), 'req'),
});

const notes = (...parts: (string | undefined)[]): string | undefined => {
  const present = parts.filter((p): p is string => Boolean(p));
  return present.length > 0 ? present.join('; ') : undefined;
};

/** The customers and products pages through our gateway and through the peer, same subgraphs, same clients. */
export async function dashboardRows(ctx: BenchContext, system: SystemUnderTest, peer: PeerGateway | Error): Promise<Row[]> {
  const { options } = ctx;
  const rows: Row[] = [];
  for (const [page, query] of [
    ['customers', CUSTOMERS_PAGE],
    ['products', PRODUCTS_PAGE],
  ] as const) {
    const scenario = `dashboard reads: ${page} page`;
    const label = `our gateway, ${options.concurrency} clients`;
    if (peer instanceof Error) {
      rows.push({
        scenario,
        measured: { label },
        baseline: { label: '@graphql-hive/gateway' },
        ratio: undefined,
        target: 'throughput ≥ 1.5×',
        met: undefined,
        note: `could not run: ${peer.message}`,
      });
      continue;
    }
    // Both must answer the same thing, or the comparison compares nothing.
    const ours = await graphqlData(system.url, { query });
    const theirs = await graphqlData(peer.url, { query });
    const same = JSON.stringify(ours) === JSON.stringify(theirs);
    ctx.progress(`dashboard reads: ${page} page, ${options.concurrency} clients, ours vs @graphql-hive/gateway`);
    const load = (url: string) => (seconds: number) =>
      closedLoop({ url, concurrency: options.concurrency, seconds, next: () => ({ query }) });
    const { measured, baseline } = await interleave(load(system.url), load(peer.url), options);
    const ratio = throughput(measured) / throughput(baseline);
    rows.push({
      scenario,
      measured: sideOf(label, measured),
      baseline: sideOf(`@graphql-hive/gateway, ${options.concurrency} clients`, baseline),
      ratio,
      target: 'throughput ≥ 1.5×',
      met: options.quick ? undefined : ratio >= 1.5,
      note: notes(
        same ? undefined : 'the two gateways answered differently',
        errorNote('ours', measured),
        errorNote('hive', baseline),
      ),
    });
  }
  return rows;
}

/** The customers page with the large data set loaded against the small one, both systems up, rounds alternating. */
export async function readCostRow(ctx: BenchContext, small: SystemUnderTest, large: SystemUnderTest): Promise<Row> {
  const { options } = ctx;
  ctx.progress(
    `read cost: customers page at ${ctx.large.purchases.toLocaleString('en-US')} vs ${ctx.small.purchases.toLocaleString('en-US')} purchases`,
  );
  // One client: the question is what one page costs, not how the system saturates. Answers
  // from the gateway's response cache would cost the same at any size: ask for fresh ones.
  const load = (url: string) => (seconds: number) =>
    closedLoop({ url, concurrency: 1, seconds, next: () => ({ query: CUSTOMERS_PAGE }), headers: { ...FRESH } });
  // Three times the rounds, half as long: with one client a burst of load elsewhere moves the
  // median, and finer alternation spreads such bursts evenly over both sides.
  const rounds = { warmupSeconds: options.warmupSeconds, rounds: options.rounds * 3, roundSeconds: options.roundSeconds / 2 };
  const { measured, baseline } = await interleave(load(large.url), load(small.url), rounds);
  const ratio = measured.latencies.median / baseline.latencies.median;
  return {
    scenario: 'read cost',
    measured: sideOf(`customers page at ${ctx.large.purchases.toLocaleString('en-US')} purchases`, measured),
    baseline: sideOf(`at ${ctx.small.purchases.toLocaleString('en-US')} purchases`, baseline),
    ratio,
    target: 'median latency ≤ 1.2×',
    met: options.quick ? undefined : ratio <= 1.2,
    note: notes(
      `p99 ratio ${(measured.latencies.p99 / baseline.latencies.p99).toFixed(2)}×`,
      errorNote('large', measured),
      errorNote('small', baseline),
    ),
  };
}

interface ListPage {
  readonly name: string;
  /** The next request to a system holding `dataset`. */
  readonly next: (dataset: Dataset) => GraphQLRequest;
}

const randomBelow = (n: number): number => Math.floor(Math.random() * Math.max(1, n));

/**
 * Sorted and searched pages, as the dashboard asks for them, at random offsets over the whole of
 * each system's own list (the deepest pages of the large one included) and random name prefixes.
 */
function listPages(options: BenchContext['options']): readonly ListPage[] {
  return [
    {
      name: 'customers by total spent',
      next: (): GraphQLRequest => ({
        query: CUSTOMERS_BY_TOTAL_PAGE,
        variables: { offset: randomBelow(options.customers - 20) },
      }),
    },
    {
      name: 'purchases by total',
      next: (dataset: Dataset): GraphQLRequest => ({
        query: PURCHASES_BY_TOTAL_PAGE,
        variables: { offset: randomBelow(dataset.purchases - 50) },
      }),
    },
    {
      // Names are `First<i> Last<i>`: `last12` finds Last12, Last120-129, Last1200-1299...
      name: 'customers searched by name',
      next: (): GraphQLRequest => ({
        query: CUSTOMERS_SEARCHED_PAGE,
        variables: { search: `last${1 + randomBelow(Math.min(999, options.customers - 1))}` },
      }),
    },
  ];
}

/** Each of {@link listPages} on the large system against the small one, one client, fresh answers, rounds alternating. */
export async function listCostRows(ctx: BenchContext, small: SystemUnderTest, large: SystemUnderTest): Promise<Row[]> {
  const { options } = ctx;
  const rows: Row[] = [];
  for (const page of listPages(options)) {
    ctx.progress(
      `list cost: ${page.name} at ${ctx.large.purchases.toLocaleString('en-US')} vs ${ctx.small.purchases.toLocaleString('en-US')} purchases`,
    );
    // As read cost: one client, answers from the subgraphs rather than the response cache.
    const load = (system: SystemUnderTest, dataset: Dataset) => (seconds: number) =>
      closedLoop({ url: system.url, concurrency: 1, seconds, next: () => page.next(dataset), headers: { ...FRESH } });
    const rounds = { warmupSeconds: options.warmupSeconds, rounds: options.rounds * 3, roundSeconds: options.roundSeconds / 2 };
    const { measured, baseline } = await interleave(load(large, ctx.large), load(small, ctx.small), rounds);
    const ratio = measured.latencies.median / baseline.latencies.median;
    rows.push({
      scenario: `list cost: ${page.name}`,
      measured: sideOf(`at ${ctx.large.purchases.toLocaleString('en-US')} purchases`, measured),
      baseline: sideOf(`at ${ctx.small.purchases.toLocaleString('en-US')} purchases`, baseline),
      ratio,
      target: 'median latency ≤ 1.5×',
      met: options.quick ? undefined : ratio <= 1.5,
      note: notes(
        `p99 ratio ${(measured.latencies.p99 / baseline.latencies.p99).toFixed(2)}×, ${measured.operations + baseline.operations} requests`,
        errorNote('large', measured),
        errorNote('small', baseline),
      ),
    });
  }
  return rows;
}
