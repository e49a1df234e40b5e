import { readFileSync } from 'node:fs';
import { buildSchema, GraphQLError, parse, type ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createLogger, positionAfter, positionToken } from '@shop/event-core';
import type { Change, ChangeFeed, ChangeListener } from '../src/subscriptions/change-feed.ts';
import { createSubscriptionEngine, type EngineOptions, type Payload } from '../src/subscriptions/engine.ts';
import { planSubscription } from '../src/subscriptions/plan.ts';

// What many subscribers of one change share: with a thousand of them, work done once per
// subscriber instead of once per change is most of the gateway's CPU (the fan-out benchmark).

const schema = buildSchema(readFileSync(new URL('../../schema/api-contract.graphql', import.meta.url), 'utf8'));
const PURCHASES = 'shop.eventbus.purchases';

/** The part of the change feed the engine uses: live changes only, dispatched by the test. */
function fakeFeed() {
  const listeners = new Set<ChangeListener>();
  const feed = {
    listen: (listener: ChangeListener) => (listeners.add(listener), () => listeners.delete(listener)),
    position: () => ({}),
    replay: async () => {},
  } as unknown as ChangeFeed;
  return {
    feed,
    dispatch: (change: Change) => listeners.forEach((listener) => listener(change)),
    listeners: () => listeners.size,
  };
}

/** A sink that records what it is handed; `full` as the test sets it, `written` kept for the test to call. */
function recordingSink() {
  const sink = {
    payloads: [] as Payload[],
    written: [] as (() => void)[],
    isFull: false,
    next(payload: Payload, written?: () => void) {
      sink.payloads.push(payload);
      if (written) sink.written.push(written);
    },
    full: () => sink.isFull,
  };
  return sink;
}

/** An engine on a fake feed whose hydrations answer at once, counting how often it serializes a payload. */
function countingEngine(options: Partial<EngineOptions> = {}) {
  const { feed, dispatch, listeners } = fakeFeed();
  let serialized = 0;
  const engine = createSubscriptionEngine({
    feed,
    logger: createLogger({ level: 'silent' }),
    hydrate: async (_plan, change) => ({ data: { purchase: { id: change.entityId, total: '1.50' } } }),
    serialize: (result) => (serialized++, JSON.stringify(result)),
    ...options,
  });
  return { engine, dispatch, listeners, serialized: () => serialized };
}

