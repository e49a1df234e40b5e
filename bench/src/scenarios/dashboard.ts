/**
 * The dashboard at scale: the overview and the customers page sorted by total spent, opened in
 * headless Chromium on the system holding the large data set and on the one holding the small
 * one. What a page costs the browser must follow the screen, not the data.
 */
import { launchChromium, loadPage, type PageLoad, type PageSpec } from '../browser.ts';
import type { BenchContext } from '../context.ts';
import type { Dataset } from '../data.ts';
import { FRESH } from '../http-load.ts';
import type { Row } from '../report.ts';
import type { SystemUnderTest } from '../systems.ts';

/** The targets: at the large size, and as a ratio of the large figure to the small one. */
const MAX_RATIO = 1.5;
const OVERVIEW_SETTLED_MS = 2_000;
const OVERVIEW_HEAP_BYTES = 150e6;

/**
 * The overview has settled when its four figures are in, the purchase count is the data set's,
 * and both charts have drawn their bars.
 */
function overview(dataset: Dataset, customers: number): PageSpec {
  return {
    path: '/',
    rendered: `(() => {
      const figures = [...document.querySelectorAll('.kpis dd')].map((dd) => dd.textContent);
      const charts = [...document.querySelectorAll('.chart-area[role=img]')];
      return figures.length === 4 && figures[0] === ${JSON.stringify(String(customers))}
        && figures[2] === ${JSON.stringify(String(dataset.purchases))} && !figures.includes('…')
        && charts.length === 2 && charts.every((chart) => chart.querySelector('.recharts-bar-rectangle'));
    })()`,
  };
}

/**
 * The customers page, highest total spent first, has settled when its first page of rows is in,
 * counted out of every customer, under a header that says how it is sorted, with no request of
 * its table under way.
 */
function customersByTotal(pageSize: number, customers: number): PageSpec {
  return {
    path: '/customers?sort=total&dir=desc',
    rendered: `(() => {
      const table = document.querySelector('table');
      if (!table || table.hasAttribute('aria-busy')) return false;
      const sorted = table.querySelector('th[aria-sort="descending"]');
      return table.querySelector('caption')?.textContent.includes(${JSON.stringify(`(${pageSize} of ${customers})`)})
        && sorted?.textContent.startsWith('Total spent')
        && table.querySelectorAll('tbody tr a').length === ${pageSize};
    })()`,
  };
}

/** Rows a page of the customers table holds (the dashboard's `PAGE_SIZE`). */
const CUSTOMERS_PAGE_ROWS = 20;

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const megabytes = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
const kilobytes = (bytes: number): string => (bytes >= 1e6 ? megabytes(bytes) : `${(bytes / 1e3).toFixed(1)} kB`);
const purchases = (dataset: Dataset): string => `at ${dataset.purchases.toLocaleString('en-US')} purchases`;

/** The median of each figure over a side's loads. */
function medians(loads: readonly PageLoad[]): PageLoad {
  const of = (figure: keyof PageLoad) => median(loads.map((load) => load[figure]));
  return {
    settledMs: of('settledMs'),
    firstRequestMs: of('firstRequestMs'),
    graphqlRequests: of('graphqlRequests'),
    graphqlBytes: of('graphqlBytes'),
    bytes: of('bytes'),
    heapBytes: of('heapBytes'),
  };
}

const spread = (loads: readonly PageLoad[]): string => {
  const times = loads.map((load) => load.settledMs);
  return `${seconds(Math.min(...times))}–${seconds(Math.max(...times))}`;
};

/** Both sides' loads of one page: one unmeasured load each first (not in `--quick`), then alternating. */
async function measurePage(
  ctx: BenchContext,
  load: (side: 'small' | 'large') => Promise<PageLoad>,
): Promise<Record<'small' | 'large', PageLoad[]>> {
  const loads: Record<'small' | 'large', PageLoad[]> = { small: [], large: [] };
  if (!ctx.options.quick) {
    // The gateway's query plans and the subgraphs' code paths warm: what a first visitor after a
    // deployment pays is not what this measures.
    await load('large');
    await load('small');
  }
  for (let i = 0; i < ctx.options.pageLoads; i++) {
    const order = i % 2 === 0 ? (['large', 'small'] as const) : (['small', 'large'] as const);
    for (const side of order) loads[side].push(await load(side));
  }
  return loads;
}

