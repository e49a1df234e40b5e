/** Dashboard reads against `@graphql-hive/gateway`, and the read cost as the data grows: one page, and sorted and searched pages. */
import { errorNote, interleave, sleep } from '../compare.ts';
import type { BenchContext } from '../context.ts';
import { childClock, describeCpu, metered, ownClock, pidClock } from '../cpu.ts';
import { closedLoop, FRESH, graphqlData, postGraphQL } from '../http-load.ts';
import { randomPair } from '../data.ts';
import {
  CREATE_PURCHASE_ID,
  CUSTOMERS_BY_TOTAL_PAGE,
  CUSTOMERS_PAGE,
  CUSTOMERS_SEARCHED_PAGE,
  PRODUCTS_PAGE,
  PURCHASES_BY_TOTAL_PAGE,
} from '../operations.ts';
import { requestSide, type Row } from '../report.ts';
import { throughput } from '../stats.ts';
import type { Dataset } from '../data.ts';
import type { GraphQLRequest } from '../http-load.ts';
import type { PeerGateway, SystemUnderTest } from '../systems.ts';

const notes = (...parts: (string | undefined)[]): string | undefined => {
  const present = parts.filter((p): p is string => Boolean(p));
  return present.length > 0 ? present.join('; ') : undefined;
};

/** Purchases per second written while the pages are read in the rows "while writes flow". */
const WRITES_PER_SECOND = 20;

/**
 * Writes `rate` purchases a second at the purchases subgraph itself (past both gateways, so that
 * neither pays for them in its own process) until the returned function is called; resolves to
 * how many were written and how many failed.
 */
function purchasesFlowing(
  ctx: BenchContext,
  system: SystemUnderTest,
  rate: number,
): () => Promise<{ written: number; failed: number }> {
  const url = system.subgraphs.info.urls.purchases;
  let stopped = false;
  let written = 0;
  let failed = 0;
  const pending = new Set<Promise<void>>();
  const loop = (async () => {
    const startedAt = performance.now();
    for (let i = 0; !stopped; i++) {
      const wait = startedAt + (i * 1000) / rate - performance.now();
      if (wait > 1) await sleep(wait);
      const sent = postGraphQL(url, { query: CREATE_PURCHASE_ID, variables: { input: randomPair(ctx.small) } }, 8)
        .then(
          (response) => (response.status === 200 && !response.text.includes('"errors"') ? written++ : failed++),
          () => failed++,
        )
        .then(() => undefined);
      pending.add(sent);
      void sent.finally(() => pending.delete(sent));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    await Promise.all(pending);
    return { written, failed };
  };
}

/**
 * The customers and products pages through our gateway and through the peer, same subgraphs,
 * same clients: with nothing written, then while purchases flow at {@link WRITES_PER_SECOND}.
 */
export async function dashboardRows(ctx: BenchContext, system: SystemUnderTest, peer: PeerGateway | Error): Promise<Row[]> {
  const { options } = ctx;
  const rows: Row[] = [];
  for (const [page, query, writing] of [
    ['customers', CUSTOMERS_PAGE, false],
    ['products', PRODUCTS_PAGE, false],
    ['customers', CUSTOMERS_PAGE, true],
    ['products', PRODUCTS_PAGE, true],
  ] as const) {
    const scenario = writing
      ? `dashboard reads: ${page} page while ${WRITES_PER_SECOND} purchases/s are written`
      : `dashboard reads: ${page} page`;
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
    ctx.progress(`${scenario}, ${options.concurrency} clients, ours vs @graphql-hive/gateway`);
    const load = (url: string) => (seconds: number) =>
      closedLoop({ url, concurrency: options.concurrency, seconds, next: () => ({ query }) });
    // The purchases flow through every round of both sides, warm-up included.
    const stopWriting = writing ? purchasesFlowing(ctx, system, WRITES_PER_SECOND) : undefined;
    let writes: { written: number; failed: number } | undefined;
    let measuredBoth;
    // What a page costs each process, on each side: the gateways, the subgraphs behind both, and the load generator.
    const clocks = { subgraphs: childClock(system.subgraphs), 'load generator': ownClock };
    const ourSide = metered(load(system.url), { gateway: childClock(system.gateway), ...clocks });
    const peerSide = metered(load(peer.url), { gateway: pidClock(peer.pid), ...clocks });
    try {
      measuredBoth = await interleave(ourSide.run, peerSide.run, options);
    } finally {
      writes = await stopWriting?.();
    }
    const { measured, baseline } = measuredBoth;
    const ratio = throughput(measured) / throughput(baseline);
    rows.push({
      scenario,
      measured: requestSide(label, measured),
      baseline: requestSide(`@graphql-hive/gateway, ${options.concurrency} clients`, baseline),
      ratio,
      target: 'throughput ≥ 1.5×',
      met: options.quick ? undefined : ratio >= 1.5,
      note: notes(
        same ? undefined : 'the two gateways answered differently',
        writes ? `${writes.written} purchases written${writes.failed ? `, ${writes.failed} failed` : ''}` : undefined,
        `CPU per request, ours: ${describeCpu(ourSide.perOperation())}; hive: ${describeCpu(peerSide.perOperation())}`,
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
    measured: requestSide(`customers page at ${ctx.large.purchases.toLocaleString('en-US')} purchases`, measured),
    baseline: requestSide(`at ${ctx.small.purchases.toLocaleString('en-US')} purchases`, baseline),
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
      measured: requestSide(`at ${ctx.large.purchases.toLocaleString('en-US')} purchases`, measured),
      baseline: requestSide(`at ${ctx.small.purchases.toLocaleString('en-US')} purchases`, baseline),
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
