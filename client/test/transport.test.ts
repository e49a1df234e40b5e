import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parse, print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { readClientConfig } from '../src/config.ts';
import { mergeConsistencyTokens } from '../src/consistency.ts';
import {
  ConflictError,
  NotFoundError,
  UnauthenticatedError,
  UnavailableError,
  createHttpTransport,
  createOperations,
  createShopClient,
  type SubscriptionTransport,
} from '../src/index.ts';

interface Call {
  readonly headers: Record<string, string>;
  readonly body: { query: string; variables: Record<string, unknown> };
}

type Answer = Response | Error;

/** A fetch that records each request and answers from a script (the last answer repeats). */
function fakeFetch(...answers: (Answer | ((call: Call) => Answer))[]): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const fake = (async (_url: string, init: RequestInit) => {
    const call = { headers: init.headers as Record<string, string>, body: JSON.parse(init.body as string) as Call['body'] };
    calls.push(call);
    const next = answers[Math.min(calls.length - 1, answers.length - 1)]!;
    const answer = typeof next === 'function' ? next(call) : next;
    if (answer instanceof Error) throw answer;
    return answer.clone();
  }) as typeof fetch;
  return { fetch: fake, calls };
}

const json = (body: unknown, headers: Record<string, string> = {}, status = 200): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const product = {
  id: 'p1',
  name: 'Butter',
  price: '1.50',
  version: 1,
  createdAt: 'x',
  updatedAt: 'x',
  deletedAt: null,
  purchaseCount: 0,
  customerCount: 0,
  totalSpent: '0.00',
};
const refused = (): Error =>
  new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
const token = (position: object): string => Buffer.from(JSON.stringify(position)).toString('base64url');
const noSubscriptions = (): SubscriptionTransport => {
  throw new Error('no subscriptions in this test');
};
const noSleep = async (): Promise<void> => {};

describe('the HTTP transport', () => {
  it('sends the bearer token and returns data', async () => {
    const { fetch, calls } = fakeFetch(json({ data: { product } }));
    const shop = createShopClient({ url: 'http://gateway/graphql', token: 's3cret', fetch });
    expect((await shop.operations.product({ id: 'p1' }))?.name).toBe('Butter');
    expect(calls[0]!.headers.authorization).toBe('Bearer s3cret');
    expect(calls[0]!.body.query).toMatch(/query Product\(\$id: ID!\)/);
  });

  it('retries a mutation after a network error with the same idempotency key, a bounded number of times', async () => {
    const { fetch, calls } = fakeFetch(
      refused(),
      json({ errors: [{ message: 'log down', extensions: { code: 'UNAVAILABLE' } }] }),
      json({ data: { createProduct: product } }),
    );
    const operations = createOperations(
      createHttpTransport({ url: 'http://gateway/graphql', fetch, sleep: noSleep }),
      noSubscriptions,
    );
    await operations.createProduct({ input: { name: 'Butter', price: 1.5 } });
    expect(calls).toHaveLength(3);
    const keys = calls.map((call) => call.body.variables.idempotencyKey);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(keys).size).toBe(1);

    const down = fakeFetch(refused());
    const failing = createOperations(
      createHttpTransport({ url: 'http://gateway/graphql', fetch: down.fetch, retries: 2, sleep: noSleep }),
      noSubscriptions,
    );
    const error = await failing.createProduct({ input: { name: 'Butter', price: 1.5 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).message).toMatch(/cannot reach the gateway at http:\/\/gateway\/graphql \(ECONNREFUSED\)/);
    expect(down.calls).toHaveLength(3);
  });

  it('uses a new idempotency key per logical call, or the caller’s', async () => {
    const { fetch, calls } = fakeFetch(json({ data: { createProduct: product } }));
    const operations = createOperations(createHttpTransport({ url: 'http://gateway/graphql', fetch }), noSubscriptions);
    await operations.createProduct({ input: { name: 'A', price: 1 } });
    await operations.createProduct({ input: { name: 'A', price: 1 } });
    await operations.createProduct({ input: { name: 'A', price: 1 } }, { idempotencyKey: 'mine' });
    const keys = calls.map((call) => call.body.variables.idempotencyKey);
    expect(keys[0]).not.toBe(keys[1]);
    expect(keys[2]).toBe('mine');
  });

  it('does not retry what is not transient, nor a mutation without an idempotency key', async () => {
    const conflict = fakeFetch(json({ errors: [{ message: 'stale', extensions: { code: 'CONFLICT' } }] }));
    const http = createHttpTransport({ url: 'http://gateway/graphql', fetch: conflict.fetch, sleep: noSleep });
    const operations = createOperations(http, noSubscriptions);
    await expect(operations.updateProduct({ id: 'p1', input: { name: 'x' }, expectedVersion: 1 })).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect(conflict.calls).toHaveLength(1);

    const down = fakeFetch(refused());
    const raw = createHttpTransport({ url: 'http://gateway/graphql', fetch: down.fetch, sleep: noSleep });
    const mutation = parse('mutation { deleteProduct(id: "p1") { id } }') as TypedDocumentNode<unknown, Record<string, never>>;
    await expect(raw.request(mutation, {})).rejects.toBeInstanceOf(UnavailableError);
    expect(down.calls).toHaveLength(1);
  });

  it('maps HTTP failures without a GraphQL body to typed errors', async () => {
    const gateway = (status: number) =>
      createHttpTransport({
        url: 'http://gateway/graphql',
        fetch: fakeFetch(new Response('nope', { status })).fetch,
        retries: 0,
      });
    const query = parse('{ products { totalCount } }') as TypedDocumentNode<unknown, Record<string, never>>;
    await expect(gateway(503).request(query, {})).rejects.toBeInstanceOf(UnavailableError);
    await expect(gateway(401).request(query, {})).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(gateway(500).request(query, {})).rejects.toMatchObject({ code: 'HTTP_500' });
  });

  it('turns a GraphQL error into a typed error even with partial data', async () => {
    const { fetch } = fakeFetch(
      json({ data: null, errors: [{ message: 'Product "x" does not exist', extensions: { code: 'NOT_FOUND', id: 'x' } }] }),
    );
    const operations = createOperations(createHttpTransport({ url: 'http://gateway/graphql', fetch }), noSubscriptions);
    await expect(operations.deleteProduct({ id: 'x' })).rejects.toMatchObject({
      constructor: NotFoundError,
      message: 'Product "x" does not exist',
      id: 'x',
    });
  });

  it('sends back the consistency tokens of its mutations, merged across topics', async () => {
    const products = token({ 'eventbus.products': { 0: 5 } });
    const customers = token({ 'eventbus.customers': { 0: 3 } });
    const { fetch, calls } = fakeFetch(
      json({ data: { createProduct: product } }, { 'x-consistency-token': products }),
      json({ data: { createCustomer: { id: 'c1' } } }, { 'x-consistency-token': customers }),
      json({ data: { products: { totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] } } }),
    );
    const shop = createShopClient({ url: 'http://gateway/graphql', fetch });
    await shop.operations.createProduct({ input: { name: 'A', price: 1 } });
    await shop.operations.createCustomer({ input: { firstName: 'A', lastName: 'B' } });
    await shop.operations.products();
    expect(calls[0]!.headers['x-consistency-token']).toBeUndefined();
    expect(calls[1]!.headers['x-consistency-token']).toBe(products);
    const merged = JSON.parse(Buffer.from(calls[2]!.headers['x-consistency-token']!, 'base64url').toString());
    expect(merged).toEqual({ 'eventbus.products': { 0: 5 }, 'eventbus.customers': { 0: 3 } });
    expect(shop.consistencyToken).toBe(calls[2]!.headers['x-consistency-token']);
  });
});

