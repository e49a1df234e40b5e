import { describe, expect, it } from 'vitest';
import { readsOfFetch, readsTouchedBy, recordingReads } from '../src/response-cache-reads.ts';
import type { GatewayContext } from '../src/data-source.ts';
import type { Change } from '../src/subscriptions/change-feed.ts';

const FOLLOWS = ['t.purchases', 't.products', 't.customers'];
const ENTITIES =
  'query Q__purchases__1($representations:[_Any!]!){_entities(representations:$representations){...on Customer{purchaseCount totalSpent}}}';
const customers = (...ids: string[]) => ids.map((id) => ({ __typename: 'Customer', id }));

const change = (fields: Partial<Change>): Change => ({
  entity: 'customer',
  type: 'Customer',
  kind: 'UPDATED',
  entityId: 'c1',
  topic: 't.customers',
  partition: 0,
  offset: 0,
  position: {},
  occurredAt: '2026-01-01T00:00:00.000Z',
  ...fields,
});

describe('what a fetch of the response cache reads', () => {
  it('reads only the entities of a plain _entities fetch', () => {
    expect(readsOfFetch({ query: ENTITIES, variables: { representations: customers('c1', 'c2') } }, FOLLOWS)).toEqual([
      'entity Customer c1',
      'entity Customer c2',
    ]);
  });

  it('reads every topic its subgraph follows for a root fetch', () => {
    expect(readsOfFetch({ query: '{ customers(first: 50) { nodes { id } } }' }, ['t.customers'])).toEqual(['topic t.customers']);
  });

  it('reads every topic for an _entities fetch of a field with a selection or a directive', () => {
    const nested = ENTITIES.replace('purchaseCount totalSpent', 'purchases(first: 5) { nodes { id } }');
    const argument = ENTITIES.replace('purchaseCount', 'purchaseCount @include(if: true)');
    for (const query of [nested, argument]) {
      expect(readsOfFetch({ query, variables: { representations: customers('c1') } }, FOLLOWS)).toEqual(
        FOLLOWS.map((topic) => `topic ${topic}`),
      );
    }
  });

  it('reads every topic when a representation has no string id, or the fetch does not parse', () => {
    expect(readsOfFetch({ query: ENTITIES, variables: { representations: [{ __typename: 'Customer' }] } }, FOLLOWS)).toHaveLength(
      3,
    );
    expect(readsOfFetch({ query: '{ _entities(', variables: {} }, FOLLOWS)).toHaveLength(3);
  });

  it('records the reads of every fetch of a request that may be cached, and none of others', async () => {
    const source = recordingReads({ process: async () => ({ data: {} }) }, ['t.customers']);
    const holder: NonNullable<GatewayContext['cache']> = {};
    const request = { query: ENTITIES, variables: { representations: customers('c9') } };
    const context = { correlationId: 'x', written: {}, cache: holder } as GatewayContext;
    await source.process({ request, context } as unknown as Parameters<typeof source.process>[0]);
    await source.process({ request: { query: '{ customers { totalCount } }' }, context } as unknown as Parameters<
      typeof source.process
    >[0]);
    expect(holder.reads).toEqual(['entity Customer c9', 'topic t.customers']);
  });
});

describe('what a change touches', () => {
  it('touches its topic and its entity', () => {
    expect(readsTouchedBy(change({}))).toEqual(['topic t.customers', 'entity Customer c1']);
  });

  it('touches a purchase, its product and its customer', () => {
    const purchase = change({
      entity: 'purchase',
      type: 'Purchase',
      kind: 'CREATED',
      entityId: 'p1',
      topic: 't.purchases',
      refs: { productId: { type: 'Product', id: 'x' }, customerId: { type: 'Customer', id: 'c2' } },
    });
    expect(readsTouchedBy(purchase)).toEqual([
      'topic t.purchases',
      'entity Purchase p1',
      'entity Product x',
      'entity Customer c2',
    ]);
  });
});
