/**
 * The customer aggregate: pure functions only. Time, ids and metadata come in with the command.
 */
import { badInput, checkExpectedVersion, DomainError, notFound, type CommandContext, type Decider } from '@shop/event-core';
import { CUSTOMER_EVENT_VERSIONS, type CustomerData, type CustomerEvent } from '@shop/schema';

export interface Customer {
  readonly id: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly deletedAt: string | null;
}

export type CustomerCommand =
  | { readonly type: 'CreateCustomer'; readonly id: string; readonly firstName: string; readonly lastName: string }
  | {
      readonly type: 'UpdateCustomer';
      readonly id: string;
      readonly firstName?: string | null;
      readonly lastName?: string | null;
      readonly expectedVersion?: number | null;
    }
  | { readonly type: 'DeleteCustomer'; readonly id: string; readonly expectedVersion?: number | null };

export const NAME_MAX_LENGTH = 100;

function validName(value: unknown, field: 'firstName' | 'lastName'): string {
  if (typeof value !== 'string') throw badInput(`${field} must be a string`, field);
  const trimmed = value.trim();
  if (trimmed.length === 0) throw badInput(`${field} must not be empty`, field);
  if (trimmed.length > NAME_MAX_LENGTH) throw badInput(`${field} must be at most ${NAME_MAX_LENGTH} characters`, field);
  return trimmed;
}

export function toData({ version: _version, ...data }: Customer): CustomerData {
  return data;
}

/** Decides what a command means for the current state; throws a {@link DomainError} to refuse. */
export function decide(
  state: Customer | undefined,
  command: CustomerCommand,
  { eventId, now, meta }: CommandContext,
): CustomerEvent {
  const envelope = { id: eventId, entityId: command.id, occurredAt: now, meta };
  switch (command.type) {
    case 'CreateCustomer': {
      if (state) throw new DomainError('CONFLICT', `customer "${command.id}" already exists`, { id: command.id });
      const customer: Customer = {
        id: command.id,
        firstName: validName(command.firstName, 'firstName'),
        lastName: validName(command.lastName, 'lastName'),
        version: 1,
        createdAt: now,
        updatedAt: now,
        deletedAt: null,
      };
      return CUSTOMER_EVENT_VERSIONS.stamp({ ...envelope, type: 'CustomerCreated', version: 1, data: toData(customer) });
    }
    case 'UpdateCustomer': {
      if (!state || state.deletedAt !== null) throw notFound('customer', command.id);
      checkExpectedVersion('customer', state, command.expectedVersion);
      const customer: Customer = {
        ...state,
        firstName:
          command.firstName === undefined || command.firstName === null
            ? state.firstName
            : validName(command.firstName, 'firstName'),
        lastName:
          command.lastName === undefined || command.lastName === null ? state.lastName : validName(command.lastName, 'lastName'),
        version: state.version + 1,
        updatedAt: now,
      };
      return CUSTOMER_EVENT_VERSIONS.stamp({
        ...envelope,
        type: 'CustomerUpdated',
        version: customer.version,
        data: toData(customer),
      });
    }
    case 'DeleteCustomer': {
      if (!state || state.deletedAt !== null) throw notFound('customer', command.id);
      checkExpectedVersion('customer', state, command.expectedVersion);
      const customer: Customer = { ...state, version: state.version + 1, updatedAt: now, deletedAt: now };
      return CUSTOMER_EVENT_VERSIONS.stamp({
        ...envelope,
        type: 'CustomerDeleted',
        version: customer.version,
        data: toData(customer),
      });
    }
    default: {
      const unknown: never = command;
      throw new Error(`unknown command ${JSON.stringify(unknown)}`);
    }
  }
}

/** The state after an event. Events carry the whole entity, so this is a copy plus the version. */
export function evolve(_state: Customer | undefined, event: CustomerEvent): Customer {
  switch (event.type) {
    case 'CustomerCreated':
    case 'CustomerUpdated':
    case 'CustomerDeleted':
      return { ...event.data, version: event.version };
    default: {
      const unknown: never = event;
      throw new Error(`unknown event ${JSON.stringify(unknown)}`);
    }
  }
}

/** The customer aggregate's decider: {@link decide} and {@link evolve}. */
export const customerDecider: Decider<Customer, CustomerCommand, CustomerEvent> = { decide, evolve };