describe('mergeConsistencyTokens', () => {
  it('keeps the later offset of each partition', () => {
    const merged = mergeConsistencyTokens(token({ t: { 0: 5, 1: 9 } }), token({ t: { 0: 7 }, u: { 0: 1 } }));
    expect(JSON.parse(Buffer.from(merged, 'base64url').toString())).toEqual({ t: { 0: 7, 1: 9 }, u: { 0: 1 } });
  });

  it('lets a token it cannot read replace the older one', () => {
    expect(mergeConsistencyTokens(token({ t: { 0: 5 } }), 'opaque-v2')).toBe('opaque-v2');
    expect(mergeConsistencyTokens(undefined, 'first')).toBe('first');
  });
});

describe('trusted documents', () => {
  const document = parse('query Products { products { totalCount } }') as TypedDocumentNode<unknown, Record<string, never>>;
  const hash = createHash('sha256').update(print(document)).digest('hex');
  const persistedQuery = { version: 1, sha256Hash: hash };

  it('sends a document by the SHA-256 of its text alone when asked to (the default in production)', async () => {
    const { fetch, calls } = fakeFetch(json({ data: { products: { totalCount: 1 } } }));
    const http = createHttpTransport({ url: 'http://gateway/graphql', fetch, sendHashes: true });
    await http.request(document, {});
    expect(calls.map((c) => c.body)).toEqual([{ variables: {}, operationName: 'Products', extensions: { persistedQuery } }]);
    expect(readClientConfig({ NODE_ENV: 'production' }).sendHashes).toBe(true);
    expect(readClientConfig({}).sendHashes).toBe(false);
  });

  it('sends the text when the gateway does not know the hash', async () => {
    const { fetch, calls } = fakeFetch(
      json({ errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] }),
      json({ data: { products: { totalCount: 1 } } }),
    );
    const http = createHttpTransport({ url: 'http://gateway/graphql', fetch, sendHashes: true, sleep: noSleep });
    expect(await http.request(document, {})).toEqual({ products: { totalCount: 1 } });
    expect(calls.map((c) => c.body.query)).toEqual([undefined, print(document)]);
  });
});
