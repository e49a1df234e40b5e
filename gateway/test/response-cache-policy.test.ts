import { describe, expect, it } from 'vitest';
import { HeaderMap } from '@apollo/server';
import { CONSISTENCY_HEADER, encodePosition, mergePositions, positionAfter, type Position } from '@shop/event-core';
import type { GatewayContext } from '../src/data-source.ts';
import { cacheablePlugin, ResponseCachePolicy, type CacheHolder, type CacheTicket } from '../src/response-cache-policy.ts';
import type { Role } from '../src/security.ts';
import type { Change, ChangeListener } from '../src/subscriptions/change-feed.ts';

const PRODUCTS = 't.products';
const CUSTOMERS = 't.customers';
const LIST = { query: '{ products { nodes { name } } }' };
const ANSWER = '{"data":{"products":{"nodes":[]}}}';

/**
 * A change feed as the policy sees it: applying a change moves the position past it and tells
 * every listener, in one synchronous step, as the real feed does.
 */
function fakeFeed() {
  let position: Position = {};
  const listeners = new Set<ChangeListener>();
  return {
    topics: [PRODUCTS, CUSTOMERS],
    position: () => position,
    listen(listener: ChangeListener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    apply({ topic = PRODUCTS, type = 'Product', entityId = 'p1' }: { topic?: string; type?: string; entityId?: string } = {}) {
      const offset = position[topic]?.[0] ?? 0;
      position = mergePositions(position, positionAfter(topic, 0, offset));
      const change: Change = {
        entity: type.toLowerCase(),
        type,
        kind: 'UPDATED',
        entityId,
        topic,
        partition: 0,
        offset,
        position,
        occurredAt: '2026-01-01T00:00:00.000Z',
      };
      for (const listener of listeners) listener(change);
    },
  };
}

/** `Bearer viewer` and `Bearer editor` hold those roles; any other token, or none, is refused. */
const tokenRoles = (req: { headers: Record<string, string | string[] | undefined> }): Role | null =>
  (({ 'Bearer viewer': 'viewer', 'Bearer editor': 'editor' }) as const)[String(req.headers.authorization)] ?? null;

function following({ roleOf }: { roleOf?: typeof tokenRoles } = {}) {
  const feed = fakeFeed();
  const policy = new ResponseCachePolicy({ roleOf: roleOf ?? (() => undefined) });
  policy.follow(feed);
  return { feed, policy };
}

const request = (headers: Record<string, string> = {}) => ({ headers });

/**
 * What executing a request does to its ticket: Apollo Server's plugins say what operation ran and
 * whether its answer may be kept, the subgraph fetches add what they read; then the answer is sent.
 */
function execute(
  ticket: CacheTicket | undefined,
  {
    operation = 'query',
    reads = [`topic ${PRODUCTS}`],
    cacheable = operation === 'query',
    body = ANSWER,
  }: { operation?: string; reads?: string[]; cacheable?: boolean; body?: string } = {},
): void {
  if (!ticket) return;
  Object.assign(ticket.holder, { operation, reads, cacheable });
  ticket.settle({ status: 200, headers: new HeaderMap([['content-type', 'application/json; charset=utf-8']]) }, body);
}

/** Asks for `body` until the policy knows its document, then once more: the answer the cache then holds, if any. */
function learned(policy: ResponseCachePolicy, body: object = LIST, headers: Record<string, string> = {}) {
  execute(policy.consider(request(headers), body));
  execute(policy.consider(request(headers), body));
  return policy.consider(request(headers), body);
}

describe('the response cache policy', () => {
  it('executes the first request of a document as without a cache, fills the cache with the next, serves the third', () => {
    const { feed, policy } = following();
    feed.apply();
    const first = policy.consider(request(), LIST);
    expect(first).toMatchObject({ holder: {} });
    expect(first?.hit).toBeUndefined();
    execute(first);
    const second = policy.consider(request(), LIST);
    // A miss asks every subgraph for the feed's position (X-Prefer-Position).
    expect(second?.holder.preferred).toEqual(feed.position());
    expect(second?.hit).toBeUndefined();
    execute(second);
    expect(policy.consider(request(), LIST)?.hit?.body).toBe(ANSWER);
    expect(policy.stats()).toMatchObject({ entries: 1, hits: 1, misses: 1 });
  });

  it('never looks a document up again once it ran as a mutation', () => {
    const { policy } = following();
    const mutation = { query: 'mutation { createProduct(input: { name: "x", price: "1" }) { id } }' };
    execute(policy.consider(request(), mutation), { operation: 'mutation' });
    expect(policy.consider(request(), mutation)).toBeUndefined();
  });

  it('serves an answer past changes that touch nothing it read, and not past one that does', () => {
    const { feed, policy } = following();
    const read = [`entity Product p1`];
    execute(policy.consider(request(), LIST), { reads: read });
    execute(policy.consider(request(), LIST), { reads: read });
    feed.apply({ entityId: 'p2' });
    feed.apply({ topic: CUSTOMERS, type: 'Customer', entityId: 'c1' });
    expect(policy.consider(request(), LIST)?.hit?.body).toBe(ANSWER);
    feed.apply({ entityId: 'p1' });
    expect(policy.consider(request(), LIST)?.hit).toBeUndefined();
    expect(policy.stats().invalidated).toBe(1);
  });

  it('keeps nothing that a change touched while it was being made', () => {
    const { feed, policy } = following();
    execute(policy.consider(request(), LIST));
    const filling = policy.consider(request(), LIST);
    feed.apply();
    execute(filling);
    expect(policy.stats().entries).toBe(0);
  });

  it('serves nothing older than a write this gateway acknowledged, until the feed has it', () => {
    const { feed, policy } = following();
    expect(learned(policy)?.hit?.body).toBe(ANSWER);
    policy.acknowledge(positionAfter(PRODUCTS, 0, 0));
    expect(policy.consider(request(), LIST)).toBeUndefined();
    feed.apply({ entityId: 'p9' });
    expect(policy.consider(request(), LIST)).toBeDefined();
  });

  it("serves nothing older than the client's consistency token, and leaves a malformed one to Apollo Server", () => {
    const { feed, policy } = following();
    expect(learned(policy)?.hit?.body).toBe(ANSWER);
    const ahead = { [CONSISTENCY_HEADER]: encodePosition(positionAfter(PRODUCTS, 0, 0)) };
    expect(policy.consider(request(ahead), LIST)).toBeUndefined();
    feed.apply({ entityId: 'p9' });
    expect(policy.consider(request(ahead), LIST)).toBeDefined();
    expect(policy.consider(request({ [CONSISTENCY_HEADER]: '%%%' }), LIST)).toBeUndefined();
  });

  it('gives a fresh answer to a client that asks for one', () => {
    const { policy } = following();
    expect(learned(policy)?.hit?.body).toBe(ANSWER);
    expect(policy.consider(request({ 'cache-control': 'no-cache' }), LIST)).toBeUndefined();
    expect(policy.consider(request({ 'cache-control': 'max-age=0, no-store' }), LIST)).toBeUndefined();
  });

  it('keeps answers apart by role, and leaves a request without a valid token to Apollo Server', () => {
    const { policy } = following({ roleOf: tokenRoles });
    expect(learned(policy, LIST, { authorization: 'Bearer viewer' })?.hit?.body).toBe(ANSWER);
    expect(policy.consider(request({ authorization: 'Bearer editor' }), LIST)?.hit).toBeUndefined();
    expect(policy.consider(request({ authorization: 'Bearer nobody' }), LIST)).toBeUndefined();
    expect(policy.consider(request(), LIST)).toBeUndefined();
  });

  it('knows a trusted document by its hash, and passes over documents longer than 8 KiB', () => {
    const { policy } = following();
    const byHash = { extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } };
    expect(learned(policy, byHash)?.hit?.body).toBe(ANSWER);
    const long = { query: `{ products { nodes { name } } } # ${'x'.repeat(8 * 1024)}` };
    expect(policy.consider(request(), long)).toBeUndefined();
  });

  it('serves and keeps nothing before it follows the feed', () => {
    const policy = new ResponseCachePolicy({ roleOf: () => undefined });
    expect(policy.consider(request(), LIST)).toBeUndefined();
  });
});

