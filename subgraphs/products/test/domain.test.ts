import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { at, deciderSpec, refusal } from '@shop/event-core/testing';
import { decodeRecord, encodeEvent, MAX_CENTS, type EventEnvelope, type LogRecord } from '@shop/event-core';
import { TOPICS, type ProductEvent } from '@shop/schema';
import { productDecider, decide, NAME_MAX_LENGTH, type ProductCommand } from '../src/domain.ts';
import { ProductsReadModel } from '../src/read-model.ts';

const T0 = '2026-01-01T10:00:00.000Z';
const T1 = '2026-01-02T10:00:00.000Z';
const T2 = '2026-01-03T10:00:00.000Z';

/** The state after the given events, folded with the aggregate's own evolve. */
const product = deciderSpec(productDecider);
const given = product.state;

const create = (name = 'Butter', priceCents = 150, id = 'p1'): ProductCommand => ({
  type: 'CreateProduct',
  id,
  name,
  priceCents,
});
const created = (name = 'Butter', priceCents = 150, id = 'p1'): ProductEvent =>
  decide(undefined, create(name, priceCents, id), at(T0));
const deleted = (): ProductEvent[] => {
  const first = created();
  return [first, decide(given(first), { type: 'DeleteProduct', id: 'p1' }, at(T1))];
};

describe('CreateProduct', () => {
  it('records ProductCreated at version 1 with the whole product, in the current schema version', () => {
    const context = at(T0, { correlationId: 'corr-1', idempotencyKey: 'k-1' });
    const event = decide(undefined, create('Butter', 150), context);
    expect(event).toEqual({
      id: context.eventId,
      type: 'ProductCreated',
      entityId: 'p1',
      version: 1,
      occurredAt: T0,
      data: { id: 'p1', name: 'Butter', price: '1.50', createdAt: T0, updatedAt: T0, deletedAt: null },
      meta: { correlationId: 'corr-1', idempotencyKey: 'k-1' },
      schemaVersion: 1,
    });
  });

  it('trims the name', () => {
    expect(decide(undefined, create('  Butter \n'), at(T0)).data.name).toBe('Butter');
  });

  it('accepts a price of zero and a price of exactly MAX_CENTS', () => {
    expect(decide(undefined, create('Free', 0), at(T0)).data.price).toBe('0.00');
    expect(decide(undefined, create('Dear', MAX_CENTS), at(T0)).data.price).toBe('1000000000.00');
  });

  it(`accepts a name of ${NAME_MAX_LENGTH} characters`, () => {
    expect(decide(undefined, create('x'.repeat(NAME_MAX_LENGTH)), at(T0)).data.name).toHaveLength(NAME_MAX_LENGTH);
  });

  it.each([
    ['an empty name', ''],
    ['a whitespace-only name', ' \t\n '],
    ['a name one character too long', 'x'.repeat(NAME_MAX_LENGTH + 1)],
  ])('rejects %s with BAD_USER_INPUT on field name', (_label, name) => {
    const error = refusal(() => decide(undefined, create(name), at(T0)));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.details).toEqual({ field: 'name' });
  });

  it('rejects a name that is not a string', () => {
    const error = refusal(() =>
      decide(undefined, { type: 'CreateProduct', id: 'p1', name: 42 as unknown as string, priceCents: 1 }, at(T0)),
    );
    expect(error.details).toEqual({ field: 'name' });
  });

  it.each([
    ['a price below zero', -1],
    ['a fractional cent', 150.5],
    ['a price above MAX_CENTS', MAX_CENTS + 1],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('rejects %s with BAD_USER_INPUT on field price', (_label, priceCents) => {
    const error = refusal(() => decide(undefined, create('Butter', priceCents), at(T0)));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.details).toEqual({ field: 'price' });
  });

  it('rejects creating a product that exists with CONFLICT', () => {
    const error = refusal(() => decide(given(created()), create('Again'), at(T1)));
    expect(error.code).toBe('CONFLICT');
    expect(error.details).toMatchObject({ id: 'p1' });
  });

  it('rejects creating a product over a deleted one with the same id', () => {
    expect(refusal(() => decide(given(...deleted()), create('Again'), at(T2))).code).toBe('CONFLICT');
  });

  it('keeps any valid name and price exactly through decide and evolve', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: NAME_MAX_LENGTH }).filter((name) => name.trim().length > 0),
        fc.integer({ min: 0, max: MAX_CENTS }),
        (name, priceCents) => {
          const product = given(decide(undefined, create(name, priceCents), at(T0)));
          expect(product).toMatchObject({ name: name.trim(), priceCents, version: 1 });
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('UpdateProduct', () => {
  it('records ProductUpdated at the next version with the whole product', () => {
    const event = decide(given(created()), { type: 'UpdateProduct', id: 'p1', name: 'Salted butter', priceCents: 199 }, at(T1));
    expect(event).toMatchObject({ type: 'ProductUpdated', entityId: 'p1', version: 2, occurredAt: T1 });
    expect(event.data).toEqual({ id: 'p1', name: 'Salted butter', price: '1.99', createdAt: T0, updatedAt: T1, deletedAt: null });
  });

  it('keeps the price when only the name changes, and the name when only the price changes', () => {
    const v1 = created('Butter', 150);
    const v2 = decide(given(v1), { type: 'UpdateProduct', id: 'p1', name: 'Ghee' }, at(T1));
    expect(v2.data).toMatchObject({ name: 'Ghee', price: '1.50' });
    const v3 = decide(given(v1, v2), { type: 'UpdateProduct', id: 'p1', name: null, priceCents: 99 }, at(T2));
    expect(v3).toMatchObject({ version: 3, data: { name: 'Ghee', price: '0.99', createdAt: T0, updatedAt: T2 } });
  });

  it('accepts the current expectedVersion', () => {
    const v1 = created();
    const v2 = decide(given(v1), { type: 'UpdateProduct', id: 'p1', name: 'B2' }, at(T1));
    const v3 = product.given(v1, v2).when({ type: 'UpdateProduct', id: 'p1', name: 'B3', expectedVersion: 2 }, at(T2)).then();
    expect(v3.version).toBe(3);
  });

  it('rejects a stale expectedVersion with CONFLICT naming both versions', () => {
    const v1 = created();
    const v2 = decide(given(v1), { type: 'UpdateProduct', id: 'p1', name: 'B2' }, at(T1));
    const error = product
      .given(v1, v2)
      .when({ type: 'UpdateProduct', id: 'p1', name: 'B3', expectedVersion: 1 }, at(T2))
      .refused();
    expect(error.code).toBe('CONFLICT');
    expect(error.details).toMatchObject({ expectedVersion: 1, currentVersion: 2 });
  });

  it('rejects an update of an unknown product with NOT_FOUND', () => {
    const error = refusal(() => decide(undefined, { type: 'UpdateProduct', id: 'nope', name: 'X' }, at(T1)));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.details).toEqual({ id: 'nope' });
  });

  it('rejects an update of a deleted product with NOT_FOUND', () => {
    expect(refusal(() => decide(given(...deleted()), { type: 'UpdateProduct', id: 'p1', name: 'X' }, at(T2))).code).toBe(
      'NOT_FOUND',
    );
  });

  it.each([
    ['an empty name', { name: '' }, 'name'],
    ['a whitespace-only name', { name: '   ' }, 'name'],
    ['a too-long name', { name: 'x'.repeat(NAME_MAX_LENGTH + 1) }, 'name'],
    ['a negative price', { priceCents: -5 }, 'price'],
    ['a fractional cent', { priceCents: 0.5 }, 'price'],
    ['a price above MAX_CENTS', { priceCents: MAX_CENTS + 1 }, 'price'],
  ])('rejects %s with BAD_USER_INPUT', (_label, change, field) => {
    const error = refusal(() => decide(given(created()), { type: 'UpdateProduct', id: 'p1', ...change }, at(T1)));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.details).toEqual({ field });
  });
});

