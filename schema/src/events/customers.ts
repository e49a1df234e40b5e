import { z } from 'zod';
import {
  DecodeError,
  defineEventVersions,
  type Decoded,
  type EventEnvelope,
  type LegacyRecord,
  type LogRecord,
} from '@shop/event-core';
import { entityId, isoDate, legacyEntityId, legacyEventId, legacyTime, parseData } from './common.ts';

/** A customer as carried by every customer event: the whole entity after the change. */
export const customerDataSchema = z.object({
  id: entityId,
  firstName: z.string().min(1).max(100),
  lastName: z.string().min(1).max(100),
  createdAt: isoDate,
  updatedAt: isoDate,
  deletedAt: isoDate.nullable(),
});
export type CustomerData = z.infer<typeof customerDataSchema>;

export type CustomerCreated = EventEnvelope<'CustomerCreated', CustomerData>;
export type CustomerUpdated = EventEnvelope<'CustomerUpdated', CustomerData>;
export type CustomerDeleted = EventEnvelope<'CustomerDeleted', CustomerData>;
export type CustomerEvent = CustomerCreated | CustomerUpdated | CustomerDeleted;

export const CUSTOMER_EVENT_TYPES = ['CustomerCreated', 'CustomerUpdated', 'CustomerDeleted'] as const;

/**
 * Schema versions of the customers topic's event types (see docs/history.md, "Adding an event
 * version"). Version 0 is the original system's `set`/`remove` record, upcast with the reader's
 * state by {@link upcastLegacyCustomer}; envelopes start at 1.
 */
export const CUSTOMER_EVENT_VERSIONS = defineEventVersions<CustomerEvent['type']>({
  current: { CustomerCreated: 1, CustomerUpdated: 1, CustomerDeleted: 1 },
});

/** Narrows a decoded envelope of any schema version to a current customer event with valid data; {@link DecodeError} otherwise. */
export function parseCustomerEvent(written: EventEnvelope): CustomerEvent {
  const event = CUSTOMER_EVENT_VERSIONS.upcast(written);
  if (!(CUSTOMER_EVENT_TYPES as readonly string[]).includes(event.type)) {
    throw new DecodeError(`unknown event type "${event.type}" on the customers topic`);
  }
  return { ...event, data: parseData(customerDataSchema, event) } as CustomerEvent;
}

/**
 * Upcasts a record of the original system (`set`/`remove` with `{id,firstName,lastName}`) given the
 * current version of that customer (0 when unknown).
 */
export function upcastLegacyCustomer(
  legacy: LegacyRecord,
  record: LogRecord,
  current: CustomerData | undefined,
  currentVersion: number,
): CustomerEvent {
  const id = legacyEntityId(legacy, record);
  const at = legacyTime(record);
  const base = {
    id: legacyEventId(record),
    entityId: id,
    version: currentVersion + 1,
    occurredAt: at,
    meta: { actor: 'legacy' },
  };
  if (legacy.eventType === 'remove') {
    if (!current) throw new DecodeError(`legacy remove of unknown customer "${id}"`);
    return { ...base, type: 'CustomerDeleted', data: { ...current, updatedAt: at, deletedAt: at } };
  }
  const { firstName, lastName } = legacy.payload;
  const data = customerDataSchema.safeParse({
    id,
    firstName,
    lastName,
    createdAt: current?.createdAt ?? at,
    updatedAt: at,
    deletedAt: null,
  });
  if (!data.success) throw new DecodeError(`invalid legacy customer: ${z.prettifyError(data.error)}`);
  // The original's `set` was an upsert, so a `set` after a `remove` brings the customer back.
  return current
    ? { ...base, type: 'CustomerUpdated', data: data.data }
    : { ...base, type: 'CustomerCreated', version: 1, data: data.data };
}

/** What a reader knows of a customer already: needed to upcast the original's records, which have no version. */
export interface KnownCustomer {
  readonly data: CustomerData;
  readonly version: number;
}

/** A current customer event from any decoded record on the customers topic; {@link DecodeError} if it is none. */
export function toCustomerEvent(
  decoded: Decoded,
  record: LogRecord,
  known: (id: string) => KnownCustomer | undefined,
): CustomerEvent {
  if (decoded.format === 'envelope') return parseCustomerEvent(decoded.event);
  const id = decoded.legacy.payload.id;
  if (typeof id !== 'string') throw new DecodeError('legacy customer record without an id');
  const current = known(id);
  return upcastLegacyCustomer(decoded.legacy, record, current?.data, current?.version ?? 0);
}
