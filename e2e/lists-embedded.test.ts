import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedLog, type EventLog } from '@shop/event-core';
import { eventTopics } from '@shop/schema';
import type { RunningSystem } from '@shop/system';
import { graphql, ok, type GraphQLResult } from './support/graphql.ts';
import { CREATE_CUSTOMER, CREATE_PRODUCT, CREATE_PURCHASE, UPDATE_PRODUCT } from './support/operations.ts';
import { startTestSystem } from './support/scenario.ts';

/**
 * Lists sorted, searched and paged on the server, through the gateway (ADR 0016): the orders a
 * subgraph keeps for its own columns, the lists by sales the purchases subgraph answers with the
 * owners' entities, the shop's figures over time, the same as of a point in time, and bad
 * arguments refused with the field named.
 */
describe('sorted, searched and ranked lists through the gateway', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shop-lists-'));
  let log: EventLog;
  let system: RunningSystem;
  let url: string;
  const products: Record<string, string> = {};
  const customers: Record<string, string> = {};
  let beforeRename = '';

  beforeAll(async () => {
    log = createEmbeddedLog({ file: join(dir, 'events.sqlite') });
    system = await startTestSystem(log, eventTopics('lists.'));
    url = system.gateway.url;
    for (const [name, price] of [
      ['Butter', '1.50'],
      ['Peanut Butter', '3.20'],
      ['Bread', '2.10'],
      ['Brown Bread', '2.90'],
      ['Crème brûlée', '4.00'],
    ] as const)
      products[name] = (await ok(url, CREATE_PRODUCT, { input: { name, price } })).createProduct.id;
    for (const [firstName, lastName] of [
      ['Danny', 'Smith'],
      ['Ted', 'Jones'],
      ['Anna', 'Andrews'],
      ['Dana', 'Smithers'],
    ] as const)
      customers[firstName] = (await ok(url, CREATE_CUSTOMER, { input: { firstName, lastName } })).createCustomer.id;
    const buy = (product: string, customer: string, total: string) =>
      ok(url, CREATE_PURCHASE, { input: { productId: products[product], customerId: customers[customer], total } });
    await buy('Bread', 'Danny', '2.10');
    await buy('Bread', 'Ted', '2.10');
    await buy('Butter', 'Danny', '1.50');
    await buy('Peanut Butter', 'Anna', '9.99');
    beforeRename = new Date().toISOString();
    // After the point in time the `asOf` tests look at: a rename and one more purchase.
    while (new Date().toISOString() === beforeRename) await new Promise((r) => setImmediate(r));
    await ok(url, UPDATE_PRODUCT, { id: products['Butter'], input: { name: 'Salted Butter' } });
    await buy('Crème brûlée', 'Danny', '12.00');
  });
  afterAll(async () => {
    await system?.close();
    log?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const codeOf = (result: GraphQLResult<unknown>) => result.errors?.[0]?.extensions?.['code'];
  const names = (list: { nodes: { name?: string; firstName?: string }[] }) => list.nodes.map((n) => n.name ?? n.firstName);

  it('sorts products by price and name either way, searches word prefixes without case or accents, and pages by offset', async () => {
    const data = await ok(
      url,
      `{
        byPrice: products(orderBy: { field: PRICE, direction: DESC }) { totalCount nodes { name } }
        byName: products(orderBy: { field: NAME }, first: 2, offset: 1) { totalCount nodes { name } pageInfo { hasNextPage } }
        butter: products(search: "BUTT", orderBy: { field: NAME }) { totalCount nodes { name } }
        creme: products(search: "creme bru") { totalCount nodes { name } }
        none: products(search: "utter") { totalCount nodes { name } }
      }`,
    );
    expect(names(data.byPrice)).toEqual(['Crème brûlée', 'Peanut Butter', 'Brown Bread', 'Bread', 'Salted Butter']);
    expect(names(data.byName)).toEqual(['Brown Bread', 'Crème brûlée']);
    expect(data.byName.pageInfo.hasNextPage).toBe(true);
    expect(data.byName.totalCount).toBe(5);
    expect(names(data.butter)).toEqual(['Peanut Butter', 'Salted Butter']);
    expect(data.butter.totalCount).toBe(2);
    expect(names(data.creme)).toEqual(['Crème brûlée']);
    expect(data.none.totalCount).toBe(0);
  });

  it('ranks products and customers by their sales in the purchases subgraph, with every field of the owners', async () => {
    const data = await ok(
      url,
      `{
        top: productsBySales(first: 3) { totalCount nodes { name price purchaseCount customerCount totalSpent } }
        byBuyers: productsBySales(orderBy: { field: CUSTOMER_COUNT }, first: 1) { nodes { name customerCount } }
        customers: customersBySales(orderBy: { field: PURCHASE_COUNT }, search: "smi") { totalCount nodes { firstName lastName purchaseCount totalSpent } }
      }`,
    );
    expect(data.top.totalCount).toBe(5);
    expect(data.top.nodes).toEqual([
      { name: 'Crème brûlée', price: '4.00', purchaseCount: 1, customerCount: 1, totalSpent: '12.00' },
      { name: 'Peanut Butter', price: '3.20', purchaseCount: 1, customerCount: 1, totalSpent: '9.99' },
      { name: 'Bread', price: '2.10', purchaseCount: 2, customerCount: 2, totalSpent: '4.20' },
    ]);
    expect(data.byBuyers.nodes).toEqual([{ name: 'Bread', customerCount: 2 }]);
    // "smi" finds Smith and Smithers; Danny has bought three times, Dana never.
    expect(data.customers.totalCount).toBe(2);
    expect(data.customers.nodes).toEqual([
      { firstName: 'Danny', lastName: 'Smith', purchaseCount: 3, totalSpent: '15.60' },
      { firstName: 'Dana', lastName: 'Smithers', purchaseCount: 0, totalSpent: '0.00' },
    ]);
  });

  it('sorts purchases by total or date, of one customer too, and keeps the shop figures exact', async () => {
    const data = await ok(
      url,
      `query ($danny: ID!) {
        byTotal: purchases(orderBy: { field: TOTAL, direction: DESC }, first: 2) { totalCount nodes { total } }
        newest: purchases(orderBy: { field: TRANSACTION_DATE, direction: DESC }, first: 1) { nodes { total product { name } } }
        danny: customer(id: $danny) { purchases(orderBy: { field: TOTAL }) { totalCount nodes { total } } }
        sales { purchaseCount revenue overTime { bucket buckets { purchaseCount revenue } } }
      }`,
      { danny: customers['Danny'] },
    );
    expect(data.byTotal).toEqual({ totalCount: 5, nodes: [{ total: '12.00' }, { total: '9.99' }] });
    expect(data.newest.nodes).toEqual([{ total: '12.00', product: { name: 'Crème brûlée' } }]);
    expect(data.danny.purchases).toEqual({ totalCount: 3, nodes: [{ total: '1.50' }, { total: '2.10' }, { total: '12.00' }] });
    expect(data.sales.purchaseCount).toBe(5);
    expect(data.sales.revenue).toBe('27.69');
    // All made within this test run: one bucket or a few, summing to the same figures.
    const buckets = data.sales.overTime.buckets as { purchaseCount: number; revenue: string }[];
    expect(buckets.reduce((sum, b) => sum + b.purchaseCount, 0)).toBe(5);
    expect(buckets.reduce((sum, b) => sum + Math.round(Number(b.revenue) * 100), 0)).toBe(2769);
  });

  it('answers every order, search and ranking as of a point in time, with names and figures as they were', async () => {
    const data = await ok(
      url,
      `query ($at: String!) {
        products(asOf: $at, search: "butter", orderBy: { field: NAME, direction: DESC }) { totalCount nodes { name } }
        productsBySales(asOf: $at, first: 2) { nodes { name totalSpent } }
        purchases(asOf: $at, orderBy: { field: TOTAL, direction: DESC }, first: 1) { totalCount nodes { total } }
        sales(asOf: $at) { purchaseCount revenue }
      }`,
      { at: beforeRename },
    );
    // Before the rename, "Butter" was still called Butter; before the last purchase, 4 were made.
    expect(names(data.products)).toEqual(['Peanut Butter', 'Butter']);
    expect(data.productsBySales.nodes).toEqual([
      { name: 'Peanut Butter', totalSpent: '9.99' },
      { name: 'Bread', totalSpent: '4.20' },
    ]);
    expect(data.purchases).toEqual({ totalCount: 4, nodes: [{ total: '9.99' }] });
    expect(data.sales).toEqual({ purchaseCount: 4, revenue: '15.69' });
  });

  it('continues a sorted list from its cursor, and refuses one from another order', async () => {
    const first = await ok(
      url,
      `{ customers(orderBy: { field: NAME }, first: 2) { nodes { lastName } pageInfo { endCursor } } }`,
    );
    expect(first.customers.nodes).toEqual([{ lastName: 'Andrews' }, { lastName: 'Jones' }]);
    const next = await ok(
      url,
      `query ($after: String) { customers(orderBy: { field: NAME }, after: $after) { nodes { lastName } } }`,
      {
        after: first.customers.pageInfo.endCursor,
      },
    );
    expect(next.customers.nodes).toEqual([{ lastName: 'Smith' }, { lastName: 'Smithers' }]);
    const wrong = await graphql(
      url,
      `
        query ($after: String) {
          customers(orderBy: { field: CREATED_AT }, after: $after) {
            totalCount
          }
        }
      `,
      {
        after: first.customers.pageInfo.endCursor,
      },
    );
    expect(codeOf(wrong)).toBe('BAD_USER_INPUT');
    expect(wrong.errors![0]!.extensions!['field']).toBe('after');
  });

  it('refuses bad arguments with a clear error naming the field, in a literal or a variable', async () => {
    const unknownOrder = await graphql(
      url,
      `
        {
          products(orderBy: { field: TOTAL_SPENT }) {
            totalCount
          }
        }
      `,
    );
    expect(codeOf(unknownOrder)).toBe('GRAPHQL_VALIDATION_FAILED');
    const cases: [string, Record<string, unknown>, string][] = [
      ['query ($n: Int) { products(first: $n) { totalCount } }', { n: 501 }, 'first'],
      ['{ customers(first: 501) { totalCount } }', {}, 'first'],
      ['query ($o: Int) { productsBySales(offset: $o) { totalCount } }', { o: -1 }, 'offset'],
      ['query ($s: String) { customers(search: $s) { totalCount } }', { s: 'x'.repeat(101) }, 'search'],
      ['query ($s: String) { productsBySales(search: $s) { totalCount } }', { s: 'bread\u0007' }, 'search'],
      ['{ purchases(offset: 1000001) { totalCount } }', {}, 'offset'],
      [
        '{ sales { overTime(bucket: MINUTE, from: "2020-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z") { bucket } } }',
        {},
        'bucket',
      ],
    ];
    for (const [query, variables, field] of cases) {
      const result = await graphql(url, query, variables);
      expect(codeOf(result), query).toBe('BAD_USER_INPUT');
      expect(result.errors![0]!.extensions!['field'], query).toBe(field);
      expect(result.status, query).toBeLessThan(500);
    }
  });
});
