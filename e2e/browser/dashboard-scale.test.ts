import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Locator, type Page } from 'playwright-core';
import { launchChromium } from '@shop/bench';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboardBuilt } from '@shop/dashboard/build';
import { createEmbeddedLog, type EventLog } from '@shop/event-core';
import { eventTopics } from '@shop/schema';
import type { RunningSystem } from '@shop/system';
import { shownMoney, writeShop, type BulkShop } from '../support/bulk-shop.ts';
import { ok } from '../support/graphql.ts';
import { CREATE_PURCHASE } from '../support/operations.ts';
import { startTestSystem } from '../support/scenario.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** How long to wait for what a page shows: a busy machine, a large shop, short of the test's own timeout. */
const LONG_MS = 60_000;
const SHAPE = { products: 100, customers: 5_000, purchases: 200_000, seed: 20_261_128 } as const;
const PAGE_ROWS = 20;

/** Customer indexes, highest total spent first (ties are not expected: checked where it matters). */
const byTotalSpent = (shop: BulkShop): number[] =>
  Array.from(shop.customers.keys()).sort((a, b) => shop.customerTotalCents[b]! - shop.customerTotalCents[a]!);

/**
 * The dashboard on a shop of 200,000 purchases, in headless Chromium, on the embedded log: the
 * events are written straight into the log and replayed by the system, then the overview, sorting,
 * searching, paging and a live update are checked against what was written. Nothing is timed.
 */
