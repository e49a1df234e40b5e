import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, startTestSystem } from './support/system.ts';

describe('secure defaults of the whole system in one process (npm start)', () => {
  let started: Awaited<ReturnType<typeof startTestSystem>>;
  beforeAll(async () => {
    // As npm start runs it: no secret configured, nothing opened explicitly.
    started = await startTestSystem({ openSubgraphs: false });
  }, 120_000);
  afterAll(async () => {
    await started?.close();
  });

  it('keeps strangers off the subgraphs with a secret made at start, while the gateway answers', async () => {
    for (const subgraph of [
      started.system.subgraphs.products,
      started.system.subgraphs.customers,
      started.system.subgraphs.purchases,
    ]) {
      const direct = await post(subgraph.url, { query: '{ __typename }' });
      expect(direct.status).toBe(401);
      expect((await fetch(new URL('/readyz', subgraph.url))).status).toBe(200);
    }
    const created = await post(started.url, {
      query: 'mutation { createProduct(input: { name: "Through", price: 1 }) { name } }',
    });
    expect(created.json.data).toEqual({ createProduct: { name: 'Through' } });
  });

  it('sends a browser opening /graphql to the local playground, and nothing it serves loads from the internet', async () => {
    const browser = await fetch(started.url, {
      headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' },
      redirect: 'manual',
    });
    expect(browser.status).toBe(302);
    expect(browser.headers.get('location')).toBe('/playground');
    for (const url of [started.url, started.system.subgraphs.products.url]) {
      const page = await fetch(url, { headers: { accept: 'text/html' }, redirect: 'manual' });
      expect(await page.text()).not.toMatch(/cdn\.apollographql|https:\/\/(?!localhost)/);
    }
    // A GET query from a program is still a query.
    const query = await fetch(`${started.url}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(await query.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('sends no stack trace in development unless asked for', async () => {
    const answer = await post(started.url, { query: '{ nope }' });
    expect(answer.status).toBe(400);
    expect(answer.text).not.toMatch(/stacktrace|node_modules/);
    const asked = await startTestSystem({ security: { stackTraces: true } });
    try {
      expect((await post(asked.url, { query: '{ nope }' })).text).toMatch(/stacktrace/);
    } finally {
      await asked.close();
    }
  });
});
