import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventLog } from '@shop/event-core';
import { eventTopics } from '@shop/schema';
import type { RunningSystem } from '@shop/system';
import { errorCode, ok } from './graphql.ts';
import {
  CREATE_CUSTOMER,
  CREATE_PRODUCT,
  CREATE_PURCHASE,
  DELETE_PRODUCT,
  UPDATE_CUSTOMER,
  UPDATE_PRODUCT,
} from './operations.ts';
import { startTestSystem, type ScenarioTarget } from './scenario.ts';

/** The selection of a history page every check below reads. */
const HISTORY = /* GraphQL */ `
  totalCount
  pageInfo { hasNextPage endCursor }
  nodes { eventId type kind version occurredAt position actor changes { field before after } }`;

interface Entry {
  readonly eventId: string;
  readonly type: string;
  readonly kind: string;
  readonly version: number;
  readonly occurredAt: string;
  readonly position: string;
  readonly actor: string | null;
  readonly changes: readonly { field: string; before: string | null; after: string | null }[];
}

/** Distinct milliseconds between events, so that instants name exactly one of them. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

/**
 * History and time travel end to end, through the gateway: a scripted sequence of creates,
 * updates, purchases and a delete, then every history entry and every state `asOf` a point of
 * it, checked field by field — aggregates and nested entities included.
 */
