import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  NotFoundError,
  Product as DefaultProduct,
  ValidationError,
  createShopClient,
  type Product,
  type ShopClient,
} from '../src/index.ts';
import { startTestSystem, type TestSystem } from './support/system.ts';

/** Counts the operations a client sends, by operation name. */
function countingFetch(): { fetch: typeof fetch; count: (operationName: string) => number } {
  const names: string[] = [];
  return {
    fetch: (async (input: string | URL | Request, init?: RequestInit) => {
      names.push((JSON.parse(String(init?.body)) as { operationName?: string }).operationName ?? '');
      return fetch(input, init);
    }) as typeof fetch,
    count: (operationName) => names.filter((name) => name === operationName).length,
  };
}

async function collect<T>(iterable: AsyncIterable<T>, count: number): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) {
    items.push(item);
    if (items.length === count) break;
  }
  return items;
}

describe('the client against the running system (embedded log)', () => {
  let system: TestSystem;
  let shop: ShopClient;

  beforeAll(async () => {
    system = await startTestSystem();
    shop = createShopClient({ url: system.url });
  });
  afterAll(async () => {
    await shop?.close();
    await system?.close();
  });

  it('creates, retrieves, saves and deletes a product', async () => {
    const butter = await shop.Product.create({ name: 'Butter', price: 1.5 });
    expect(butter).toBeInstanceOf(shop.Product);
    expect(butter).toMatchObject({ name: 'Butter', price: '1.50', version: 1, deletedAt: null, purchaseCount: 0 });
    const same = await shop.Product.retrieve(butter.id);
    expect(same.toJSON()).toEqual(butter.toJSON());

    butter.name = 'Salted butter';
    butter.price = '1.99';
    await butter.save();
    expect(butter).toMatchObject({ name: 'Salted butter', price: '1.99', version: 2 });
    expect((await shop.Product.retrieve(butter.id)).name).toBe('Salted butter');

    const renamed = await shop.Product.update(butter.id, { name: 'Butter' }, { expectedVersion: 2 });
    expect(renamed.version).toBe(3);
    await butter.reload();
    await butter.delete();
    expect(butter.deletedAt).not.toBeNull();
    await expect(shop.Product.retrieve(butter.id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await shop.Product.list()).map((p) => p.id)).not.toContain(butter.id);
  });

  it('creates, retrieves, saves and deletes a customer', async () => {
    const danny = await shop.Customer.create({ firstName: 'Danny', lastName: 'Tester' });
    expect(danny).toMatchObject({ firstName: 'Danny', lastName: 'Tester', version: 1, purchaseCount: 0, totalSpent: '0.00' });
    const loaded = await shop.Customer.retrieve(danny.id);
    loaded.firstName = 'Ted';
    await loaded.save();
    expect((await shop.Customer.retrieve(danny.id)).firstName).toBe('Ted');
    expect((await shop.Customer.list()).map((c) => c.firstName)).toContain('Ted');
    await expect(danny.save()).resolves.toBe(danny); // nothing changed on this copy: nothing sent
    await loaded.delete();
    await expect(shop.Customer.retrieve(danny.id)).rejects.toThrow(NotFoundError);
    const gone = await shop.Customer.create({ firstName: 'Gone', lastName: 'Soon' });
    expect((await shop.Customer.delete(gone.id)).deletedAt).not.toBeNull();
  });

  it('records purchases and lists them per customer and per product', async () => {
    const gum = await shop.Product.create({ name: 'Gum', price: '0.10' });
    const tea = await shop.Product.create({ name: 'Tea', price: 2 });
    const ann = await shop.Customer.create({ firstName: 'Ann', lastName: 'Buyer' });
    const bob = await shop.Customer.create({ firstName: 'Bob', lastName: 'Buyer' });

    const first = await shop.Purchase.create({ productId: gum.id, customerId: ann.id, total: 1.99 });
    expect(first).toMatchObject({
      total: '1.99',
      productId: gum.id,
      customerId: ann.id,
      product: { name: 'Gum' },
      customer: { firstName: 'Ann' },
    });
    const defaulted = await shop.Purchase.create({ productId: tea.id, customerId: ann.id });
    expect(defaulted.total).toBe('2.00');
    await shop.Purchase.create({ productId: gum.id, customerId: bob.id });

    expect((await shop.Purchase.retrieve(first.id)).toJSON()).toEqual(first.toJSON());
    expect((await shop.Purchase.list({ customerId: ann.id })).map((p) => [p.product.name, p.total])).toEqual([
      ['Gum', '1.99'],
      ['Tea', '2.00'],
    ]);
    expect((await shop.Purchase.list({ productId: gum.id })).map((p) => p.customer.firstName)).toEqual(['Ann', 'Bob']);
    expect((await shop.Purchase.list()).length).toBeGreaterThanOrEqual(3);
    // The aggregates the purchases subgraph keeps, read right after the writes (consistency token).
    expect(await shop.Customer.retrieve(ann.id)).toMatchObject({ purchaseCount: 2, totalSpent: '3.99' });
    expect(await shop.Product.retrieve(gum.id)).toMatchObject({ purchaseCount: 2, customerCount: 2, totalSpent: '2.09' });
    await expect(shop.Purchase.create({ productId: 'AAAAAAAAAAAAAAAAAAAAAA', customerId: ann.id })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(shop.Purchase.retrieve('AAAAAAAAAAAAAAAAAAAAAA')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists across pages: 7 more products, 3 per page, one request per page', async () => {
    const counting = countingFetch();
    const paged = createShopClient({ url: system.url, fetch: counting.fetch });
    const before = (await paged.operations.products({ first: 0 })).totalCount;
    const names = Array.from({ length: 7 }, (_, i) => `Paged ${i}`);
    for (const name of names) await paged.Product.create({ name, price: 1 });
    const listed: Product[] = [];
    for await (const product of paged.Product.list({ pageSize: 3 })) listed.push(product);
    expect(listed.filter((p) => p.name.startsWith('Paged ')).map((p) => p.name)).toEqual(names);
    expect(listed).toHaveLength(before + 7);
    expect(counting.count('Products')).toBe(1 + Math.ceil((before + 7) / 3));
  });

  it('throws typed errors: ValidationError with its field, ConflictError from a stale save', async () => {
    const empty = await shop.Product.create({ name: '   ', price: 1 }).catch((e: unknown) => e);
    expect(empty).toBeInstanceOf(ValidationError);
    expect(empty).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'name',
      message: expect.stringMatching(/name must not be empty/),
    });
    const cents = await shop.Product.create({ name: 'Bad', price: '1.234' }).catch((e: unknown) => e);
    expect(cents).toMatchObject({
      constructor: ValidationError,
      field: 'price',
      message: expect.stringMatching(/at most two decimals/),
    });
    const longName = await shop.Customer.create({ firstName: 'x'.repeat(101), lastName: 'y' }).catch((e: unknown) => e);
    expect(longName).toMatchObject({ constructor: ValidationError, field: 'firstName' });

    const mine = await shop.Product.create({ name: 'Contended', price: 1 });
    const theirs = await shop.Product.retrieve(mine.id);
    theirs.price = 2;
    await theirs.save();
    mine.name = 'Mine';
    const conflict = await mine.save().catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ConflictError);
    expect(conflict).toMatchObject({
      code: 'CONFLICT',
      expectedVersion: 1,
      currentVersion: 2,
      message: expect.stringMatching(/version 2, not 1/),
    });
    expect(mine.changes).toEqual({ name: 'Mine' }); // kept, so the caller can reload and apply them again
    await mine.reload();
    mine.name = 'Mine';
    await mine.save();
    expect(mine).toMatchObject({ name: 'Mine', price: '2.00', version: 3 });
    await expect(mine.delete({})).resolves.toBe(mine);
  });

  it('retries a mutation whose response was lost with the same idempotency key: one product', async () => {
    let lost = 0;
    const losing = createShopClient({
      url: system.url,
      retryDelayMs: 1,
      fetch: (async (input: string | URL | Request, init?: RequestInit) => {
        const response = await fetch(input, init);
        // The server has appended; the client never hears back, as if the connection dropped.
        if (lost++ === 0)
          throw new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
        return response;
      }) as typeof fetch,
    });
    const name = `Once ${randomUUID()}`;
    const created = await losing.Product.create({ name, price: 1 });
    expect(lost).toBe(2);
    expect((await shop.Product.list()).filter((p) => p.name === name).map((p) => p.id)).toEqual([created.id]);
  });

  it('sends each mutation’s consistency token with later calls', async () => {
    const fresh = createShopClient({ url: system.url });
    expect(fresh.consistencyToken).toBeUndefined();
    await fresh.Product.create({ name: 'Token', price: 1 });
    const afterProduct = fresh.consistencyToken;
    await fresh.Customer.create({ firstName: 'Token', lastName: 'Holder' });
    const topics = Object.keys(JSON.parse(Buffer.from(fresh.consistencyToken!, 'base64url').toString()) as object);
    expect(afterProduct).toBeDefined();
    expect(topics.some((topic) => topic.endsWith('eventbus.products'))).toBe(true);
    expect(topics.some((topic) => topic.endsWith('eventbus.customers'))).toBe(true);
  });

  it('exposes every query and mutation as a typed operation', async () => {
    const { operations } = shop;
    const product = await operations.createProduct({ input: { name: 'Op', price: '3.00' } });
    const customer = await operations.createCustomer({ input: { firstName: 'Op', lastName: 'Erator' } });
    const purchase = await operations.createPurchase({ input: { productId: product.id, customerId: customer.id } });
    expect((await operations.product({ id: product.id }))?.name).toBe('Op');
    expect((await operations.customer({ id: customer.id }))?.lastName).toBe('Erator');
    expect((await operations.purchase({ id: purchase.id }))?.total).toBe('3.00');
    expect((await operations.products({ first: 1 })).nodes).toHaveLength(1);
    expect((await operations.customers({ first: 500 })).nodes.map((c) => c.id)).toContain(customer.id);
    expect((await operations.purchases({ customerId: customer.id })).totalCount).toBe(1);
    expect((await operations.updateCustomer({ id: customer.id, input: { lastName: 'X' }, expectedVersion: 1 })).version).toBe(2);
    expect((await operations.updateProduct({ id: product.id, input: { price: 4 } })).price).toBe('4.00');
    expect((await operations.deleteCustomer({ id: customer.id })).deletedAt).not.toBeNull();
    expect((await operations.deleteProduct({ id: product.id })).deletedAt).not.toBeNull();
    expect(await operations.product({ id: product.id })).toBeNull();
    const key = randomUUID();
    const again = await Promise.all(
      [1, 2].map(() => operations.createCustomer({ input: { firstName: 'Same', lastName: 'Key' } }, { idempotencyKey: key })),
    );
    expect(again[0]!.id).toBe(again[1]!.id);
  });

  it('lets the plain classes use GATEWAY_URL, like the original shell’s', async () => {
    process.env.GATEWAY_URL = system.url;
    try {
      const jam = await DefaultProduct.create({ name: 'Jam', price: '3.20' });
      expect((await DefaultProduct.retrieve(jam.id)).price).toBe('3.20');
    } finally {
      delete process.env.GATEWAY_URL;
    }
  });

  it('watches changes over graphql-ws and resumes after the last position', async () => {
    const product = await shop.Product.create({ name: 'Watched', price: 1 });
    // A consistency token is a log position like a payload's: watching "after my last write" has no
    // race with the subscription's set-up, since replay from a position and then live has no gap.
    const afterCreate = shop.consistencyToken!;
    const updates = collect(shop.Product.watch({ id: product.id, after: afterCreate }), 2);
    product.price = 2;
    await product.save();
    product.name = 'Watched twice';
    await product.save();
    const changes = await updates;
    // A payload is never older than its event (it may be newer: hydration reads the current state).
    expect(changes.map((c) => c.kind)).toEqual(['UPDATED', 'UPDATED']);
    expect(changes[0]!.entity.version).toBeGreaterThanOrEqual(2);
    expect(changes[1]!.entity.version).toBe(3);
    expect(changes[1]!.entity).toBeInstanceOf(shop.Product);
    expect(changes[1]!.entity).toMatchObject({ name: 'Watched twice', price: '2.00' });

    // Resume after the first change: exactly the second (the same event, by position), then the next.
    const resumed = collect(shop.Product.watch({ id: product.id, after: changes[0]!.position }), 2);
    await product.delete();
    const again = await resumed;
    expect(again.map((c) => c.kind)).toEqual(['UPDATED', 'DELETED']);
    expect(again[0]!.position).toBe(changes[1]!.position);
    expect(again[1]!.entity.deletedAt).not.toBeNull();

    const buyer = await shop.Customer.create({ firstName: 'Watch', lastName: 'Er' });
    const fromHere = shop.consistencyToken!;
    const created = collect(shop.Customer.watch({ after: fromHere }), 1);
    const purchases = collect(shop.Purchase.watch({ customerId: buyer.id, after: fromHere }), 1);
    const tea = await shop.Product.create({ name: 'Watch tea', price: '2.50' });
    await shop.Customer.create({ firstName: 'Another', lastName: 'One' });
    await shop.Purchase.create({ productId: tea.id, customerId: buyer.id });
    expect((await created).map((c) => [c.kind, c.entity.firstName])).toEqual([['CREATED', 'Another']]);
    const [made] = await purchases;
    expect(made).toMatchObject({
      kind: 'CREATED',
      entity: { total: '2.50', customer: { firstName: 'Watch' }, product: { name: 'Watch tea' } },
    });
  });
});
