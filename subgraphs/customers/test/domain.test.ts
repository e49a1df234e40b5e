import { describe, expect, it } from 'vitest';
import { at, deciderSpec, refusal } from '@shop/event-core/testing';
import { decodeRecord, encodeEvent, type EventEnvelope, type LogRecord } from '@shop/event-core';
import { TOPICS, type CustomerEvent } from '@shop/schema';
import { customerDecider, decide, NAME_MAX_LENGTH, type CustomerCommand } from '../src/domain.ts';
import { CustomersReadModel } from '../src/read-model.ts';

const T0 = '2026-01-01T10:00:00.000Z';
const T1 = '2026-01-02T10:00:00.000Z';
const T2 = '2026-01-03T10:00:00.000Z';

/** The state after the given events, folded with the aggregate's own evolve. */
const { state: given } = deciderSpec(customerDecider);

const create = (firstName = 'Danny', lastName = 'Tester', id = 'c1'): CustomerCommand => ({
  type: 'CreateCustomer',
  id,
  firstName,
  lastName,
});
const created = (firstName = 'Danny', lastName = 'Tester', id = 'c1'): CustomerEvent =>
  decide(undefined, create(firstName, lastName, id), at(T0));
const deleted = (): CustomerEvent[] => {
  const first = created();
  return [first, decide(given(first), { type: 'DeleteCustomer', id: 'c1' }, at(T1))];
};

describe('CreateCustomer', () => {
  it('records CustomerCreated at version 1 with the whole customer, in the current schema version', () => {
    const context = at(T0, { idempotencyKey: 'k-1' });
    expect(decide(undefined, create(' Danny ', 'Tester'), context)).toEqual({
      id: context.eventId,
      type: 'CustomerCreated',
      entityId: 'c1',
      version: 1,
      occurredAt: T0,
      data: { id: 'c1', firstName: 'Danny', lastName: 'Tester', createdAt: T0, updatedAt: T0, deletedAt: null },
      meta: { idempotencyKey: 'k-1' },
      schemaVersion: 1,
    });
  });

  it('does not put the version into the event data', () => {
    expect(created().data).not.toHaveProperty('version');
  });

  it(`accepts names of ${NAME_MAX_LENGTH} characters`, () => {
    const name = 'x'.repeat(NAME_MAX_LENGTH);
    expect(decide(undefined, create(name, name), at(T0)).data).toMatchObject({ firstName: name, lastName: name });
  });

  it.each([
    ['an empty firstName', { firstName: '' }, 'firstName'],
    ['a whitespace-only firstName', { firstName: '  ' }, 'firstName'],
    ['a too-long firstName', { firstName: 'x'.repeat(NAME_MAX_LENGTH + 1) }, 'firstName'],
    ['an empty lastName', { lastName: '' }, 'lastName'],
    ['a whitespace-only lastName', { lastName: '\t' }, 'lastName'],
    ['a too-long lastName', { lastName: 'y'.repeat(NAME_MAX_LENGTH + 1) }, 'lastName'],
    ['a firstName that is not a string', { firstName: 7 as unknown as string }, 'firstName'],
  ])('rejects %s with BAD_USER_INPUT on that field', (_label, change, field) => {
    const error = refusal(() =>
      decide(undefined, { ...(create() as Extract<CustomerCommand, { type: 'CreateCustomer' }>), ...change }, at(T0)),
    );
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.details).toEqual({ field });
  });

  it('rejects creating a customer that exists with CONFLICT', () => {
    expect(refusal(() => decide(given(created()), create(), at(T1))).code).toBe('CONFLICT');
  });
});

describe('UpdateCustomer', () => {
  it('records CustomerUpdated at the next version, keeping the name not given', () => {
    const event = decide(given(created('Danny', 'Tester')), { type: 'UpdateCustomer', id: 'c1', firstName: 'Ted' }, at(T1));
    expect(event).toMatchObject({ type: 'CustomerUpdated', version: 2, occurredAt: T1 });
    expect(event.data).toEqual({ id: 'c1', firstName: 'Ted', lastName: 'Tester', createdAt: T0, updatedAt: T1, deletedAt: null });
  });

  it('changes the last name alone', () => {
    const event = decide(
      given(created('Danny', 'Tester')),
      { type: 'UpdateCustomer', id: 'c1', firstName: null, lastName: 'Smith' },
      at(T1),
    );
    expect(event.data).toMatchObject({ firstName: 'Danny', lastName: 'Smith' });
  });

  it('rejects a stale expectedVersion with CONFLICT', () => {
    const v1 = created();
    const v2 = decide(given(v1), { type: 'UpdateCustomer', id: 'c1', firstName: 'Ted' }, at(T1));
    const error = refusal(() =>
      decide(given(v1, v2), { type: 'UpdateCustomer', id: 'c1', lastName: 'X', expectedVersion: 1 }, at(T2)),
    );
    expect(error.code).toBe('CONFLICT');
    expect(error.details).toMatchObject({ expectedVersion: 1, currentVersion: 2 });
  });

  it('accepts the current expectedVersion', () => {
    expect(
      decide(given(created()), { type: 'UpdateCustomer', id: 'c1', lastName: 'X', expectedVersion: 1 }, at(T1)).version,
    ).toBe(2);
  });

  it('rejects an update of an unknown customer with NOT_FOUND', () => {
    expect(refusal(() => decide(undefined, { type: 'UpdateCustomer', id: 'c1', firstName: 'X' }, at(T1))).code).toBe('NOT_FOUND');
  });

  it('rejects an update of a deleted customer with NOT_FOUND', () => {
    expect(refusal(() => decide(given(...deleted()), { type: 'UpdateCustomer', id: 'c1', firstName: 'X' }, at(T2))).code).toBe(
      'NOT_FOUND',
    );
  });

  it('rejects an empty lastName with BAD_USER_INPUT on field lastName', () => {
    expect(refusal(() => decide(given(created()), { type: 'UpdateCustomer', id: 'c1', lastName: ' ' }, at(T1))).details).toEqual({
      field: 'lastName',
    });
  });
});

