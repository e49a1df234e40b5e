import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedLog, type EventLog } from '@shop/event-core';
import { eventTopics } from '@shop/schema';
import type { RunningSystem } from '@shop/system';
import { graphql, ok } from './support/graphql.ts';
import { CREATE_CUSTOMER, CREATE_PRODUCT, CREATE_PURCHASE } from './support/operations.ts';

const UPDATE_PRODUCT = /* GraphQL */ `
  mutation ($id: ID!, $input: UpdateProductInput!, $key: String) {
    updateProduct(id: $id, input: $input, idempotencyKey: $key) {
      id
      price
    }
  }
`;
import { startTestSystem } from './support/scenario.ts';

/**
 * An idempotency key names one request: sent again with the same input it returns the first
 * result and appends nothing; sent again with another input it is refused with CONFLICT (naming
 * `idempotencyKey`), never silently answered with the first result. Retries across a restart
 * and concurrent requests keep to the same rule.
 */
describe('idempotency keys reused for another input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shop-idempotency-'));
  const topics = eventTopics('idempotency.');
  let log: EventLog;
  let system: RunningSystem;
  let url: string;
  const records = async (topic: string) => Object.values(await log.highWaterMarks(topic)).reduce((a, b) => a + b, 0);

  beforeAll(async () => {
    log = createEmbeddedLog({ file: join(dir, 'events.sqlite') });
    system = await startTestSystem(log, topics);
    url = system.gateway.url;
  });
  afterAll(async () => {
    await system?.close();
    await log?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const refused = (result: Awaited<ReturnType<typeof graphql>>) => {
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'idempotencyKey' });
    expect(result.errors?.[0]?.message).toMatch(/used before for another input/);
  };

  it('answers a retry with the first result, and refuses the key with another input, for every mutation', async () => {
    const first = await ok(url, CREATE_PRODUCT, { input: { name: 'Tea', price: '2.00' }, key: 'tea-1' });
    // The same price written another way is the same input.
    const retry = await ok(url, CREATE_PRODUCT, { input: { name: 'Tea', price: 2 }, key: 'tea-1' });
    expect(retry.createProduct.id).toBe(first.createProduct.id);
    const before = await records(topics.products);
    refused(await graphql(url, CREATE_PRODUCT, { input: { name: 'Coffee', price: '2.00' }, key: 'tea-1' }));
    refused(await graphql(url, UPDATE_PRODUCT, { id: first.createProduct.id, input: { price: '9.00' }, key: 'tea-1' }));
    expect(await records(topics.products)).toBe(before);

    const customer = await ok(url, CREATE_CUSTOMER, { input: { firstName: 'Kim', lastName: 'Key' } });
    const buy = (total: string) =>
      graphql(url, CREATE_PURCHASE, {
        input: { productId: first.createProduct.id, customerId: customer.createCustomer.id, total },
        key: 'buy-1',
      });
    const bought = await buy('1.00');
    expect((await buy('1.00')).data).toEqual(bought.data);
    const purchases = await records(topics.purchases);
    refused(await buy('5.00'));
    expect(await records(topics.purchases)).toBe(purchases);
  });

  it('lets one of two concurrent requests with one key and different inputs win, and refuses the other', async () => {
    const results = await Promise.all(
      ['Oolong', 'Sencha', 'Matcha', 'Rooibos'].map((name) =>
        graphql(url, CREATE_PRODUCT, { input: { name, price: '3.00' }, key: 'race-1' }),
      ),
    );
    const won = results.filter((result) => !result.errors);
    expect(won).toHaveLength(1);
    for (const result of results.filter((r) => r.errors)) refused(result);
    const { products } = await ok(url, `{ products(search: "oolong sencha matcha rooibos") { totalCount } }`);
    expect(products.totalCount).toBe(0);
    const listed = await ok(url, `{ products(first: 500) { nodes { name } } }`);
    expect(
      listed.products.nodes.filter((p: { name: string }) => ['Oolong', 'Sencha', 'Matcha', 'Rooibos'].includes(p.name)),
    ).toHaveLength(1);
  });

  it('still refuses the key with another input after a restart (the keys come back from the log)', async () => {
    await system.close();
    system = await startTestSystem(log, topics);
    url = system.gateway.url;
    refused(await graphql(url, CREATE_PRODUCT, { input: { name: 'Cocoa', price: '2.00' }, key: 'tea-1' }));
    expect((await ok(url, CREATE_PRODUCT, { input: { name: 'Tea', price: '2.00' }, key: 'tea-1' })).createProduct.name).toBe(
      'Tea',
    );
  });
});
