import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page, type Request, type Response } from 'playwright-core';
import { launchChromium } from '@shop/bench';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShopClient } from '@shop/client';
import { ensureDashboardBuilt } from '@shop/dashboard/build';
import { createEmbeddedLog, type EventLog } from '@shop/event-core';
import { eventTopics, readTrustedDocuments } from '@shop/schema';
import type { RunningSystem } from '@shop/system';
import { startTestSystem } from '../support/scenario.ts';

/** Debian's Chromium; a browser download is not an option here (see .ci/run). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** How long to wait for what a page shows: long enough for a busy machine, short of the test's own timeout. */
const LONG_MS = 60_000;

/** The body of a GraphQL POST as the page sent it. */
interface SentBody {
  readonly query?: unknown;
  readonly operationName?: unknown;
  readonly extensions?: { readonly persistedQuery?: { readonly sha256Hash?: unknown } };
}

/**
 * The built dashboard (production build, served by the gateway as `npm start` serves it) against a
 * gateway that runs only trusted documents (`TRUSTED_DOCUMENTS=enforce`, the production default):
 * it sends every operation by its hash alone, and what it ships is what the manifest lists.
 */
describe('the built dashboard under trusted documents', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shop-trusted-'));
  const manifest = readTrustedDocuments();
  const dashboardHashes = new Set(Object.values(manifest.clients.dashboard));
  let log: EventLog;
  let system: RunningSystem;
  let browser: Browser;
  let base: string;
  let api: string;

  beforeAll(async () => {
    ensureDashboardBuilt();
    log = createEmbeddedLog({ file: join(dir, 'events.sqlite') });
    system = await startTestSystem(log, eventTopics(`trusted.${Date.now().toString(36)}.`), {
      security: { trustedDocuments: { mode: 'enforce' } },
    });
    api = system.gateway.url;
    base = api.replace(/\/graphql$/, '');
    browser = await launchChromium(CHROMIUM);
    // Seeded through the typed client sending hashes, as it does in production: its documents are trusted too.
    const shop = createShopClient({ url: api, token: undefined, sendHashes: true });
    try {
      const butter = await shop.Product.create({ name: 'Butter', price: '1.50' });
      const danny = await shop.Customer.create({ firstName: 'Danny', lastName: 'Tester' });
      await shop.Purchase.create({ productId: butter.id, customerId: danny.id, total: '1.50' });
    } finally {
      await shop.close();
    }
  });

  afterAll(async () => {
    await browser?.close();
    await system?.close();
    await log?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Every GraphQL POST of `page` and its answer, from now on. */
  function recordGraphQL(page: Page): { requests: Request[]; answers: Promise<Response | null>[] } {
    const requests: Request[] = [];
    const answers: Promise<Response | null>[] = [];
    page.on('request', (request) => {
      if (request.method() !== 'POST' || new URL(request.url()).pathname !== '/graphql') return;
      requests.push(request);
      answers.push(request.response());
    });
    return { requests, answers };
  }

  it('renders the overview and the customers page with every request a hash of its manifest and none refused', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const { requests, answers } = recordGraphQL(page);
      const activeBefore = system.gateway.subscriptionStats().active;

      await page.goto(`${base}/`);
      const kpi = (name: string) => page.locator('.kpis div', { has: page.getByText(name, { exact: true }) }).locator('dd');
      await expect.poll(() => kpi('Purchases').textContent(), { timeout: LONG_MS }).toBe('1');
      await expect.poll(() => kpi('Revenue').textContent(), { timeout: LONG_MS }).toContain('1.50');
      // The live feed's subscription goes over graphql-ws as text, admitted by its hash.
      await expect.poll(() => system.gateway.subscriptionStats().active, { timeout: LONG_MS }).toBeGreaterThan(activeBefore);

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Customers' }).click();
      await page.getByRole('row', { name: 'Danny Tester 1 1.50' }).waitFor({ timeout: LONG_MS });

      const sent = requests.map((request) => request.postDataJSON() as SentBody);
      expect(sent.map((body) => body.operationName)).toEqual(expect.arrayContaining(['Overview', 'Customers']));
      for (const body of sent) {
        expect(body.query, `${String(body.operationName)} sent its text`).toBeUndefined();
        expect(dashboardHashes.has(body.extensions?.persistedQuery?.sha256Hash as string), String(body.operationName)).toBe(true);
      }
      const answered = await Promise.all(answers);
      for (const [i, answer] of answered.entries()) {
        expect(answer?.status(), String(sent[i]?.operationName)).toBe(200);
        const errors = ((await answer?.json()) as { errors?: unknown[] } | undefined)?.errors;
        expect(errors, String(sent[i]?.operationName)).toBeUndefined();
      }
    } finally {
      await context.close();
    }
  });

  it('refuses a document that is not in the manifest with 403 DOCUMENT_NOT_TRUSTED, and registers no hash', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${base}/`);
      // From the dashboard's own origin, as a script on the page (or a stolen token) would send it.
      const post = (body: unknown) =>
        page.evaluate(async (payload) => {
          const response = await fetch('/graphql', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(payload),
          });
          return { status: response.status, body: (await response.json()) as { errors?: { extensions?: { code?: string } }[] } };
        }, body);
      const query = '{ customers(first: 100) { nodes { id firstName lastName totalSpent } } }';
      const refused = await post({ query });
      expect(refused.status).toBe(403);
      expect(refused.body.errors?.[0]?.extensions?.code).toBe('DOCUMENT_NOT_TRUSTED');

      // Automatic Persisted Queries' registration (hash and text together) is refused as well, and leaves nothing behind.
      const digest = await page.evaluate(async (text) => {
        const bytes = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
        return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
      }, query);
      const persistedQuery = { version: 1, sha256Hash: digest };
      const registration = await post({ query, extensions: { persistedQuery } });
      expect(registration.status).toBe(403);
      expect(registration.body.errors?.[0]?.extensions?.code).toBe('DOCUMENT_NOT_TRUSTED');
      const byHash = await post({ extensions: { persistedQuery } });
      expect(byHash.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    } finally {
      await context.close();
    }
  });
});
