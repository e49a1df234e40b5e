/**
 * What one page of the dashboard costs a browser: headless Chromium opens it in a fresh context
 * (a new user: nothing cached) and the bench reads, over the DevTools protocol, the time until the
 * page has settled, its GraphQL requests, the bytes it downloaded and its JS heap.
 *
 * Page functions are passed as source text, never as functions: tsx compiles the bench with
 * esbuild's `keepNames`, which wraps functions in a `__name` helper the page does not have.
 */
import { chromium, type Browser, type CDPSession } from 'playwright-core';
import { sleep } from './compare.ts';

/** As the browser tests launch it: no GPU, no sandbox (containers), no traffic of its own. */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * How long no GraphQL request may be in flight, or start, or end, before a rendered page counts
 * as settled. Longer than the dashboard's own throttles and debounces would leave a gap between
 * two requests of one load (a search waits 300 ms), short enough not to dominate a run.
 */
export const QUIET_MS = 500;

export interface PageSpec {
  /** Path and query of the page (`/customers?sort=total&dir=desc`). */
  readonly path: string;
  /**
   * A JavaScript expression evaluated in the page until it is truthy: true once everything the
   * page is for is on screen, with the figures expected of the data set.
   */
  readonly rendered: string;
}

export interface PageLoad {
  /** From the start of navigation until settled, in ms (the page's own clock). */
  readonly settledMs: number;
  /** From the start of navigation until the first GraphQL request left: the app's own files and start. */
  readonly firstRequestMs: number;
  /** GraphQL requests over HTTP (the live subscription's socket is not one). */
  readonly graphqlRequests: number;
  /** Bytes of those requests' responses as transferred, headers included. */
  readonly graphqlBytes: number;
  /** Bytes of every response of the load (the app's own files too), as transferred. */
  readonly bytes: number;
  /** JS heap used once settled, after a full garbage collection. */
  readonly heapBytes: number;
}

interface NetworkTally {
  readonly inFlight: Set<string>;
  readonly graphql: Set<string>;
  graphqlBytes: number;
  bytes: number;
  lastActivityMs: number;
}

const isGraphQL = (url: string, method: string): boolean => method === 'POST' && new URL(url).pathname === '/graphql';

/** Counts the page's requests and their transferred bytes from the protocol's Network domain. */
async function tallyNetwork(cdp: CDPSession): Promise<NetworkTally> {
  const tally: NetworkTally = { inFlight: new Set(), graphql: new Set(), graphqlBytes: 0, bytes: 0, lastActivityMs: Date.now() };
  cdp.on('Network.requestWillBeSent', ({ requestId, request }) => {
    if (!isGraphQL(request.url, request.method)) return;
    tally.graphql.add(requestId);
    tally.inFlight.add(requestId);
    tally.lastActivityMs = Date.now();
  });
  cdp.on('Network.loadingFinished', ({ requestId, encodedDataLength }) => {
    tally.bytes += encodedDataLength;
    if (!tally.graphql.has(requestId)) return;
    tally.graphqlBytes += encodedDataLength;
    tally.inFlight.delete(requestId);
    tally.lastActivityMs = Date.now();
  });
  cdp.on('Network.loadingFailed', ({ requestId }) => {
    if (!tally.inFlight.delete(requestId)) return;
    tally.lastActivityMs = Date.now();
  });
  await cdp.send('Network.enable');
  return tally;
}

/** When the first GraphQL request started and the last ended, in the page's clock (ms since navigation started). */
const GRAPHQL_SPAN = `(() => {
  const entries = performance.getEntriesByType('resource').filter((entry) => new URL(entry.name).pathname === '/graphql');
  return { first: Math.min(...entries.map((entry) => entry.startTime)), last: Math.max(0, ...entries.map((entry) => entry.responseEnd)) };
})()`;

/**
 * Opens `spec` on `origin` in a fresh context and measures it until settled: `rendered` holds and
 * no GraphQL request has been in flight, started or ended for {@link QUIET_MS}. The time reported
 * is the later of when `rendered` first held and when the last GraphQL response ended, measured
 * from the start of navigation; the quiet window itself is not counted.
 *
 * `headers` go with every request (`Cache-Control: no-cache` asks the gateway for fresh answers).
 */
export async function loadPage(
  browser: Browser,
  origin: string,
  spec: PageSpec,
  { headers = {}, timeoutMs = 120_000 }: { readonly headers?: Record<string, string>; readonly timeoutMs?: number } = {},
): Promise<PageLoad> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, extraHTTPHeaders: headers });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const cdp = await context.newCDPSession(page);
    const tally = await tallyNetwork(cdp);
    const deadline = Date.now() + timeoutMs;

    await page.goto(new URL(spec.path, origin).href, { waitUntil: 'commit', timeout: timeoutMs });
    // Checked on every frame: the time it returns is within a frame of when the page first showed it.
    const renderedAt = Number(
      await (
        await page.waitForFunction(`(${spec.rendered}) && performance.now()`, undefined, {
          polling: 'raf',
          timeout: Math.max(1, deadline - Date.now()),
        })
      ).jsonValue(),
    );
    while (tally.inFlight.size > 0 || Date.now() - tally.lastActivityMs < QUIET_MS) {
      if (Date.now() > deadline) throw new Error(`${spec.path} did not settle within ${timeoutMs / 1000} s`);
      await sleep(20);
    }
    if (!(await page.evaluate(spec.rendered))) throw new Error(`${spec.path} no longer shows what it did once settled`);
    if (errors.length) throw new Error(`${spec.path} threw: ${errors[0]}`);
    const span = (await page.evaluate(GRAPHQL_SPAN)) as { first: number; last: number };

    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('Performance.enable');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const heap = metrics.find((metric) => metric.name === 'JSHeapUsedSize');
    if (!heap) throw new Error('Chromium reported no JSHeapUsedSize');
    return {
      settledMs: Math.max(renderedAt, span.last),
      firstRequestMs: span.first,
      graphqlRequests: tally.graphql.size,
      graphqlBytes: tally.graphqlBytes,
      bytes: tally.bytes,
      heapBytes: heap.value,
    };
  } finally {
    await context.close();
  }
}