describe('DeleteCustomer', () => {
  it('records CustomerDeleted at the next version with deletedAt set', () => {
    const event = decide(given(created()), { type: 'DeleteCustomer', id: 'c1' }, at(T1));
    expect(event).toMatchObject({ type: 'CustomerDeleted', version: 2 });
    expect(event.data).toEqual({ id: 'c1', firstName: 'Danny', lastName: 'Tester', createdAt: T0, updatedAt: T1, deletedAt: T1 });
  });

  it('rejects a delete of an unknown or deleted customer with NOT_FOUND', () => {
    expect(refusal(() => decide(undefined, { type: 'DeleteCustomer', id: 'c1' }, at(T1))).code).toBe('NOT_FOUND');
    expect(refusal(() => decide(given(...deleted()), { type: 'DeleteCustomer', id: 'c1' }, at(T2))).code).toBe('NOT_FOUND');
  });

  it('rejects a stale expectedVersion with CONFLICT', () => {
    expect(refusal(() => decide(given(created()), { type: 'DeleteCustomer', id: 'c1', expectedVersion: 3 }, at(T1))).code).toBe(
      'CONFLICT',
    );
  });
});

describe('evolve', () => {
  it('gives the whole customer with the event version', () => {
    const [v1, v2] = deleted();
    expect(given(v1!)).toEqual({
      id: 'c1',
      firstName: 'Danny',
      lastName: 'Tester',
      version: 1,
      createdAt: T0,
      updatedAt: T0,
      deletedAt: null,
    });
    expect(given(v1!, v2!)).toMatchObject({ version: 2, deletedAt: T1 });
  });
});

// ---------------------------------------------------------------------------------------------

let offset = 0;
function feed(
  model: CustomersReadModel,
  event: EventEnvelope | object,
  key: string | null = (event as EventEnvelope).entityId ?? null,
) {
  const value =
    'type' in event ? Buffer.from(encodeEvent(event as EventEnvelope).value) : Buffer.from(JSON.stringify(event), 'utf8');
  const record: LogRecord = {
    topic: TOPICS.customers,
    partition: 0,
    offset: offset++,
    key,
    value,
    headers: {},
    timestampMs: Date.parse(T2),
  };
  return model.apply(TOPICS.customers, decodeRecord(record), record);
}

describe('CustomersReadModel', () => {
  it('applies create, update and delete in order', () => {
    const model = new CustomersReadModel();
    const v1 = created();
    const v2 = decide(given(v1), { type: 'UpdateCustomer', id: 'c1', firstName: 'Ted' }, at(T1));
    const v3 = decide(given(v1, v2), { type: 'DeleteCustomer', id: 'c1' }, at(T2));
    expect(feed(model, v1)).toEqual({ ok: true, entityId: 'c1' });
    expect(feed(model, v2)).toEqual({ ok: true, entityId: 'c1' });
    expect(model.customers.getLive('c1')).toMatchObject({ firstName: 'Ted', version: 2 });
    expect(feed(model, v3).ok).toBe(true);
    expect(model.customers.getLive('c1')).toBeUndefined();
    expect(model.customers.get('c1')).toMatchObject({ version: 3, deletedAt: T2 });
  });

  it('rejects an update decided on a version that lost the race', () => {
    const model = new CustomersReadModel();
    const v1 = created();
    feed(model, v1);
    feed(model, decide(given(v1), { type: 'UpdateCustomer', id: 'c1', firstName: 'Winner' }, at(T1)));
    const outcome = feed(model, decide(given(v1), { type: 'UpdateCustomer', id: 'c1', firstName: 'Loser' }, at(T1)));
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error.code).toBe('CONFLICT');
    expect(model.customers.get('c1')?.firstName).toBe('Winner');
  });

  it('answers a repeated idempotency key with the first customer', () => {
    const model = new CustomersReadModel();
    feed(model, decide(undefined, create('A', 'B', 'c1'), at(T0, { idempotencyKey: 'k' })));
    expect(feed(model, decide(undefined, create('A', 'B', 'c2'), at(T0, { idempotencyKey: 'k' })))).toEqual({
      ok: true,
      entityId: 'c1',
      duplicate: true,
    });
    expect(model.customers.get('c2')).toBeUndefined();
  });

  it("reads the original system's records", () => {
    const model = new CustomersReadModel();
    expect(feed(model, { eventType: 'set', payload: { id: 'c1', firstName: 'Danny', lastName: 'Tester' } }, 'c1').ok).toBe(true);
    expect(feed(model, { eventType: 'remove', payload: { id: 'c1' } }, 'c1').ok).toBe(true);
    expect(model.customers.get('c1')).toMatchObject({ firstName: 'Danny', version: 2 });
    expect(model.customers.getLive('c1')).toBeUndefined();
  });

  it('refuses an event with invalid data', () => {
    const model = new CustomersReadModel();
    expect(() => feed(model, { ...created(), data: { ...created().data, firstName: '' } })).toThrow(
      /invalid CustomerCreated data/,
    );
    expect(model.customers.get('c1')).toBeUndefined();
  });
});