/** Resolves once every hydration started so far has settled and its payload has been sent. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

const purchase = (offset: number): Change => ({
  entity: 'purchase',
  type: 'Purchase',
  kind: 'CREATED',
  entityId: `purchase-${offset}`,
  topic: PURCHASES,
  partition: 0,
  offset,
  position: positionAfter(PURCHASES, 0, offset),
  occurredAt: '2026-01-05T10:00:00.000Z',
  refs: { productId: { type: 'Product', id: 'p1' }, customerId: { type: 'Customer', id: 'c1' } },
});

const plan = (query: string) => planSubscription(schema, parse(query), undefined, {});
const SELECTION = 'subscription { purchaseMade { kind position purchase { id total } } }';

describe('subscription engine', () => {
  it('hydrates a change once and builds its payload once for subscribers with the same operation', async () => {
    const { feed, dispatch } = fakeFeed();
    let hydrations = 0;
    const engine = createSubscriptionEngine({
      feed,
      logger: createLogger({ level: 'silent' }),
      // Answers what the hydration query asks for, as the graph would.
      hydrate: async (query, change): Promise<ExecutionResult> => {
        hydrations++;
        const total = query.queryText?.includes('total') ? { total: '1.50' } : {};
        return { data: { purchase: { id: change.entityId, ...total } } };
      },
    });
    const streams = Array.from({ length: 20 }, () => engine.stream(plan(SELECTION)));
    const other = engine.stream(plan('subscription { purchaseMade { purchase { id } } }'));
    const next = [...streams, other].map((stream) => stream.next());
    await new Promise((resolve) => setImmediate(resolve));
    dispatch(purchase(7));
    const results = (await Promise.all(next)).map((result) => result.value as ExecutionResult);

    expect(results[0]!.data).toEqual({
      purchaseMade: { kind: 'CREATED', position: expect.any(String), purchase: { id: 'purchase-7', total: '1.50' } },
    });
    // One payload object for the twenty, a payload of its own for the other selection…
    for (const result of results.slice(0, 20)) expect(result).toBe(results[0]);
    expect(results[20]).not.toBe(results[0]);
    expect(results[20]!.data).toEqual({ purchaseMade: { purchase: { id: 'purchase-7' } } });
    // …and one hydration for each selection.
    expect(hydrations).toBe(2);
    expect(engine.stats()).toMatchObject({ active: 21, hydrations: 2, delivered: 21 });
    await Promise.all([...streams, other].map((stream) => stream.return!()));
    expect(engine.stats().active).toBe(0);
  });

  it('keeps subscribers of different changes apart', async () => {
    const { feed, dispatch } = fakeFeed();
    const engine = createSubscriptionEngine({
      feed,
      logger: createLogger({ level: 'silent' }),
      hydrate: async (_plan, change) => ({ data: { purchase: { id: change.entityId, total: '1.50' } } }),
    });
    const stream = engine.stream(plan(SELECTION));
    const first = stream.next();
    await new Promise((resolve) => setImmediate(resolve));
    dispatch(purchase(1));
    dispatch(purchase(2));
    const a = (await first).value as ExecutionResult;
    const b = (await stream.next()).value as ExecutionResult;
    expect(a).not.toBe(b);
    expect([a, b].map((r) => (r.data as { purchaseMade: { purchase: { id: string } } }).purchaseMade.purchase.id)).toEqual([
      'purchase-1',
      'purchase-2',
    ]);
    await stream.return!();
  });

  it('subscribers of one plan share one feed listener, one filter check and one serialized payload', async () => {
    const { engine, dispatch, listeners, serialized } = countingEngine();
    const shared = plan(SELECTION);
    const sinks = Array.from({ length: 100 }, () => recordingSink());
    const subscriptions = sinks.map((sink) => engine.subscribe(shared, sink));
    expect(listeners()).toBe(1);
    dispatch(purchase(1));
    dispatch(purchase(2));
    await settled();
    for (const sink of sinks) {
      expect(sink.payloads.map((p) => JSON.parse(p.json).data.purchaseMade.purchase.id)).toEqual(['purchase-1', 'purchase-2']);
      expect(sink.payloads[0]).toBe(sinks[0]!.payloads[0]);
    }
    // Serialized once per change, not once per subscriber.
    expect(serialized()).toBe(2);
    await Promise.all(subscriptions.map((s) => s.stop()));
    expect(listeners()).toBe(0);
    expect(engine.stats().active).toBe(0);
  });

  it('waits for a full sink to write, sends in order once it has, and drops a live subscriber that falls maxQueued behind', async () => {
    const { engine, dispatch } = countingEngine({ maxQueued: 5 });
    const slow = recordingSink();
    const fast = recordingSink();
    const slowSubscription = engine.subscribe(plan(SELECTION), slow);
    engine.subscribe(plan(SELECTION), fast);
    slow.isFull = true;
    dispatch(purchase(1));
    await settled();
    // Handed over with `written`, and nothing more until the sink has written it.
    expect(slow.payloads).toHaveLength(1);
    expect(slow.written).toHaveLength(1);
    dispatch(purchase(2));
    dispatch(purchase(3));
    await settled();
    expect(slow.payloads).toHaveLength(1);
    slow.isFull = false;
    slow.written.shift()!();
    await settled();
    const ids = (sink: typeof slow) => sink.payloads.map((p) => JSON.parse(p.json).data.purchaseMade.purchase.id as string);
    expect(ids(slow)).toEqual(['purchase-1', 'purchase-2', 'purchase-3']);

    // Full again, and never written: after maxQueued changes wait for it, it is dropped as too slow.
    slow.isFull = true;
    for (let offset = 4; offset <= 12; offset++) {
      dispatch(purchase(offset));
      await settled();
    }
    const error = await slowSubscription.ended;
    expect(error?.message).toMatch(/fell more than 5 changes behind; subscribe again with after/);
    expect(JSON.stringify(error)).toMatch(/UNAVAILABLE/);
    // The others are not held back by it.
    expect(ids(fast)).toEqual(Array.from({ length: 12 }, (_, i) => `purchase-${i + 1}`));
    expect(engine.stats().active).toBe(1);
  });

  it('subscribers resuming from different positions share live delivery, each from its own position on', async () => {
    const { engine, dispatch, listeners, serialized } = countingEngine();
    const resuming = (offset: number) =>
      planSubscription(
        schema,
        parse('subscription ($after: String) { purchaseMade(after: $after) { purchase { id } } }'),
        undefined,
        {
          after: positionToken(positionAfter(PURCHASES, 0, offset)),
        },
      );
    const behind = recordingSink();
    const ahead = recordingSink();
    engine.subscribe(resuming(1), behind);
    engine.subscribe(resuming(6), ahead);
    // Their replays (nothing to read here) hand over to live delivery.
    await settled();
    expect(listeners()).toBe(1);
    for (let offset = 5; offset <= 8; offset++) dispatch(purchase(offset));
    await settled();
    const ids = (sink: ReturnType<typeof recordingSink>) =>
      sink.payloads.map((p) => JSON.parse(p.json).data.purchaseMade.purchase.id as string);
    expect(ids(behind)).toEqual(['purchase-5', 'purchase-6', 'purchase-7', 'purchase-8']);
    // A position ahead of what this gateway has seen: nothing before it.
    expect(ids(ahead)).toEqual(['purchase-7', 'purchase-8']);
    expect(ahead.payloads[0]).toBe(behind.payloads[2]);
    expect(serialized()).toBe(4);
  });

  it('tries a hydration that failed again, in order, and ends its subscribers with UNAVAILABLE only once it keeps failing', async () => {
    let failuresLeft = 2;
    const { engine, dispatch } = countingEngine({
      hydrationRetryMs: 60_000,
      hydrationBackoffMs: () => 1,
      hydrate: async (_plan, change) =>
        change.entityId === 'purchase-1' && failuresLeft-- > 0
          ? {
              errors: [
                new GraphQLError('the purchases read model did not reach the requested position', {
                  extensions: { code: 'CONSISTENCY_TIMEOUT' },
                }),
              ],
            }
          : { data: { purchase: { id: change.entityId, total: '1.50' } } },
    });
    const sink = recordingSink();
    engine.subscribe(plan(SELECTION), sink);
    dispatch(purchase(1));
    dispatch(purchase(2));
    await expect.poll(() => sink.payloads.length, { timeout: 30_000 }).toBe(2);
    // The change whose hydration failed twice comes first, whole, without errors.
    expect(sink.payloads.map((p) => JSON.parse(p.json))).toEqual([
      { data: { purchaseMade: expect.objectContaining({ purchase: { id: 'purchase-1', total: '1.50' } }) } },
      { data: { purchaseMade: expect.objectContaining({ purchase: { id: 'purchase-2', total: '1.50' } }) } },
    ]);
    expect(engine.stats().hydrations).toBe(2);

    const failing = countingEngine({
      hydrationRetryMs: 20,
      hydrationBackoffMs: () => 5,
      hydrate: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:4003');
      },
    });
    const subscription = failing.engine.subscribe(plan(SELECTION), recordingSink());
    failing.dispatch(purchase(3));
    const error = await subscription.ended;
    expect(JSON.stringify(error)).toMatch(/UNAVAILABLE/);
    expect(error?.message).toMatch(/could not be built within 20 ms \(connect ECONNREFUSED.*\); subscribe again with after/);
  });
});