export function describeHistoryScenario(name: string, target: ScenarioTarget): void {
  describe(`history and time travel end to end on ${name}`, () => {
    const topics = eventTopics(`test.${randomUUID().slice(0, 8)}.`);
    let log: EventLog;
    let system: RunningSystem;
    let url: string;
    const as = (actor: string) => ({ 'x-actor': actor });
    // What the script did, in order: ids, and the instant of each event (its entity's updatedAt).
    const ids: Record<string, string> = {};
    const at = {} as Record<
      | 'butterCreated'
      | 'dannyCreated'
      | 'firstPurchase'
      | 'priceChanged'
      | 'secondPurchase'
      | 'renamed'
      | 'dannyRenamed'
      | 'butterDeleted',
      string
    >;

    beforeAll(async () => {
      log = target.openLog();
      system = await startTestSystem(log, topics);
      url = system.gateway.url;

      const butter = (await ok(url, CREATE_PRODUCT, { input: { name: 'Butter', price: '1.50' } }, as('alice'))).createProduct;
      ids.butter = butter.id;
      at.butterCreated = butter.updatedAt;
      await tick();
      const danny = (
        await ok(
          url,
          `mutation { createCustomer(input: { firstName: "Danny", lastName: "Tester" }) { id updatedAt } }`,
          {},
          as('alice'),
        )
      ).createCustomer;
      ids.danny = danny.id;
      at.dannyCreated = danny.updatedAt;
      await tick();
      const first = (await ok(url, CREATE_PURCHASE, { input: { productId: ids.butter, customerId: ids.danny } }, as('danny')))
        .createPurchase;
      ids.first = first.id;
      at.firstPurchase = first.transactionDate;
      await tick();
      at.priceChanged = (
        await ok(
          url,
          `mutation ($id: ID!) { updateProduct(id: $id, input: { price: "1.99" }) { updatedAt } }`,
          { id: ids.butter },
          as('bob'),
        )
      ).updateProduct.updatedAt;
      await tick();
      const second = (
        await ok(url, CREATE_PURCHASE, { input: { productId: ids.butter, customerId: ids.danny, total: '0.50' } }, as('danny'))
      ).createPurchase;
      at.secondPurchase = second.transactionDate;
      await tick();
      await ok(url, UPDATE_PRODUCT, { id: ids.butter, input: { name: 'Salted butter' } }, as('bob'));
      at.renamed = (await ok(url, `query ($id: ID!) { product(id: $id) { updatedAt } }`, { id: ids.butter })).product.updatedAt;
      await tick();
      await ok(url, UPDATE_CUSTOMER, { id: ids.danny, input: { lastName: 'Buyer' } }, as('danny'));
      at.dannyRenamed = (
        await ok(url, `query ($id: ID!) { customer(id: $id) { updatedAt } }`, { id: ids.danny })
      ).customer.updatedAt;
      await tick();
      at.butterDeleted = (await ok(url, DELETE_PRODUCT, { id: ids.butter }, as('carol'))).deleteProduct.deletedAt;
      await tick();
      ids.gum = (await ok(url, CREATE_PRODUCT, { input: { name: 'Gum', price: '0.10' } })).createProduct.id;
      ids.ted = (await ok(url, CREATE_CUSTOMER, { input: { firstName: 'Ted', lastName: 'Later' } })).createCustomer.id;
    });
    afterAll(async () => {
      await system?.close();
      await log?.close();
    });

    const productHistory = async (
      args = '',
      asOf?: string,
    ): Promise<{ totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: Entry[] }> =>
      (
        await ok(
          url,
          `query ($id: ID!, $asOf: String) { product(id: $id, includeDeleted: true, asOf: $asOf) { history${args} { ${HISTORY} } } }`,
          {
            id: ids.butter,
            asOf: asOf ?? null,
          },
        )
      ).product.history;

    it('tells a product’s history: each event with type, version, time, position, actor and the fields it changed', async () => {
      const history = await productHistory();
      expect(history.totalCount).toBe(4);
      expect(history.pageInfo.hasNextPage).toBe(false);
      const [created, repriced, renamed, deleted] = history.nodes;
      expect(created).toMatchObject({
        type: 'ProductCreated',
        kind: 'CREATED',
        version: 1,
        occurredAt: at.butterCreated,
        actor: 'alice',
        changes: [
          { field: 'name', before: null, after: 'Butter' },
          { field: 'price', before: null, after: '1.50' },
        ],
      });
      expect(repriced).toMatchObject({
        type: 'ProductUpdated',
        kind: 'UPDATED',
        version: 2,
        occurredAt: at.priceChanged,
        actor: 'bob',
        changes: [{ field: 'price', before: '1.50', after: '1.99' }],
      });
      expect(renamed).toMatchObject({
        type: 'ProductUpdated',
        version: 3,
        occurredAt: at.renamed,
        actor: 'bob',
        changes: [{ field: 'name', before: 'Butter', after: 'Salted butter' }],
      });
      expect(deleted).toMatchObject({
        type: 'ProductDeleted',
        kind: 'DELETED',
        version: 4,
        occurredAt: at.butterDeleted,
        actor: 'carol',
        changes: [{ field: 'deletedAt', before: null, after: at.butterDeleted }],
      });
      expect(new Set(history.nodes.map((n) => n.eventId)).size).toBe(4);
      expect(new Set(history.nodes.map((n) => n.position)).size).toBe(4);
    });

    it('pages through history oldest first and newest first, with stable cursors', async () => {
      const all = (await productHistory()).nodes.map((n) => n.version);
      const page1 = await productHistory('(first: 3)');
      expect(page1.nodes.map((n) => n.version)).toEqual([1, 2, 3]);
      expect(page1.pageInfo.hasNextPage).toBe(true);
      const page2 = await productHistory(`(first: 3, after: "${page1.pageInfo.endCursor}")`);
      expect(page2.nodes.map((n) => n.version)).toEqual([4]);
      expect(page2.pageInfo.hasNextPage).toBe(false);
      const newest = await productHistory('(first: 2, newestFirst: true)');
      expect(newest.nodes.map((n) => n.version)).toEqual([4, 3]);
      const older = await productHistory(`(first: 2, newestFirst: true, after: "${newest.pageInfo.endCursor}")`);
      expect(older.nodes.map((n) => n.version)).toEqual([2, 1]);
      expect(older.pageInfo.hasNextPage).toBe(false);
      expect(all).toEqual([1, 2, 3, 4]);
    });

    it('tells a customer’s and a purchase’s history', async () => {
      const data = await ok(
        url,
        `query ($c: ID!, $p: ID!) { customer(id: $c) { history { ${HISTORY} } } purchase(id: $p) { history { ${HISTORY} } } }`,
        {
          c: ids.danny,
          p: ids.first,
        },
      );
      expect(data.customer.history.totalCount).toBe(2);
      expect(data.customer.history.nodes).toMatchObject([
        {
          type: 'CustomerCreated',
          version: 1,
          actor: 'alice',
          occurredAt: at.dannyCreated,
          changes: [
            { field: 'firstName', before: null, after: 'Danny' },
            { field: 'lastName', before: null, after: 'Tester' },
          ],
        },
        {
          type: 'CustomerUpdated',
          version: 2,
          actor: 'danny',
          occurredAt: at.dannyRenamed,
          changes: [{ field: 'lastName', before: 'Tester', after: 'Buyer' }],
        },
      ]);
      expect(data.purchase.history.totalCount).toBe(1);
      expect(data.purchase.history.nodes[0]).toMatchObject({
        type: 'PurchaseMade',
        kind: 'CREATED',
        version: 1,
        actor: 'danny',
        occurredAt: at.firstPurchase,
        changes: [
          { field: 'productId', before: null, after: ids.butter },
          { field: 'customerId', before: null, after: ids.danny },
          { field: 'total', before: null, after: '1.50' },
          { field: 'transactionDate', before: null, after: at.firstPurchase },
        ],
      });
    });

    it('answers product(id, asOf: a history position) with the product right after that event, aggregates and nested entities too', async () => {
      const [, repriced] = (await productHistory()).nodes;
      const data = await ok(
        url,
        `query ($id: ID!, $asOf: String) {
          product(id: $id, asOf: $asOf) {
            name price version deletedAt asOf purchaseCount customerCount totalSpent
            purchases { totalCount nodes { total product { name price } customer { lastName purchaseCount } } }
            history { totalCount }
          }
        }`,
        { id: ids.butter, asOf: repriced!.position },
      );
      expect(data.product).toEqual({
        name: 'Butter',
        price: '1.99',
        version: 2,
        deletedAt: null,
        asOf: expect.any(String),
        purchaseCount: 1,
        customerCount: 1,
        totalSpent: '1.50',
        purchases: {
          totalCount: 1,
          nodes: [
            { total: '1.50', product: { name: 'Butter', price: '1.99' }, customer: { lastName: 'Tester', purchaseCount: 1 } },
          ],
        },
        history: { totalCount: 2 },
      });
    });

    it('answers customer(id, asOf: an instant) with the customer and their aggregates then', async () => {
      const query = `query ($id: ID!, $asOf: String) { customer(id: $id, asOf: $asOf) { firstName lastName version asOf purchaseCount totalSpent purchases { nodes { total product { name price } } } } }`;
      const afterSecond = await ok(url, query, { id: ids.danny, asOf: at.secondPurchase });
      expect(afterSecond.customer).toEqual({
        firstName: 'Danny',
        lastName: 'Tester',
        version: 1,
        asOf: at.secondPurchase,
        purchaseCount: 2,
        totalSpent: '2.00',
        purchases: {
          nodes: [
            { total: '1.50', product: { name: 'Butter', price: '1.99' } },
            { total: '0.50', product: { name: 'Butter', price: '1.99' } },
          ],
        },
      });
      const beforeAny = await ok(url, query, { id: ids.danny, asOf: new Date(Date.parse(at.firstPurchase) - 1).toISOString() });
      expect(beforeAny.customer).toMatchObject({
        lastName: 'Tester',
        purchaseCount: 0,
        totalSpent: '0.00',
        purchases: { nodes: [] },
      });
      const now = await ok(url, query, { id: ids.danny, asOf: new Date(Date.now() + 60_000).toISOString() });
      expect(now.customer).toMatchObject({ lastName: 'Buyer', version: 2, purchaseCount: 2, totalSpent: '2.00' });
    });

    it('answers null before an entity existed, and after its deletion unless includeDeleted', async () => {
      const query = `query ($id: ID!, $asOf: String, $all: Boolean) { product(id: $id, asOf: $asOf, includeDeleted: $all) { name deletedAt version } }`;
      const before = new Date(Date.parse(at.butterCreated) - 1).toISOString();
      expect((await ok(url, query, { id: ids.butter, asOf: before })).product).toBeNull();
      expect((await ok(url, query, { id: ids.butter, asOf: before, all: true })).product).toBeNull();
      expect((await ok(url, query, { id: ids.butter, asOf: at.butterDeleted })).product).toBeNull();
      expect((await ok(url, query, { id: ids.butter, asOf: at.butterDeleted, all: true })).product).toEqual({
        name: 'Salted butter',
        deletedAt: at.butterDeleted,
        version: 4,
      });
      expect((await ok(url, query, { id: ids.butter, asOf: at.renamed })).product).toEqual({
        name: 'Salted butter',
        deletedAt: null,
        version: 3,
      });
    });

    it('lists products, customers and purchases as of an instant, with counts and aggregates as they were', async () => {
      const query = `query ($asOf: String) {
        products(asOf: $asOf) { totalCount nodes { id name price purchaseCount totalSpent } }
        customers(asOf: $asOf) { totalCount nodes { id lastName purchaseCount } }
        purchases(asOf: $asOf) { totalCount nodes { total product { name } customer { lastName } } }
      }`;
      const mid = await ok(url, query, { asOf: at.secondPurchase });
      expect(mid.products).toEqual({
        totalCount: 1,
        nodes: [{ id: ids.butter, name: 'Butter', price: '1.99', purchaseCount: 2, totalSpent: '2.00' }],
      });
      expect(mid.customers).toEqual({ totalCount: 1, nodes: [{ id: ids.danny, lastName: 'Tester', purchaseCount: 2 }] });
      expect(mid.purchases).toEqual({
        totalCount: 2,
        nodes: [
          { total: '1.50', product: { name: 'Butter' }, customer: { lastName: 'Tester' } },
          { total: '0.50', product: { name: 'Butter' }, customer: { lastName: 'Tester' } },
        ],
      });
      const afterDelete = await ok(url, query, { asOf: at.butterDeleted });
      expect(afterDelete.products).toEqual({ totalCount: 0, nodes: [] });
      expect(afterDelete.customers.nodes).toEqual([{ id: ids.danny, lastName: 'Buyer', purchaseCount: 2 }]);
      expect(afterDelete.purchases.nodes.map((n: { product: { name: string } }) => n.product.name)).toEqual([
        'Salted butter',
        'Salted butter',
      ]);
      const current = await ok(url, query, {});
      expect(current.products.nodes.map((n: { name: string }) => n.name)).toEqual(['Gum']);
      expect(current.customers.totalCount).toBe(2);
    });

    it('pages a list as of a point in time, with the cursors of the current list', async () => {
      const query = `query ($asOf: String, $after: String) { customers(first: 1, after: $after, asOf: $asOf) { pageInfo { hasNextPage endCursor } nodes { firstName } } }`;
      const asOf = at.butterDeleted;
      const first = await ok(url, query, { asOf });
      expect(first.customers).toEqual({
        pageInfo: { hasNextPage: false, endCursor: expect.any(String) },
        nodes: [{ firstName: 'Danny' }],
      });
      const current = await ok(url, query, {});
      expect(current.customers).toMatchObject({
        pageInfo: { hasNextPage: true, endCursor: first.customers.pageInfo.endCursor },
        nodes: [{ firstName: 'Danny' }],
      });
      const next = await ok(url, query, {
        after: current.customers.pageInfo.endCursor,
        asOf: new Date(Date.now() + 60_000).toISOString(),
      });
      expect(next.customers.nodes).toEqual([{ firstName: 'Ted' }]);
      expect((await ok(url, query, { after: current.customers.pageInfo.endCursor, asOf })).customers.nodes).toEqual([]);
    });

    it('refuses an asOf that is neither an instant nor a position with BAD_USER_INPUT', async () => {
      expect(await errorCode(url, `{ products(asOf: "yesterday") { totalCount } }`)).toBe('BAD_USER_INPUT');
      expect(await errorCode(url, `{ products(asOf: "2026-01-31T12:00:00") { totalCount } }`)).toBe('BAD_USER_INPUT');
      expect(await errorCode(url, `{ customers(asOf: "2026-13-45T12:00:00Z") { totalCount } }`)).toBe('BAD_USER_INPUT');
    });

    it('serves the same history and past states after a full restart', async () => {
      const query = `query ($id: ID!, $asOf: String) { product(id: $id, asOf: $asOf, includeDeleted: true) { name price purchaseCount history { ${HISTORY} } } }`;
      const before = await ok(url, query, { id: ids.butter, asOf: at.secondPurchase });
      await system.close();
      await log.close();
      log = target.openLog();
      system = await startTestSystem(log, topics);
      url = system.gateway.url;
      expect(await ok(url, query, { id: ids.butter, asOf: at.secondPurchase })).toEqual(before);
    });
  });
}