export async function dashboardAtScaleRows(ctx: BenchContext, small: SystemUnderTest, large: SystemUnderTest): Promise<Row[]> {
  const { options } = ctx;
  const judged = !options.quick;
  const systems = { small, large } as const;
  const datasets = { small: ctx.small, large: ctx.large } as const;
  const pages = [
    {
      name: 'overview',
      spec: (dataset: Dataset) => overview(dataset, options.customers),
      settledMs: OVERVIEW_SETTLED_MS,
      heapBytes: OVERVIEW_HEAP_BYTES,
    },
    {
      name: 'customers by total spent',
      spec: () => customersByTotal(CUSTOMERS_PAGE_ROWS, options.customers),
      settledMs: undefined,
      heapBytes: undefined,
    },
  ] as const;

  const browser = await launchChromium(options.chromiumPath);
  const rows: Row[] = [];
  try {
    for (const page of pages) {
      ctx.progress(
        `dashboard at scale: ${page.name} in Chromium, ${options.pageLoads} load(s) a side, ${purchases(ctx.large)} vs ${purchases(ctx.small)}`,
      );
      const loads = await measurePage(ctx, (side) =>
        // Fresh answers: with no event arriving, the gateway's response cache would answer the
        // same page from memory at any size, and a shop that sells is never that still.
        loadPage(browser, new URL(systems[side].url).origin, page.spec(datasets[side]), { headers: { ...FRESH } }),
      );
      const large = medians(loads.large);
      const small = medians(loads.small);
      const row = (
        figure: string,
        ratio: number,
        value: (load: PageLoad) => string,
        absolute?: { readonly limit: number; readonly actual: number; readonly text: string },
        note?: string,
      ): Row => ({
        scenario: `dashboard at scale: ${page.name}, ${figure}`,
        measured: { label: purchases(ctx.large), value: value(large) },
        baseline: { label: purchases(ctx.small), value: value(small) },
        ratio,
        target: absolute ? `${absolute.text}; ≤ ${MAX_RATIO}×` : `≤ ${MAX_RATIO}×`,
        met: judged ? ratio <= MAX_RATIO && (!absolute || absolute.actual <= absolute.limit) : undefined,
        ...(note ? { note } : {}),
      });
      rows.push(
        row(
          'settled',
          large.settledMs / small.settledMs,
          (load) => seconds(load.settledMs),
          page.settledMs === undefined
            ? undefined
            : { limit: page.settledMs, actual: large.settledMs, text: `≤ ${page.settledMs / 1000} s` },
          `median of ${options.pageLoads} load(s) a side; large ${spread(loads.large)}, small ${spread(loads.small)}; ` +
            `the first GraphQL request left at ${seconds(large.firstRequestMs)} and ${seconds(small.firstRequestMs)} (the app's own files and start)`,
        ),
        row(
          'GraphQL requests',
          large.graphqlRequests / small.graphqlRequests,
          (load) => `${load.graphqlRequests} request${load.graphqlRequests === 1 ? '' : 's'}`,
        ),
        row(
          'bytes',
          large.graphqlBytes / small.graphqlBytes,
          (load) => `${kilobytes(load.graphqlBytes)} GraphQL, ${kilobytes(load.bytes)} in all`,
          undefined,
          `the ratio is of GraphQL bytes; in all (the app's own files too) ${(large.bytes / small.bytes).toFixed(2)}×`,
        ),
        row(
          'JS heap',
          large.heapBytes / small.heapBytes,
          (load) => megabytes(load.heapBytes),
          page.heapBytes === undefined
            ? undefined
            : { limit: page.heapBytes, actual: large.heapBytes, text: `≤ ${page.heapBytes / 1e6} MB` },
        ),
      );
    }
  } finally {
    await browser.close();
  }
  return rows;
}