describe('which answers the response cache may keep', () => {
  /** Runs the plugin's `willSendResponse` on an answer, as Apollo Server would; returns what it marked. */
  async function marked({
    operation = 'query',
    status = 200,
    errors = [] as unknown[],
    resultErrors = undefined as unknown[] | undefined,
    wrote = false,
    behind = false,
  } = {}): Promise<CacheHolder> {
    const holder: CacheHolder = behind ? { behind } : {};
    const contextValue: GatewayContext = { correlationId: 'c', written: {}, cache: holder };
    const listener = await cacheablePlugin.requestDidStart!({ contextValue } as never);
    const headers = new HeaderMap(wrote ? [[CONSISTENCY_HEADER, 'token']] : []);
    await listener!.willSendResponse!({
      contextValue,
      operation: { operation },
      operationName: 'Products',
      errors: errors.length ? errors : undefined,
      response: { body: { kind: 'single', singleResult: { data: {}, errors: resultErrors } }, http: { status, headers } },
    } as never);
    return holder;
  }

  it('keeps a complete answer to a query, given at the position asked for', async () => {
    expect(await marked()).toMatchObject({ cacheable: true, operation: 'query', operationName: 'Products' });
  });

  it('keeps no answer with an error, with a status other than 200, to a mutation, that wrote, or given short of the position', async () => {
    expect((await marked({ errors: [new Error('x')] })).cacheable).toBe(false);
    expect((await marked({ resultErrors: [{ message: 'x' }] })).cacheable).toBe(false);
    expect((await marked({ status: 400 })).cacheable).toBe(false);
    expect((await marked({ operation: 'mutation' })).cacheable).toBe(false);
    expect((await marked({ wrote: true })).cacheable).toBe(false);
    expect((await marked({ behind: true })).cacheable).toBe(false);
  });
});
