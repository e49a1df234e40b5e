import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePosition, mergePositions, newEntityId, positionAfter, type EventLog, type Position } from '@shop/event-core';
import { eventTopics } from '@shop/schema';
import type { RunningSystem } from '@shop/system';
import { ok } from './graphql.ts';
import { DASHBOARD } from './operations.ts';
import { startTestSystem, type ScenarioTarget } from './scenario.ts';

/** A record exactly as the original C# services wrote it: camelCase, decimal numbers, the whole entity. */
const original = (eventType: 'set' | 'remove', payload: Record<string, unknown>) => ({
  key: payload.id as string,
  value: JSON.stringify({ eventType, payload }),
});

/**
 * Lists are oldest first by creation time, then id; an original record carries no creation time,
 * so its entity's is the record's timestamp, and records appended together share one: the order
 * of such entities is their ids'. These checks are about what is listed, in a stable order.
 */
const byName = <T extends { name: string }>(nodes: readonly T[]): T[] => [...nodes].sort((a, b) => a.name.localeCompare(b.name));

/**
 * Taking over the original system's topics: topics pre-filled with its `set`/`remove` records are
 * served as they are, then new events and more of its records (its services still running
 * beside this one) are mixed in, and history and time travel read across both formats.
 */
export function describeLegacyScenario(name: string, target: ScenarioTarget): void {
  describe(`the original system's records on ${name}`, () => {
    const topics = eventTopics(`test.${randomUUID().slice(0, 8)}.`);
    let log: EventLog;
    let system: RunningSystem;
    let url: string;
    // 22-character URL-safe ids, like the original's GUIDs.
    const [butter, gum, milk, danny, ted, firstBuy, secondBuy] = Array.from({ length: 7 }, () => newEntityId());

    /** Appends original-format records and returns the position a read must reach to see them. */
    const appendOriginal = async (topic: string, records: readonly ReturnType<typeof original>[]): Promise<Position> => {
      const results = await log.append(topic, records);
      return results.reduce<Position>(
        (position, r) => mergePositions(position, positionAfter(r.topic, r.partition, r.offset)),
        {},
      );
    };
    const query = <T = Record<string, any>>(text: string, variables: Record<string, unknown> = {}, seen?: Position) =>
      ok<T>(url, text, variables, seen ? { 'x-consistency-token': encodePosition(seen) } : {});

    beforeAll(async () => {
      log = target.openLog();
      await log.provision(Object.values(topics).map((topic) => ({ topic })));
      await appendOriginal(topics.products, [
        original('set', { id: butter, name: 'Butter', price: 1.5 }),
        original('set', { id: gum, name: 'Gum', price: 0.1 }),
        original('set', { id: butter, name: 'Butter', price: 1.75 }),
        original('remove', { id: gum, name: 'Gum', price: 0.1 }),
        original('set', { id: milk, name: 'Milk', price: 0.99 }),
      ]);
      await appendOriginal(topics.customers, [
        original('set', { id: danny, firstName: 'Danny', lastName: 'Tester' }),
        original('set', { id: ted, firstName: 'Ted', lastName: 'Buyer' }),
        original('remove', { id: ted, firstName: 'Ted', lastName: 'Buyer' }),
      ]);
      await appendOriginal(topics.purchases, [
        original('set', {
          id: firstBuy,
          productId: butter,
          customerId: danny,
          total: 1.5,
          transactionDate: '2017-10-03T08:00:00',
        }),
        original('set', {
          id: secondBuy,
          productId: gum,
          customerId: danny,
          total: 0.1,
          transactionDate: '2017-10-03T09:30:00.5',
        }),
      ]);
      system = await startTestSystem(log, topics);
      url = system.gateway.url;
    });
    afterAll(async () => {
      await system?.close();
      await log?.close();
    });

    it('serves a topic of original records alone: lists, deletes, purchases, aggregates, exact money and UTC dates', async () => {
      const data = await query(DASHBOARD);
      expect(byName<{ name: string; price: string }>(data.products.nodes).map((p) => [p.name, p.price])).toEqual([
        ['Butter', '1.75'],
        ['Milk', '0.99'],
      ]);
      expect(data.customers.nodes).toEqual([
        { id: danny, firstName: 'Danny', lastName: 'Tester', purchaseCount: 2, totalSpent: '1.60' },
      ]);
      const purchases = await query(
        `{ purchases { nodes { id total transactionDate product { name deletedAt } customer { firstName } } } }`,
      );
      expect(purchases.purchases.nodes).toEqual([
        {
          id: firstBuy,
          total: '1.50',
          transactionDate: '2017-10-03T08:00:00.000Z',
          product: { name: 'Butter', deletedAt: null },
          customer: { firstName: 'Danny' },
        },
        {
          id: secondBuy,
          total: '0.10',
          transactionDate: '2017-10-03T09:30:00.500Z',
          product: { name: 'Gum', deletedAt: expect.any(String) },
          customer: { firstName: 'Danny' },
        },
      ]);
      const removed = await query(
        `query ($id: ID!) { product(id: $id) { name } deleted: product(id: $id, includeDeleted: true) { name version deletedAt } }`,
        { id: gum },
      );
      expect(removed.product).toBeNull();
      expect(removed.deleted).toMatchObject({ name: 'Gum', version: 2, deletedAt: expect.any(String) });
    });

    it('tells the history of original records, marked as the legacy actor, and travels back to each of them', async () => {
      const data = await query(
        `query ($id: ID!) { product(id: $id) { history { totalCount nodes { eventId type version actor position changes { field before after } } } } }`,
        { id: butter },
      );
      const { totalCount, nodes } = data.product.history;
      expect(totalCount).toBe(2);
      expect(nodes).toMatchObject([
        {
          type: 'ProductCreated',
          version: 1,
          actor: 'legacy',
          changes: [
            { field: 'name', after: 'Butter' },
            { field: 'price', after: '1.50' },
          ],
        },
        { type: 'ProductUpdated', version: 2, actor: 'legacy', changes: [{ field: 'price', before: '1.50', after: '1.75' }] },
      ]);
      expect(nodes[0].eventId).toMatch(/^legacy:/);
      const then = await query(
        `query ($id: ID!, $asOf: String) { product(id: $id, asOf: $asOf) { name price version purchaseCount } }`,
        {
          id: butter,
          asOf: nodes[0].position,
        },
      );
      expect(then.product).toEqual({ name: 'Butter', price: '1.50', version: 1, purchaseCount: 0 });
    });

    it('mixes new events and more original records, written while it runs, in one history', async () => {
      await query(
        `mutation ($id: ID!) { updateProduct(id: $id, input: { name: "Salted butter" }) { version } }`,
        { id: butter },
        undefined,
      );
      const bought = await query(
        `mutation ($p: ID!, $c: ID!) { createPurchase(input: { productId: $p, customerId: $c }) { total } }`,
        { p: butter, c: danny },
      );
      expect(bought.createPurchase.total).toBe('1.75');
      // The original services are still writing: an upsert of Butter, a removal of Milk, Gum back.
      const seen = mergePositions(
        await appendOriginal(topics.products, [
          original('set', { id: butter, name: 'Country butter', price: 2 }),
          original('remove', { id: milk, name: 'Milk', price: 0.99 }),
          original('set', { id: gum, name: 'Gum', price: 0.15 }),
        ]),
        await appendOriginal(topics.customers, [original('set', { id: danny, firstName: 'Daniel', lastName: 'Tester' })]),
      );
      const data = await query(
        `query ($id: ID!) {
          products { nodes { name price version } }
          customers { nodes { firstName purchaseCount totalSpent } }
          product(id: $id) { history { totalCount nodes { type version actor changes { field before after } } } }
        }`,
        { id: butter },
        seen,
      );
      expect(byName(data.products.nodes)).toEqual([
        { name: 'Country butter', price: '2.00', version: 4 },
        { name: 'Gum', price: '0.15', version: 3 },
      ]);
      expect(data.customers.nodes).toEqual([{ firstName: 'Daniel', purchaseCount: 3, totalSpent: '3.35' }]);
      expect(data.product.history.totalCount).toBe(4);
      expect(data.product.history.nodes.slice(2)).toEqual([
        {
          type: 'ProductUpdated',
          version: 3,
          actor: null,
          changes: [{ field: 'name', before: 'Butter', after: 'Salted butter' }],
        },
        {
          type: 'ProductUpdated',
          version: 4,
          actor: 'legacy',
          changes: [
            { field: 'name', before: 'Salted butter', after: 'Country butter' },
            { field: 'price', before: '1.75', after: '2.00' },
          ],
        },
      ]);
      const gumHistory = await query(
        `query ($id: ID!) { product(id: $id) { history { nodes { type changes { field before after } } } } }`,
        { id: gum },
      );
      expect(gumHistory.product.history.nodes.map((n: { type: string }) => n.type)).toEqual([
        'ProductCreated',
        'ProductDeleted',
        'ProductUpdated',
      ]);
      expect(gumHistory.product.history.nodes[2].changes).toEqual([
        { field: 'price', before: '0.10', after: '0.15' },
        { field: 'deletedAt', before: expect.any(String), after: null },
      ]);
    });

    it('serves exactly the same after a restart: the mixed topic rebuilds the same state', async () => {
      const read = `{ products { nodes { id name price version createdAt deletedAt } } customers { nodes { firstName purchaseCount totalSpent } } }`;
      const before = await query(read);
      await system.close();
      system = await startTestSystem(log, topics);
      url = system.gateway.url;
      expect(await query(read)).toEqual(before);
    });
  });
}