describe('DeleteProduct', () => {
  it('records ProductDeleted at the next version with deletedAt set and the rest kept', () => {
    const event = decide(given(created('Butter', 150)), { type: 'DeleteProduct', id: 'p1' }, at(T1));
    expect(event).toMatchObject({ type: 'ProductDeleted', version: 2, occurredAt: T1 });
    expect(event.data).toEqual({ id: 'p1', name: 'Butter', price: '1.50', createdAt: T0, updatedAt: T1, deletedAt: T1 });
  });

  it('rejects a delete of an unknown product with NOT_FOUND', () => {
    expect(refusal(() => decide(undefined, { type: 'DeleteProduct', id: 'p1' }, at(T1))).code).toBe('NOT_FOUND');
  });

  it('rejects a second delete with NOT_FOUND', () => {
    expect(refusal(() => decide(given(...deleted()), { type: 'DeleteProduct', id: 'p1' }, at(T2))).code).toBe('NOT_FOUND');
  });

  it('rejects a stale expectedVersion with CONFLICT', () => {
    const v1 = created();
    const v2 = decide(given(v1), { type: 'UpdateProduct', id: 'p1', priceCents: 1 }, at(T1));
    expect(refusal(() => decide(given(v1, v2), { type: 'DeleteProduct', id: 'p1', expectedVersion: 1 }, at(T2))).code).toBe(
      'CONFLICT',
    );
  });
});

describe('evolve', () => {
  it('gives the whole product with price in cents and the event version', () => {
    const v1 = created('Butter', 150);
    const v2 = decide(given(v1), { type: 'UpdateProduct', id: 'p1', priceCents: 275 }, at(T1));
    const v3 = decide(given(v1, v2), { type: 'DeleteProduct', id: 'p1' }, at(T2));
    expect(given(v1)).toEqual({
      id: 'p1',
      name: 'Butter',
      priceCents: 150,
      version: 1,
      createdAt: T0,
      updatedAt: T0,
      deletedAt: null,
    });
    expect(given(v1, v2)).toMatchObject({ priceCents: 275, version: 2, updatedAt: T1 });
    expect(given(v1, v2, v3)).toMatchObject({ priceCents: 275, version: 3, deletedAt: T2 });
  });
});

