import { readFileSync } from 'node:fs';
import { buildSchema, parse, print, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { encodePosition, positionAfter, positionToken } from '@shop/event-core';
import type { Change } from '../src/subscriptions/change-feed.ts';
import { planSubscription } from '../src/subscriptions/plan.ts';

// The subscription plan rewrites a client's subscription into the query that hydrates one change:
// what it moves, keeps and drops decides what every subscriber receives.

const schema = buildSchema(readFileSync(new URL('../../schema/api-contract.graphql', import.meta.url), 'utf8'));
const PURCHASES = 'shop.eventbus.purchases';
const PRODUCTS = 'shop.eventbus.products';

/** A purchase of `productId` by `customerId`, as the feed describes it. */
const refs = (productId: string, customerId: string): Change['refs'] => ({
  productId: { type: 'Product', id: productId },
  customerId: { type: 'Customer', id: customerId },
});

const change = (overrides: Partial<Change> = {}): Change => ({
  entity: 'purchase',
  type: 'Purchase',
  kind: 'CREATED',
  entityId: 'u1',
  topic: PURCHASES,
  partition: 0,
  offset: 7,
  position: positionAfter(PURCHASES, 0, 7),
  occurredAt: '2026-01-05T10:00:00.000Z',
  refs: refs('p1', 'c1'),
  ...overrides,
});

const plan = (query: string, variables: Record<string, unknown> = {}, operationName?: string) =>
  planSubscription(schema, parse(query), operationName, variables);

describe('planSubscription', () => {
  it('moves the entity selection under the query that hydrates it, aliases, fragments and used variables kept', () => {
    const planned = plan(
      `subscription Made($withCustomer: Boolean!, $unused: ID) {
        made: purchaseMade {
          kind
          at: position
          item: purchase { id ...Amount customer @include(if: $withCustomer) { firstName } }
        }
      }
      fragment Amount on Purchase { total }`,
      { withCustomer: true, unused: 'x' },
      'Made',
    );
    expect(planned.entity).toBe('purchase');
    expect(planned.responseKey).toBe('made');
    expect(planned.queryText).toBe(
      print(
        parse(`query SubscriptionPayload($__entityId: ID!, $withCustomer: Boolean!) {
          item: purchase(id: $__entityId) { id ...Amount customer @include(if: $withCustomer) { firstName } }
        }
        fragment Amount on Purchase { total }`),
      ),
    );
    // Only what the moved selection uses: a variable or fragment it does not use would fail validation.
    expect(planned.variables).toEqual({ withCustomer: true });
    expect(validate(schema, planned.query!)).toEqual([]);
  });

  it('asks for deleted products and customers too: a DELETED change still hydrates its entity', () => {
    const planned = plan('subscription { productChanged { kind product { id deletedAt } } }');
    expect(planned.queryText).toContain('product(id: $__entityId, includeDeleted: true)');
    expect(plan('subscription { purchaseMade { purchase { id } } }').queryText).not.toContain('includeDeleted');
  });

  it('needs no hydration when the selection asks for nothing of the entity', () => {
    const planned = plan('subscription { purchaseMade { kind position occurredAt __typename } }');
    expect(planned.query).toBeUndefined();
    const payload = planned.payload(change(), undefined);
    expect(payload).toEqual({
      purchaseMade: {
        kind: 'CREATED',
        position: positionToken(change().position),
        occurredAt: '2026-01-05T10:00:00.000Z',
        __typename: 'PurchaseChange',
      },
    });
  });

  it('builds the payload from the hydration under the client’s own names, skipping what @skip leaves out', () => {
    const planned = plan(
      `subscription ($hide: Boolean!) { m: purchaseMade { k: kind occurredAt @skip(if: $hide) p: purchase { total } } }`,
      { hide: true },
    );
    expect(planned.payload(change(), { p: { total: '1.50' } })).toEqual({ m: { k: 'CREATED', p: { total: '1.50' } } });
    // An entity the hydration could not find is null, not an error of the whole payload.
    expect(planned.payload(change(), null)).toEqual({ m: { k: 'CREATED', p: null } });
  });

  it('matches only the changes its filters and its `after` let through', () => {
    const byProduct = plan('subscription { purchaseMade(productId: "p1", customerId: "c1") { kind } }');
    expect(byProduct.matches(change())).toBe(true);
    expect(byProduct.matches(change({ refs: refs('p2', 'c1') }))).toBe(false);
    expect(byProduct.matches(change({ refs: refs('p1', 'c2') }))).toBe(false);
    expect(byProduct.matches(change({ entity: 'product', type: 'Product', topic: PRODUCTS }))).toBe(false);

    const one = plan('subscription ($id: ID) { productChanged(id: $id) { kind } }', { id: 'p1' });
    expect(one.matches(change({ entity: 'product', type: 'Product', entityId: 'p1', topic: PRODUCTS }))).toBe(true);
    expect(one.matches(change({ entity: 'product', type: 'Product', entityId: 'p2', topic: PRODUCTS }))).toBe(false);

    const after = encodePosition(positionAfter(PURCHASES, 0, 7));
    const resumed = plan(`subscription { purchaseMade(after: "${after}") { kind } }`);
    expect(resumed.after).toEqual(positionAfter(PURCHASES, 0, 7));
    expect(resumed.matches(change({ offset: 7 }))).toBe(false);
    expect(resumed.matches(change({ offset: 8 }))).toBe(true);
    // A partition the position does not name: everything in it is after it.
    expect(resumed.matches(change({ partition: 1, offset: 0 }))).toBe(true);
  });

  it('gives equal keys to equal selections and different keys to different ones', () => {
    const a = plan('subscription A { purchaseMade { purchase { total } } }', {}, 'A');
    const b = plan('subscription A { purchaseMade { purchase { total } } }', {}, 'A');
    const c = plan('subscription { purchaseMade { purchase { id } } }');
    expect(a.hydrationKey).toBe(b.hydrationKey);
    expect(a.payloadKey).toBe(b.payloadKey);
    expect(a.hydrationKey).not.toBe(c.hydrationKey);
    // The same hydration, another operation: one hydration, two payloads.
    const named = plan('subscription B { purchaseMade { kind purchase { total } } }', {}, 'B');
    expect(named.hydrationKey).toBe(a.hydrationKey);
    expect(named.payloadKey).not.toBe(a.payloadKey);
  });

  it('refuses what is not one of its subscriptions, and an `after` that is not a position, as BAD_USER_INPUT', () => {
    const refused = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return (error as { extensions?: { code?: string } }).extensions?.code;
      }
      return 'accepted';
    };
    expect(refused(() => plan('query { products { totalCount } }'))).toBe('BAD_USER_INPUT');
    expect(refused(() => plan('subscription { purchaseMade(after: "not a position") { kind } }'))).toBe('BAD_USER_INPUT');
    expect(refused(() => plan('subscription A { purchaseMade { kind } }', {}, 'B'))).toBe('BAD_USER_INPUT');
  });

  it('gives subscribers of one operation the same payload and live keys whatever their after, and others other keys', () => {
    const operation = `subscription Made($after: String, $product: ID, $withTotal: Boolean!) {
      purchaseMade(after: $after, productId: $product) { position purchase { id total @include(if: $withTotal) } }
    }`;
    const at = (offset: number) => encodePosition(positionAfter(PURCHASES, 0, offset));
    const a = plan(operation, { after: at(3), product: 'p1', withTotal: true });
    const b = plan(operation, { after: at(9), product: 'p1', withTotal: true });
    const fresh = plan(operation, { product: 'p1', withTotal: true });
    for (const other of [b, fresh]) {
      expect(other.payloadKey).toBe(a.payloadKey);
      expect(other.liveKey).toBe(a.liveKey);
    }
    // Another filter: the same payloads, other changes.
    const otherProduct = plan(operation, { after: at(3), product: 'p2', withTotal: true });
    expect(otherProduct.payloadKey).toBe(a.payloadKey);
    expect(otherProduct.liveKey).not.toBe(a.liveKey);
    // A variable the selection uses: other payloads.
    expect(plan(operation, { after: at(3), product: 'p1', withTotal: false }).payloadKey).not.toBe(a.payloadKey);
    // Each still keeps its own after.
    expect(a.matches(change({ offset: 5 }))).toBe(true);
    expect(b.matches(change({ offset: 5 }))).toBe(false);
    expect(b.wants(change({ offset: 5 }))).toBe(true);
  });
});