describe('the dashboard on 200,000 purchases', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shop-browser-scale-'));
  let log: EventLog;
  let system: RunningSystem;
  let browser: Browser;
  let shop: BulkShop;
  let base: string;
  let api: string;
  let ranked: number[];

  beforeAll(async () => {
    ensureDashboardBuilt();
    log = createEmbeddedLog({ file: join(dir, 'events.sqlite') });
    const topics = eventTopics(`scale.${Date.now().toString(36)}.`);
    shop = await writeShop(log, topics, SHAPE);
    ranked = byTotalSpent(shop);
    system = await startTestSystem(log, topics);
    api = system.gateway.url;
    base = api.replace(/\/graphql$/, '');
    browser = await launchChromium(CHROMIUM);
  });

  afterAll(async () => {
    await browser?.close();
    await system?.close();
    await log?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `test` on a fresh page; on failure, says what the page showed. */
  async function onPage(test: (page: Page) => Promise<void>): Promise<void> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    try {
      await test(page);
      expect(errors).toEqual([]);
    } catch (error) {
      const shown = await page
        .locator('main')
        .innerText()
        .catch(() => '(nothing)');
      throw new Error(`${(error as Error).message}\nthe page showed:\n${shown.slice(0, 2000)}`, { cause: error });
    } finally {
      await context.close();
    }
  }

  const customerRow = (i: number): string => {
    const c = shop.customers[i]!;
    return `${c.firstName} ${c.lastName} ${shop.customerPurchases[i]} ${shownMoney(shop.customerTotalCents[i]!)}`;
  };
  const figure = (page: Page, name: string): Locator =>
    page.locator('.kpis div', { has: page.getByText(name, { exact: true }) }).locator('dd');
  const customersTable = (page: Page): Locator => page.getByRole('table', { name: /customers/i });
  /** The accessible name of the table's n-th row of data (0-based). */
  const rowName = (table: Locator, n: number) => () =>
    table
      .getByRole('row')
      .nth(n + 1)
      .innerText()
      .then((text) => text.replace(/\s+/g, ' ').trim());

  it('shows the overview from the figures the server keeps, equal to what was written', async () => {
    const topProduct = Array.from(shop.productIds.keys()).sort((a, b) => shop.productTotalCents[b]! - shop.productTotalCents[a]!);
    for (const n of [0, 1, 2]) {
      expect(shop.productTotalCents[topProduct[n]!]).toBeGreaterThan(shop.productTotalCents[topProduct[n + 1]!]!);
    }
    await onPage(async (page) => {
      await page.goto(`${base}/`);
      await expectText(figure(page, 'Purchases'), String(SHAPE.purchases));
      await expectText(figure(page, 'Customers'), String(SHAPE.customers));
      await expectText(figure(page, 'Products'), String(SHAPE.products));
      await expectText(figure(page, 'Revenue'), shownMoney(shop.revenueCents));
      const top = (i: number) => `${shop.productNames[topProduct[i]!]} ${shownMoney(shop.productTotalCents[topProduct[i]!]!)}`;
      await page
        .getByRole('img', { name: `Revenue by product, highest first: ${top(0)}, ${top(1)}, ${top(2)}`, exact: false })
        .waitFor({ timeout: LONG_MS });
      // Thirty days of purchases, drawn in buckets the server chose, with bars.
      const overTime = page.getByRole('img', {
        name: /^Purchases over time \(UTC, per (minute|hour|day)\) from .+; busiest .+ with \d+\.$/,
      });
      await overTime.locator('.recharts-bar-rectangle').first().waitFor({ timeout: LONG_MS });
    });
  });

  it('sorts customers by total spent on the server: the first row is the true top spender, the next page the next 20', async () => {
    // The rows checked must not tie with their neighbours, or the order among them is the tie-break's.
    for (const n of [0, PAGE_ROWS - 1, PAGE_ROWS, 2 * PAGE_ROWS - 1]) {
      expect(shop.customerTotalCents[ranked[n]!]).toBeGreaterThan(shop.customerTotalCents[ranked[n + 1]!]!);
    }
    await onPage(async (page) => {
      await page.goto(`${base}/customers`);
      const table = customersTable(page);
      await expectText(table.locator('caption .caption-count'), `(${PAGE_ROWS} of ${SHAPE.customers})`);
      // Two clicks on the header: ascending, then descending.
      await table.getByRole('button', { name: /^Total spent/ }).click();
      await expectAttribute(table.getByRole('columnheader', { name: /total spent/i }), 'aria-sort', 'ascending');
      await table.getByRole('button', { name: /^Total spent/ }).click();
      await expectAttribute(table.getByRole('columnheader', { name: /total spent/i }), 'aria-sort', 'descending');
      await expect.poll(rowName(table, 0), { timeout: LONG_MS }).toBe(customerRow(ranked[0]!));
      expect(await rowName(table, PAGE_ROWS - 1)()).toBe(customerRow(ranked[PAGE_ROWS - 1]!));
      await page.getByText(`Page 1 of ${SHAPE.customers / PAGE_ROWS}`).waitFor();

      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByText(`Page 2 of ${SHAPE.customers / PAGE_ROWS}`).waitFor();
      await expect.poll(rowName(table, 0), { timeout: LONG_MS }).toBe(customerRow(ranked[PAGE_ROWS]!));
      expect(await rowName(table, PAGE_ROWS - 1)()).toBe(customerRow(ranked[2 * PAGE_ROWS - 1]!));
      expect(Object.fromEntries(new URL(page.url()).searchParams)).toMatchObject({ sort: 'total', dir: 'desc', page: '2' });
    });
  });

  it('searches customers by name on the server and pages through the matches', async () => {
    // `scale01` starts the last names Scale0100 to Scale0199, and no other word.
    const matches = shop.customers.map((c, i) => [c, i] as const).filter(([c]) => c.lastName.toLowerCase().startsWith('scale01'));
    expect(matches).toHaveLength(100);
    await onPage(async (page) => {
      await page.goto(`${base}/customers`);
      const table = customersTable(page);
      await expectText(table.locator('caption .caption-count'), `(${PAGE_ROWS} of ${SHAPE.customers})`);
      await page.getByRole('searchbox', { name: 'Search by name' }).fill('SCALE01');
      await expectText(table.locator('caption .caption-count'), `(${PAGE_ROWS} of 100)`);
      await page.getByText('Page 1 of 5').waitFor();
      // By last name, then first name: Scale0100 first.
      await expect.poll(rowName(table, 0), { timeout: LONG_MS }).toBe(customerRow(matches[0]![1]));

      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByText('Page 2 of 5').waitFor();
      await expect.poll(rowName(table, 0), { timeout: LONG_MS }).toBe(customerRow(matches[PAGE_ROWS]![1]));
      expect(Object.fromEntries(new URL(page.url()).searchParams)).toMatchObject({ q: 'SCALE01', page: '2' });
    });
  });

  it('shows a purchase made through the API on the open pages: a new top spender, and one more purchase', async () => {
    // The 100th spender buys enough to pass the first by 1.00.
    const buyer = ranked[99]!;
    const extraCents = shop.customerTotalCents[ranked[0]!]! - shop.customerTotalCents[buyer]! + 100;
    await onPage(async (page) => {
      await page.goto(`${base}/customers?sort=total&dir=desc`);
      const table = customersTable(page);
      await expect.poll(rowName(table, 0), { timeout: LONG_MS }).toBe(customerRow(ranked[0]!));
      await page.getByText('Live', { exact: true }).waitFor({ timeout: LONG_MS });

      const { createPurchase } = await ok(api, CREATE_PURCHASE, {
        input: {
          productId: shop.productIds[0],
          customerId: shop.customers[buyer]!.id,
          total: shownMoney(extraCents).replaceAll(',', ''),
        },
      });
      expect(createPurchase.customer.id).toBe(shop.customers[buyer]!.id);
      const c = shop.customers[buyer]!;
      const after = `${c.firstName} ${c.lastName} ${shop.customerPurchases[buyer]! + 1} ${shownMoney(shop.customerTotalCents[buyer]! + extraCents)}`;
      await expect.poll(rowName(table, 0), { timeout: LONG_MS }).toBe(after);
      expect(await rowName(table, 1)()).toBe(customerRow(ranked[0]!));

      // The overview, open in the same tab, counts it too.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
      await expectText(figure(page, 'Purchases'), String(SHAPE.purchases + 1));
      await expectText(figure(page, 'Revenue'), shownMoney(shop.revenueCents + extraCents));
      await ok(api, CREATE_PURCHASE, {
        input: { productId: shop.productIds[1], customerId: shop.customers[0]!.id, total: '2.50' },
      });
      await expectText(figure(page, 'Purchases'), String(SHAPE.purchases + 2));
      await expectText(figure(page, 'Revenue'), shownMoney(shop.revenueCents + extraCents + 250));
    });
  });
});

async function expectText(locator: Locator, text: string): Promise<void> {
  await locator.filter({ hasText: new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }).waitFor({ timeout: LONG_MS });
}

async function expectAttribute(locator: Locator, name: string, value: string): Promise<void> {
  await expect.poll(() => locator.getAttribute(name), { timeout: LONG_MS }).toBe(value);
}
