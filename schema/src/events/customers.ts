import { z } from 'zod';
import { defineEventVersions, type Decoded, type EventEnvelope, type LegacyRecord, type LogRecord } from '@shop/event-core';
import { entityId, isoDate } from './common.ts';
import { wholeStateEvents, type Known } from './whole-state.ts';

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

const customerEvents = wholeStateEvents<CustomerData, CustomerEvent['type'], CustomerEvent>({
  entity: 'customer',
  topicName: 'customers',
  types: { created: 'CustomerCreated', updated: 'CustomerUpdated', deleted: 'CustomerDeleted' },
  dataSchema: customerDataSchema,
  versions: CUSTOMER_EVENT_VERSIONS,
  legacyFields: ({ firstName, lastName }) => ({ firstName, lastName }),
});

/** Narrows a decoded envelope of any schema version to a current customer event with valid data; {@link DecodeError} otherwise. */
export const parseCustomerEvent: (written: EventEnvelope) => CustomerEvent = customerEvents.parse;

/** Upcasts a record of the original system (`set`/`remove` with `{id,firstName,lastName}`) given the current version of that customer (0 when unknown). */
export const upcastLegacyCustomer: (
  legacy: LegacyRecord,
  record: LogRecord,
  current: CustomerData | undefined,
  currentVersion: number,
) => CustomerEvent = customerEvents.upcastLegacy;

/** What a reader knows of a customer already: needed to upcast the original's records, which have no version. */
export type KnownCustomer = Known<CustomerData>;

/** A current customer event from any decoded record on the customers topic; {@link DecodeError} if it is none. */
export const toCustomerEvent: (
  decoded: Decoded,
  record: LogRecord,
  known: (id: string) => KnownCustomer | undefined,
) => CustomerEvent = customerEvents.toEvent;
