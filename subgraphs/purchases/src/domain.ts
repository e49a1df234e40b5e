/**
 * The purchase aggregate: pure functions only. A purchase is immutable, so there is one event,
 * `PurchaseMade`; what it may refer to is checked against the mirrored products and customers.
 */
import { badInput, formatMoney, MAX_CENTS, notFound, parseMoney, type CommandContext, type Decider } from '@shop/event-core';
import { PURCHASE_EVENT_VERSIONS, type PurchaseData, type PurchaseEvent } from '@shop/schema';

export interface Purchase {
  readonly id: string;
  readonly productId: string;
  readonly customerId: string;
  readonly totalCents: number;
  readonly transactionDate: string;
}

export interface MakePurchase {
  readonly type: 'MakePurchase';
  readonly id: string;
  readonly productId: string;
  readonly customerId: string;
  /** Omitted: the product's current price. */
  readonly totalCents?: number | null;
}

export type PurchaseCommand = MakePurchase;

/** What the purchases subgraph knows of the other aggregates when it decides. */
export interface DecisionView {
  /** The product's current price, or undefined when it does not exist or was deleted. */
  readonly productPriceCents: number | undefined;
  readonly customerExists: boolean;
}

export function toData(purchase: Purchase): PurchaseData {
  const { totalCents, ...rest } = purchase;
  return { ...rest, total: formatMoney(totalCents) };
}

/** Decides a purchase; refuses unknown or deleted products and customers. */
export function decide(view: DecisionView, command: PurchaseCommand, { eventId, now, meta }: CommandContext): PurchaseEvent {
  switch (command.type) {
    case 'MakePurchase': {
      if (view.productPriceCents === undefined) throw notFound('product', command.productId);
      if (!view.customerExists) throw notFound('customer', command.customerId);
      const totalCents = command.totalCents ?? view.productPriceCents;
      if (!Number.isSafeInteger(totalCents) || totalCents < 0 || totalCents > MAX_CENTS) {
        throw badInput(`total must be between 0.00 and ${formatMoney(MAX_CENTS)} with at most two decimals`, 'total');
      }
      const purchase: Purchase = {
        id: command.id,
        productId: command.productId,
        customerId: command.customerId,
        totalCents,
        transactionDate: now,
      };
      return PURCHASE_EVENT_VERSIONS.stamp({
        id: eventId,
        type: 'PurchaseMade',
        entityId: command.id,
        version: 1,
        occurredAt: now,
        data: toData(purchase),
        meta,
      });
    }
    default: {
      const unknown: never = command.type;
      throw new Error(`unknown command ${String(unknown)}`);
    }
  }
}

/** A purchase never changes: its one event says all of it (the state before, none, is not read). */
export function evolve(_state: Purchase | undefined, event: PurchaseEvent): Purchase {
  switch (event.type) {
    case 'PurchaseMade': {
      const { id, productId, customerId, total, transactionDate } = event.data;
      return { id, productId, customerId, totalCents: parseMoney(total, 'total'), transactionDate };
    }
    default: {
      const unknown: never = event.type;
      throw new Error(`unknown event ${String(unknown)}`);
    }
  }
}

/** The purchase aggregate's decider: it decides on a view of the products and customers it refers to. */
export const purchaseDecider: Decider<Purchase, PurchaseCommand, PurchaseEvent, DecisionView> = { decide, evolve };
