import { readFileSync } from 'node:fs';
import { buildSchema, parse, type ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createLogger, positionAfter } from '@shop/event-core';
import type { Change, ChangeFeed, ChangeListener } from '../src/subscriptions/change-feed.ts';
import { createSubscriptionEngine } from '../src/subscriptions/engine.ts';
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
  return { feed, dispatch: (change: Change) => listeners.forEach((listener) => listener(change)) };
}

const purchase = (offset: number): Change => ({
  entity: 'purchase',
  kind: 'CREATED',
  entityId: `purchase-${offset}`,
  topic: PURCHASES,
  partition: 0,
  offset,
  position: positionAfter(PURCHASES, 0, offset),
  occurredAt: '2026-01-05T10:00:00.000Z',
  productId: 'p1',
  customerId: 'c1',
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
});
