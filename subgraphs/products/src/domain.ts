/**
 * The product aggregate: pure functions only. Time, ids and metadata come in with the command.
 */
import {
  badInput,
  checkExpectedVersion,
  DomainError,
  formatMoney,
  MAX_CENTS,
  notFound,
  parseMoney,
  type CommandContext,
  type Decider,
} from '@shop/event-core';
import { PRODUCT_EVENT_VERSIONS, type ProductData, type ProductEvent } from '@shop/schema';

export interface Product {
  readonly id: string;
  readonly name: string;
  readonly priceCents: number;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly deletedAt: string | null;
}

export type ProductCommand =
  | { readonly type: 'CreateProduct'; readonly id: string; readonly name: string; readonly priceCents: number }
  | {
      readonly type: 'UpdateProduct';
      readonly id: string;
      readonly name?: string | null;
      readonly priceCents?: number | null;
      readonly expectedVersion?: number | null;
    }
  | { readonly type: 'DeleteProduct'; readonly id: string; readonly expectedVersion?: number | null };

export const NAME_MAX_LENGTH = 200;

function validName(name: unknown): string {
  if (typeof name !== 'string') throw badInput('name must be a string', 'name');
  const trimmed = name.trim();
  if (trimmed.length === 0) throw badInput('name must not be empty', 'name');
  if (trimmed.length > NAME_MAX_LENGTH) throw badInput(`name must be at most ${NAME_MAX_LENGTH} characters`, 'name');
  return trimmed;
}

function validPrice(cents: number): number {
  if (!Number.isSafeInteger(cents) || cents < 0)
    throw badInput('price must be a non-negative amount with at most two decimals', 'price');
  if (cents > MAX_CENTS) throw badInput(`price must be at most ${formatMoney(MAX_CENTS)}`, 'price');
  return cents;
}

export function toData(product: Product): ProductData {
  return {
    id: product.id,
    name: product.name,
    price: formatMoney(product.priceCents),
    createdAt: product.createdAt,
    updatedAt: product.updatedAt,
    deletedAt: product.deletedAt,
  };
}

function fromData(data: ProductData, version: number): Product {
  return {
    id: data.id,
    name: data.name,
    priceCents: parseMoney(data.price, 'price'),
    version,
    createdAt: data.createdAt,
    updatedAt: data.updatedAt,
    deletedAt: data.deletedAt,
  };
}

/** Decides what a command means for the current state; throws a {@link DomainError} to refuse. */
export function decide(
  state: Product | undefined,
  command: ProductCommand,
  { eventId, now, meta }: CommandContext,
): ProductEvent {
  const envelope = { id: eventId, entityId: command.id, occurredAt: now, meta };
  switch (command.type) {
    case 'CreateProduct': {
      if (state) throw new DomainError('CONFLICT', `product "${command.id}" already exists`, { id: command.id });
      const product: Product = {
        id: command.id,
        name: validName(command.name),
        priceCents: validPrice(command.priceCents),
        version: 1,
        createdAt: now,
        updatedAt: now,
        deletedAt: null,
      };
      return PRODUCT_EVENT_VERSIONS.stamp({ ...envelope, type: 'ProductCreated', version: 1, data: toData(product) });
    }
    case 'UpdateProduct': {
      if (!state || state.deletedAt !== null) throw notFound('product', command.id);
      checkExpectedVersion('product', state, command.expectedVersion);
      const name = command.name === undefined || command.name === null ? state.name : validName(command.name);
      const priceCents =
        command.priceCents === undefined || command.priceCents === null ? state.priceCents : validPrice(command.priceCents);
      const product: Product = { ...state, name, priceCents, version: state.version + 1, updatedAt: now };
      return PRODUCT_EVENT_VERSIONS.stamp({
        ...envelope,
        type: 'ProductUpdated',
        version: product.version,
        data: toData(product),
      });
    }
    case 'DeleteProduct': {
      if (!state || state.deletedAt !== null) throw notFound('product', command.id);
      checkExpectedVersion('product', state, command.expectedVersion);
      const product: Product = { ...state, version: state.version + 1, updatedAt: now, deletedAt: now };
      return PRODUCT_EVENT_VERSIONS.stamp({
        ...envelope,
        type: 'ProductDeleted',
        version: product.version,
        data: toData(product),
      });
    }
    default: {
      const unknown: never = command;
      throw new Error(`unknown command ${JSON.stringify(unknown)}`);
    }
  }
}

/** The state after an event. Events carry the whole entity, so this is a copy plus the version. */
export function evolve(_state: Product | undefined, event: ProductEvent): Product {
  switch (event.type) {
    case 'ProductCreated':
    case 'ProductUpdated':
    case 'ProductDeleted':
      return fromData(event.data, event.version);
    default: {
      const unknown: never = event;
      throw new Error(`unknown event ${JSON.stringify(unknown)}`);
    }
  }
}

/** The product aggregate's decider: {@link decide} and {@link evolve}. */
export const productDecider: Decider<Product, ProductCommand, ProductEvent> = { decide, evolve };