// ---------------------------------------------------------------------------------------------

let offset = 0;
function recordOf(event: EventEnvelope | object, key: string | null = (event as EventEnvelope).entityId ?? null): LogRecord {
  const value =
    'type' in event ? Buffer.from(encodeEvent(event as EventEnvelope).value) : Buffer.from(JSON.stringify(event), 'utf8');
  return { topic: TOPICS.products, partition: 0, offset: offset++, key, value, headers: {}, timestampMs: Date.parse(T2) };
}

function feed(model: ProductsReadModel, event: EventEnvelope | object, key?: string | null) {
  const record = key === undefined ? recordOf(event) : recordOf(event, key);
  return model.apply(TOPICS.products, decodeRecord(record), record);
}

describe('ProductsReadModel', () => {
  it('applies create, update and delete in order', () => {
    const model = new ProductsReadModel();
    const v1 = created('Butter', 150);
    const v2 = decide(given(v1), { type: 'UpdateProduct', id: 'p1', priceCents: 200 }, at(T1));
    expect(feed(model, v1)).toEqual({ ok: true, entityId: 'p1' });
    expect(model.products.getLive('p1')).toMatchObject({ priceCents: 150, version: 1 });
    expect(feed(model, v2)).toEqual({ ok: true, entityId: 'p1' });
    expect(model.products.getLive('p1')).toMatchObject({ priceCents: 200, version: 2 });
    const v3 = decide(given(v1, v2), { type: 'DeleteProduct', id: 'p1' }, at(T2));
    expect(feed(model, v3).ok).toBe(true);
    expect(model.products.getLive('p1')).toBeUndefined();
    expect(model.products.get('p1')).toMatchObject({ deletedAt: T2, version: 3 });
    expect(model.products.page({}).totalCount).toBe(0);
  });

  it('rejects the second of two updates decided on the same version (a lost race) and keeps the winner', () => {
    const model = new ProductsReadModel();
    const v1 = created('Butter', 150);
    feed(model, v1);
    const winner = decide(given(v1), { type: 'UpdateProduct', id: 'p1', priceCents: 200 }, at(T1));
    const loser = decide(given(v1), { type: 'UpdateProduct', id: 'p1', priceCents: 999 }, at(T1));
    expect(feed(model, winner).ok).toBe(true);
    const outcome = feed(model, loser);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error.code).toBe('CONFLICT');
    expect(model.products.get('p1')).toMatchObject({ priceCents: 200, version: 2 });
  });

  it('answers a repeated idempotency key with the first product and creates nothing', () => {
    const model = new ProductsReadModel();
    const first = decide(undefined, create('Butter', 150, 'p1'), at(T0, { idempotencyKey: 'k' }));
    const retry = decide(undefined, create('Butter', 150, 'p2'), at(T0, { idempotencyKey: 'k' }));
    feed(model, first);
    expect(feed(model, retry)).toEqual({ ok: true, entityId: 'p1', duplicate: true });
    expect(model.products.get('p2')).toBeUndefined();
    expect(model.entityForKey('k')).toBe('p1');
  });

  it('refuses an event whose data is invalid, leaving the model unchanged', () => {
    const model = new ProductsReadModel();
    const bad = { ...created(), data: { ...created().data, price: '-1.00' } };
    expect(() => feed(model, bad)).toThrow(/invalid ProductCreated data/);
    expect(model.products.get('p1')).toBeUndefined();
  });

  it('refuses a product event whose price is above MAX_CENTS, leaving the model unchanged', () => {
    const model = new ProductsReadModel();
    const tooDear = { ...created(), data: { ...created().data, price: '1000000000.01' } };
    expect(() => feed(model, tooDear)).toThrow();
    expect(model.products.get('p1')).toBeUndefined();
  });

  it("reads the original system's set and remove records", () => {
    const model = new ProductsReadModel();
    expect(feed(model, { eventType: 'set', payload: { id: 'p1', name: 'Butter', price: 1.5 } }, 'p1').ok).toBe(true);
    expect(model.products.get('p1')).toMatchObject({ priceCents: 150, version: 1 });
    expect(feed(model, { eventType: 'set', payload: { id: 'p1', name: 'Butter', price: 1.75 } }, 'p1').ok).toBe(true);
    expect(model.products.get('p1')).toMatchObject({ priceCents: 175, version: 2 });
    expect(feed(model, { eventType: 'remove', payload: { id: 'p1', name: 'Butter', price: 1.75 } }, 'p1').ok).toBe(true);
    expect(model.products.get('p1')).toMatchObject({ version: 3, deletedAt: new Date(Date.parse(T2)).toISOString() });
  });

  it('lists live products in creation order', () => {
    const model = new ProductsReadModel();
    for (const id of ['a', 'b', 'c']) feed(model, created(`Product ${id}`, 100, id));
    const b = model.products.get('b')!;
    feed(model, decide(b, { type: 'DeleteProduct', id: 'b' }, at(T1)));
    expect(model.products.page({}).nodes.map((product) => product.id)).toEqual(['a', 'c']);
  });
});
