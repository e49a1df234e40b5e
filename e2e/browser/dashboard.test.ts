import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Locator, type Page, type Request } from 'playwright-core';
import { launchChromium } from '@shop/bench';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboardBuilt } from '@shop/dashboard/build';
import { createEmbeddedLog, type EventLog } from '@shop/event-core';
import { eventTopics } from '@shop/schema';
import type { RunningSystem } from '@shop/system';
import { ok } from '../support/graphql.ts';
import { CREATE_CUSTOMER, CREATE_PRODUCT, CREATE_PURCHASE, UPDATE_PRODUCT } from '../support/operations.ts';
import { startTestSystem } from '../support/scenario.ts';

/** Debian's Chromium; a browser download is not an option here (see .ci/run). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = join(import.meta.dirname, '..', 'screenshots');
/** How long to wait for what a page shows: long enough for a busy machine, short of the test's own timeout. */
const LONG_MS = 60_000;

const byId = (data: Record<string, any>, field: string): string => data[field].id;

/**
 * The dashboard and the playground in headless Chromium, against the whole system on the
 * embedded log, served by the gateway as `npm start` serves them.
 */
describe('the dashboard in a browser', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shop-browser-'));
  let log: EventLog;
  let system: RunningSystem;
  let browser: Browser;
  let base: string;
  let api: string;
  const ids: Record<string, string> = {};

  /** A fresh browser context that may only talk to the gateway: anything else fails and is recorded. */
  async function offlineContext(
    viewport = { width: 1280, height: 900 },
  ): Promise<{ context: BrowserContext; page: Page; blocked: string[] }> {
    const context = await browser.newContext({ viewport });
    const blocked: string[] = [];
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.origin === new URL(base).origin || url.protocol === 'data:' || url.protocol === 'blob:') return route.continue();
      blocked.push(url.href);
      return route.abort('internetdisconnected');
    });
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error('page error:', error.message));
    return { context, page, blocked };
  }

  const screenshot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  /** Runs `test` on a fresh offline page; on failure keeps a screenshot of what the page showed. */
  async function onPage(
    name: string,
    test: (page: Page, blocked: string[]) => Promise<void>,
    viewport?: { width: number; height: number },
  ): Promise<void> {
    const { context, page, blocked } = await offlineContext(viewport);
    try {
      await test(page, blocked);
    } catch (error) {
      await screenshot(page, `failed-${name}`).catch(() => undefined);
      throw error;
    } finally {
      await context.close();
    }
  }
  const graphqlPosts = (requests: Request[]) =>
    requests.filter((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/graphql');

  beforeAll(async () => {
    ensureDashboardBuilt();
    mkdirSync(SCREENSHOTS, { recursive: true });
    log = createEmbeddedLog({ file: join(dir, 'events.sqlite') });
    system = await startTestSystem(log, eventTopics(`browser.${Date.now().toString(36)}.`));
    api = system.gateway.url;
    base = api.replace(/\/graphql$/, '');
    browser = await launchChromium(CHROMIUM);

    ids.butter = byId(await ok(api, CREATE_PRODUCT, { input: { name: 'Butter', price: '1.50' } }), 'createProduct');
    ids.gum = byId(await ok(api, CREATE_PRODUCT, { input: { name: 'Gum', price: '0.10' } }), 'createProduct');
    ids.bread = byId(await ok(api, CREATE_PRODUCT, { input: { name: 'Bread', price: '2.25' } }), 'createProduct');
    ids.danny = byId(await ok(api, CREATE_CUSTOMER, { input: { firstName: 'Danny', lastName: 'Tester' } }), 'createCustomer');
    ids.ted = byId(await ok(api, CREATE_CUSTOMER, { input: { firstName: 'Ted', lastName: 'Buyer' } }), 'createCustomer');
    for (const [product, customer, total] of [
      ['butter', 'danny', '1.50'],
      ['butter', 'danny', '1.50'],
      ['gum', 'danny', '0.10'],
      ['bread', 'ted', '2.25'],
      ['butter', 'ted', '1.99'],
    ] as const) {
      await ok(api, CREATE_PURCHASE, { input: { productId: ids[product], customerId: ids[customer], total } });
    }
  });

  afterAll(async () => {
    await browser?.close();
    await system?.close();
    await log?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders real data on every page', async () => {
    await onPage('pages', async (page, blocked) => {
      await page.goto(`${base}/`);
      await page.getByText('Live', { exact: true }).waitFor();
      const kpi = (name: string) => page.locator('.kpis div', { has: page.getByText(name, { exact: true }) }).locator('dd');
      await expectText(kpi('Customers'), '2');
      await expectText(kpi('Purchases'), '5');
      await expectText(kpi('Revenue'), '7.34');
      await page.getByRole('img', { name: /revenue by product, highest first: butter 4\.99/i }).waitFor();
      // Purchases over time says which series is which, on titled axes.
      const overTime = page.getByRole('img', { name: /^purchases over time \(UTC, per /i });
      await overTime.locator('.recharts-legend-wrapper').getByText('Revenue').waitFor();
      await overTime.getByText('Time (UTC)').waitFor();
      await screenshot(page, 'overview');

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Customers' }).click();
      await page.getByRole('row', { name: 'Danny Tester 3 3.10' }).waitFor();
      await page.getByRole('row', { name: 'Ted Buyer 2 4.24' }).waitFor();
      await screenshot(page, 'customers');

      await page.getByRole('link', { name: 'Danny Tester' }).click();
      await page.getByRole('heading', { level: 1, name: 'Danny Tester' }).waitFor();
      const purchases = page.getByRole('table', { name: /purchases/i });
      await expectCount(purchases.getByRole('row'), 4);
      // The customer is the page's: the rows name the product, not the customer again.
      await purchases.getByRole('row', { name: /:\d\d Gum 0\.10$/ }).waitFor();
      expect(await purchases.getByRole('columnheader', { name: 'Customer' }).count()).toBe(0);
      await screenshot(page, 'customer');

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Products' }).click();
      await page.getByRole('row', { name: 'Butter 1.50 3 2 4.99' }).waitFor();
      await screenshot(page, 'products');

      await page.getByRole('link', { name: 'Butter' }).click();
      await page.getByRole('heading', { level: 1, name: 'Butter' }).waitFor();
      await expectCount(page.getByRole('table', { name: /purchases/i }).getByRole('row'), 4);
      await screenshot(page, 'product');

      // Deep links work on a full page load too (the gateway answers with the app).
      await page.goto(`${base}/customers/${ids.ted}`);
      await page.getByRole('heading', { level: 1, name: 'Ted Buyer' }).waitFor();
      expect(blocked).toEqual([]);
    });
  });

  it('shows a purchase made by another client live, without a reload or a refetch', async () => {
    await onPage('live', async (page) => {
      const activeBefore = system.gateway.subscriptionStats().active;
      await page.goto(`${base}/customers`);
      await page.getByText('Live', { exact: true }).waitFor();
      await page.getByRole('row', { name: 'Danny Tester 3 3.10' }).waitFor();
      // Live from the moment the gateway holds the page's subscription (a connected socket is not
      // enough): buy only then. How fast it shows is the benchmark's to measure, not this test's.
      await expect.poll(() => system.gateway.subscriptionStats().active, { timeout: LONG_MS }).toBeGreaterThan(activeBefore);
      await page.evaluate('window.sameDocument = true');
      const requests: Request[] = [];
      page.on('request', (request) => requests.push(request));

      await ok(api, CREATE_PURCHASE, { input: { productId: ids.bread, customerId: ids.danny, total: '2.25' } });
      await page.getByRole('row', { name: 'Danny Tester 4 5.35' }).waitFor({ timeout: LONG_MS });

      expect(await page.evaluate('window.sameDocument')).toBe(true);
      expect(graphqlPosts(requests)).toEqual([]);
      await screenshot(page, 'customers-live');

      // The same event is in the activity feed, and the charts include it.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
      await page.getByRole('log').getByRole('link', { name: 'Danny Tester bought Bread for 2.25' }).waitFor();
      await page.getByRole('img', { name: /revenue by product, highest first: butter 4\.99, bread 4\.50/i }).waitFor();
      expect(await page.evaluate('window.sameDocument')).toBe(true);
      await screenshot(page, 'overview-live');
    });
  });

  it('creates and edits products and customers through the forms, with server errors at the field', async () => {
    await onPage('forms', async (page) => {
      await page.goto(`${base}/products`);
      await page.getByRole('row', { name: /^Butter / }).waitFor();
      const form = page.getByRole('form', { name: 'New product' });
      await form.getByLabel('Name').fill('Jam');
      await form.getByLabel('Price').fill('3.204');
      await form.getByRole('button', { name: 'Create product' }).click();
      const price = form.getByLabel('Price');
      await expectAttribute(price, 'aria-invalid', 'true');
      await form.getByText(/^Money must be a decimal amount with at most two decimals/).waitFor();
      await screenshot(page, 'product-form-error');

      await price.fill('3.20');
      await form.getByRole('button', { name: 'Create product' }).click();
      await page.getByRole('row', { name: 'Jam 3.20 0 0 0.00' }).waitFor();
      await form.getByText('Created Jam.').waitFor();

      await page
        .getByRole('table', { name: /products/i })
        .getByRole('link', { name: 'Jam' })
        .click();
      const edit = page.getByRole('form', { name: 'Edit product' });
      await edit.getByLabel('Name').fill('Strawberry jam');
      await edit.getByLabel('Price').fill('3.40');
      await edit.getByRole('button', { name: 'Save changes' }).click();
      await edit.getByText('Saved as version 2.').waitFor();
      await page.getByRole('heading', { level: 1, name: 'Strawberry jam' }).waitFor();
      await screenshot(page, 'product-edited');

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Customers' }).click();
      const newCustomer = page.getByRole('form', { name: 'New customer' });
      await newCustomer.getByLabel('First name').fill('Eve');
      await newCustomer.getByLabel('Last name').fill('Example');
      await newCustomer.getByRole('button', { name: 'Create customer' }).click();
      await page.getByRole('row', { name: 'Eve Example 0 0.00' }).waitFor();
      await page
        .getByRole('table', { name: /customers/i })
        .getByRole('link', { name: 'Eve Example' })
        .click();
      const editCustomer = page.getByRole('form', { name: 'Edit customer' });
      await editCustomer.getByLabel('Last name').fill('   ');
      await editCustomer.getByRole('button', { name: 'Save changes' }).click();
      await editCustomer.getByText('lastName must not be empty').waitFor();
      await editCustomer.getByLabel('Last name').fill('Sample');
      await editCustomer.getByRole('button', { name: 'Save changes' }).click();
      await page.getByRole('heading', { level: 1, name: 'Eve Sample' }).waitFor();

      const record = page.getByRole('form', { name: 'Record a purchase' });
      await record.getByLabel('Search products by name').fill('straw');
      await record.getByLabel('Product', { exact: true }).selectOption({ label: 'Strawberry jam (3.40)' });
      await record.getByRole('button', { name: 'Record purchase' }).click();
      await record.getByText('Recorded: Eve Sample bought Strawberry jam for 3.40.').waitFor();
      await expectText(page.getByTestId('customer-purchase-count'), '1');
      await screenshot(page, 'customer-edited');

      const listed = await ok(
        api,
        `{ customers(first: 50) { nodes { firstName lastName } } products(first: 50) { nodes { name price } } }`,
      );
      expect(listed.customers.nodes).toContainEqual({ firstName: 'Eve', lastName: 'Sample' });
      expect(listed.products.nodes).toContainEqual({ name: 'Strawberry jam', price: '3.40' });
    });
  });

  it('shows a product’s changes in its timeline, live, and the products page as of a time between them', async () => {
    // Made through the API with an actor, as another person's edits would be.
    const asAlice = { 'x-actor': 'alice' };
    const created = (await ok(api, CREATE_PRODUCT, { input: { name: 'Marmalade', price: '2.00' } }, asAlice)).createProduct;
    // The control picks a time to the second: rename once the clock is past the next whole second
    // after the create, so that second lies between the two changes (at most a second's wait).
    const createdMs = Date.parse(created.createdAt);
    const between = new Date(Math.ceil(createdMs / 1000) * 1000);
    while (Date.now() <= between.getTime()) await new Promise((r) => setTimeout(r, between.getTime() - Date.now() + 5));
    await ok(api, UPDATE_PRODUCT, { id: created.id, input: { name: 'Orange marmalade' }, expectedVersion: 1 }, asAlice);
    const { product } = await ok(api, `query ($id: ID!) { product(id: $id) { updatedAt } }`, { id: created.id });
    const renamedMs = Date.parse(product.updatedAt);
    expect(createdMs).toBeLessThanOrEqual(between.getTime());
    expect(renamedMs).toBeGreaterThan(between.getTime());

    await onPage('history', async (page) => {
      await page.goto(`${base}/products`);
      await page.getByText('Live', { exact: true }).waitFor();
      await page
        .getByRole('table', { name: /products/i })
        .getByRole('link', { name: 'Orange marmalade' })
        .click();
      await page.getByRole('heading', { level: 1, name: 'Orange marmalade' }).waitFor();
      const history = page.getByRole('region', { name: 'History' });
      const entries = history.getByRole('list', { name: 'History' }).locator(':scope > li');
      await expectCount(entries, 2);
      await expectText(entries.nth(0).getByRole('heading', { level: 3 }), 'Product updated');
      await entries
        .nth(0)
        .getByText(/by alice · version 2$/)
        .waitFor();
      // What is read out: the arrow is only for the eye, "changed to" only for the ear.
      await change(entries.nth(0), /^Name:\s*Marmalade\s*→\s*changed to\s*Orange marmalade$/);
      await expectText(entries.nth(1).getByRole('heading', { level: 3 }), 'Product created');
      await change(entries.nth(1), /^Price:\s*2\.00$/);

      // Changed by someone else while the page is open: the timeline gains the change on top.
      await page.evaluate('window.sameDocument = true');
      await ok(api, UPDATE_PRODUCT, { id: created.id, input: { price: '2.50' }, expectedVersion: 2 }, { 'x-actor': 'bob' });
      await expectCount(entries, 3);
      await change(entries.nth(0), /^Price:\s*2\.00\s*→\s*changed to\s*2\.50$/);
      await entries
        .nth(0)
        .getByText(/by bob · version 3$/)
        .waitFor();
      expect(await page.evaluate('window.sameDocument')).toBe(true);
      await screenshot(page, 'product-history');

      // View as of the second between create and rename, typed as the control reads it: UTC, 24-hour.
      const control = page.getByRole('form', { name: 'View as of' });
      await control.getByLabel('View as of (UTC)').fill(between.toISOString().slice(0, 19).replace('T', ' '));
      await control.getByRole('button', { name: 'Show' }).click();
      await page.getByRole('heading', { level: 1, name: 'Marmalade' }).waitFor();
      await page
        .getByRole('region', { name: 'Viewing the past' })
        .getByText(/^Viewing as of /)
        .waitFor();
      await expectCount(entries, 1);
      expect(await page.getByRole('form', { name: 'Edit product' }).getByLabel('Name').isDisabled()).toBe(true);
      // Nothing on screen is live in the past: no green badge.
      await page.getByText('Paused', { exact: true }).waitFor();
      expect(await page.getByText('Live', { exact: true }).count()).toBe(0);

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Products' }).click();
      const products = page.getByRole('table', { name: /products/i });
      await products.getByRole('row', { name: 'Marmalade 2.00 0 0 0.00' }).waitFor();
      expect(await products.getByRole('link', { name: 'Orange marmalade' }).count()).toBe(0);
      expect(new URL(page.url()).searchParams.get('asOf')).toBe(between.toISOString());
      expect(await page.getByRole('button', { name: 'Create product' }).isDisabled()).toBe(true);
      await screenshot(page, 'products-as-of');

      // The address alone shows the same past (a shared link, a reload).
      await page.reload();
      await products.getByRole('row', { name: 'Marmalade 2.00 0 0 0.00' }).waitFor();

      await page.getByRole('button', { name: 'Back to live' }).click();
      await products.getByRole('row', { name: 'Orange marmalade 2.50 0 0 0.00' }).waitFor();
      expect(await products.getByRole('link', { name: 'Marmalade', exact: true }).count()).toBe(0);
      expect(await page.getByRole('region', { name: 'Viewing the past' }).count()).toBe(0);
      expect(new URL(page.url()).searchParams.has('asOf')).toBe(false);
      expect(await page.getByRole('button', { name: 'Create product' }).isDisabled()).toBe(false);
    });
  });

  it('sorts, searches and pages on the server, with the view in the address, and keeps the page live', async () => {
    // 22 customers whose names match "pager": two pages of 20.
    const pagers: string[] = [];
    for (let i = 0; i < 22; i++) {
      const input = { firstName: 'Pat', lastName: `Pager${String(i).padStart(2, '0')}` };
      pagers.push(byId(await ok(api, CREATE_CUSTOMER, { input }), 'createCustomer'));
    }
    await onPage('server-lists', async (page) => {
      await page.goto(`${base}/customers`);
      await page.getByText('Live', { exact: true }).waitFor();
      const table = page.getByRole('table', { name: /customers/i });
      const caption = table.locator('caption');
      const firstName = () => table.getByRole('row').nth(1).getByRole('link').innerText();
      const requests: Request[] = [];
      page.on('request', (request) => requests.push(request));

      await page.getByRole('searchbox', { name: 'Search by name' }).fill('pager');
      await expectText(caption, 'Customers (20 of 22)');
      await page.getByText('Page 1 of 2').waitFor();
      expect(new URL(page.url()).searchParams.get('q')).toBe('pager');
      expect(await firstName()).toBe('Pat Pager00');

      await page.getByRole('button', { name: 'Next' }).click();
      await expectText(caption, 'Customers (2 of 22)');
      expect(await firstName()).toBe('Pat Pager20');
      expect(new URL(page.url()).searchParams.get('page')).toBe('2');

      // Sorted by name, descending: the server's order, from the first page.
      await table.getByRole('button', { name: /^Name/ }).click();
      await page.getByText('Page 1 of 2').waitFor();
      await expect.poll(firstName, { timeout: LONG_MS }).toBe('Pat Pager21');
      await table.getByRole('button', { name: /^Name/ }).click();
      await expect.poll(firstName, { timeout: LONG_MS }).toBe('Pat Pager00');

      // By total spent, highest first (a figure the purchases subgraph keeps): a purchase moves one up, live.
      await table.getByRole('button', { name: /^Total spent/ }).click();
      await table.getByRole('button', { name: /^Total spent/ }).click();
      await expectAttribute(table.getByRole('columnheader', { name: /total spent/i }), 'aria-sort', 'descending');
      expect(Object.fromEntries(new URL(page.url()).searchParams)).toMatchObject({ q: 'pager', sort: 'total', dir: 'desc' });
      await ok(api, CREATE_PURCHASE, { input: { productId: ids.butter, customerId: pagers[13], total: '9.99' } });
      await table.getByRole('row').nth(1).filter({ hasText: 'Pat Pager13' }).waitFor({ timeout: LONG_MS });
      await table.getByRole('row', { name: 'Pat Pager13 1 9.99' }).waitFor();
      await screenshot(page, 'customers-server-sorted');

      // No request asked for more than a page, and none for a whole list.
      const bodies = graphqlPosts(requests).map((r) => r.postDataJSON() as { variables?: { first?: number } });
      expect(bodies.length).toBeGreaterThan(0);
      expect(bodies.every((body) => (body.variables?.first ?? 0) <= 100)).toBe(true);

      // The address alone shows the same view.
      await page.reload();
      await table.getByRole('row').nth(1).filter({ hasText: 'Pat Pager13' }).waitFor();
      expect(await page.getByRole('searchbox', { name: 'Search by name' }).inputValue()).toBe('pager');
    });
  });

  it('fits a narrow screen: navigation wraps, tables scroll inside their box', async () => {
    await onPage(
      'narrow',
      async (page) => {
        await page.goto(`${base}/customers`);
        await page.getByRole('row', { name: /^Ted Buyer / }).waitFor();
        expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
        await screenshot(page, 'customers-narrow');
        await page.goto(`${base}/`);
        await page.getByRole('img', { name: /revenue by product/i }).waitFor();
        expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
        await screenshot(page, 'overview-narrow');

        // A drill-down in the past: banner, header control and timeline fit too.
        const { product } = await ok(api, `query ($id: ID!) { product(id: $id) { updatedAt } }`, { id: ids.butter });
        await page.goto(`${base}/products/${ids.butter}?asOf=${encodeURIComponent(product.updatedAt)}`);
        await page.getByRole('region', { name: 'History' }).getByRole('heading', { level: 3 }).first().waitFor();
        await page.getByRole('button', { name: 'Back to live' }).waitFor();
        expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
        await screenshot(page, 'product-as-of-narrow');
      },
      { width: 390, height: 844 },
    );
  });

  it('runs a query and a subscription in the playground with no internet', async () => {
    await onPage('playground', async (page, blocked) => {
      await page.goto(`${base}/playground`);
      const run = page.getByRole('button', { name: /execute query/i });
      const stop = page.getByRole('button', { name: /stop/i });
      const editor = page.locator('.graphiql-query-editor');
      const results = page.locator('.graphiql-response');
      // Monaco loads after the page: run once the example is in the editor.
      await waitForText(editor, /query Dashboard/);
      await run.click();
      await waitForText(results, /"totalCount": \d+,[\s\S]*"firstName": "Danny"/);
      await screenshot(page, 'playground-query');

      // Switch tab and run at once, in one task as a click and Ctrl-Enter can be: GraphiQL has
      // not yet read the new tab's operation name from its editor, and must not send the old one.
      const tab = await page
        .getByRole('tab', { name: /PurchasesMade/ })
        .getByRole('button')
        .elementHandle();
      const activeBefore = system.gateway.subscriptionStats().active;
      await run.evaluate((button, tab) => {
        tab?.click();
        button.click();
      }, tab);
      await stop
        .or(results.filter({ hasText: '"errors"' }))
        .first()
        .waitFor({ timeout: LONG_MS });
      expect(await results.innerText()).not.toContain('"errors"');
      await waitForText(editor, /subscription PurchasesMade/);
      // Live from the moment the gateway has the subscription: buy only then.
      await expect.poll(() => system.gateway.subscriptionStats().active, { timeout: LONG_MS }).toBeGreaterThan(activeBefore);
      await ok(api, CREATE_PURCHASE, { input: { productId: ids.gum, customerId: ids.ted, total: '0.10' } });
      await waitForText(results, /"purchaseMade": \{[\s\S]*"total": "0.10"[\s\S]*"firstName": "Ted"/);
      await screenshot(page, 'playground-subscription');
      await stop.click();
      await run.waitFor({ timeout: LONG_MS });
      expect(blocked).toEqual([]);
    });
  });
});

async function expectText(locator: Locator, text: string): Promise<void> {
  await locator.filter({ hasText: new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }).waitFor();
}

/** A changed field of a timeline entry, by the text of its line. */
async function change(entry: Locator, text: RegExp): Promise<void> {
  await entry.getByRole('listitem').filter({ hasText: text }).waitFor();
}

async function expectCount(locator: Locator, count: number): Promise<void> {
  await locator.nth(count - 1).waitFor();
  expect(await locator.count()).toBe(count);
}

/**
 * Waits until the text of `locator` matches `pattern`, as the page renders it: Monaco splits text
 * into token spans, so this matches the rendered text of the whole editor.
 */
async function waitForText(locator: Locator, pattern: RegExp, timeoutMs = LONG_MS): Promise<void> {
  const element = await locator.elementHandle({ timeout: timeoutMs });
  // Monaco renders spaces as no-break spaces.
  await locator
    .page()
    .waitForFunction(
      ({ element, source, flags }) => new RegExp(source, flags).test(element.innerText.replace(/\u00a0/g, ' ')),
      { element, source: pattern.source, flags: pattern.flags },
      { timeout: timeoutMs },
    )
    .catch(() => undefined);
  expect((await locator.innerText()).replace(/\u00a0/g, ' ')).toMatch(pattern);
}

async function expectAttribute(locator: Locator, name: string, value: string): Promise<void> {
  for (let tries = 0; tries < 50 && (await locator.getAttribute(name)) !== value; tries++)
    await new Promise((r) => setTimeout(r, 100));
  expect(await locator.getAttribute(name)).toBe(value);
}
