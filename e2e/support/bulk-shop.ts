import { randomUUID } from 'node:crypto';
import { encodeEvent, newEntityId, provisionEventTopics, type EventEnvelope, type EventLog } from '@shop/event-core';
import type { CustomerCreated, EventTopics, ProductCreated, PurchaseMade } from '@shop/schema';

export interface ShopShape {
  readonly products: number;
  readonly customers: number;
  readonly purchases: number;
  /** Seed of the totals and of who bought what: the same seed writes the same figures. */
  readonly seed: number;
  /** Purchases are spread over this many days before `now`. */
  readonly days?: number;
  readonly now?: Date;
  /** Records per append. Default 20,000 (the embedded log); a Kafka broker takes about 1 MB per append, some 2,000 records. */
  readonly recordsPerAppend?: number;
}

export interface ShopCustomer {
  readonly id: string;
  readonly firstName: string;
  readonly lastName: string;
}

/** What was written, and the figures the system must show for it (money in cents). */
export interface BulkShop {
  readonly productIds: readonly string[];
  readonly productNames: readonly string[];
  readonly customers: readonly ShopCustomer[];
  readonly purchases: number;
  readonly revenueCents: number;
  /** By product index, as `productIds`. */
  readonly productTotalCents: Float64Array;
  readonly productPurchases: Uint32Array;
  /** By customer index, as `customers`. */
  readonly customerTotalCents: Float64Array;
  readonly customerPurchases: Uint32Array;
}

/** Records per append: each is one transaction of the embedded log, and a bounded amount of memory. */
const RECORDS_PER_APPEND = 20_000;
const DAY_MS = 86_400_000;
const FIRST_NAMES = ['Ada', 'Ben', 'Cleo', 'Dev', 'Eli', 'Fay', 'Gus', 'Hana'];

/** mulberry32: small, fast and seeded, so a shop that exposes a bug can be written again. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const created = <T extends ProductCreated | CustomerCreated>(type: T['type'], data: T['data']): EventEnvelope =>
  ({
    id: randomUUID(),
    type,
    entityId: data.id,
    version: 1,
    occurredAt: data.createdAt,
    data,
    meta: { actor: 'bulk-shop' },
    schemaVersion: 1,
  }) satisfies EventEnvelope;

const cents = (amount: number): string => `${Math.floor(amount / 100)}.${String(amount % 100).padStart(2, '0')}`;

/**
 * Writes a shop straight into `log`, as the services would have written it, without going
 * through them: products, customers (`<first name> Scale<0000>`), then purchases of random
 * products by random customers at random totals (1.00 to 99.99), spread over `days` before
 * `now`. Appends are large and few, so that the embedded log commits them in a handful of
 * transactions; a system started afterwards replays them.
 */
export async function writeShop(
  log: EventLog,
  topics: EventTopics,
  { products, customers, purchases, seed, days = 30, now = new Date(), recordsPerAppend = RECORDS_PER_APPEND }: ShopShape,
): Promise<BulkShop> {
  await provisionEventTopics(log, [topics.products, topics.customers, topics.purchases]);
  const random = seeded(seed);
  const createdAt = new Date(now.getTime() - (days + 1) * DAY_MS).toISOString();
  const productIds = Array.from({ length: products }, () => newEntityId());
  const productNames = productIds.map((_, i) => `Item ${String(i).padStart(3, '0')}`);
  await log.append(
    topics.products,
    productIds.map((id, i) =>
      encodeEvent(
        created<ProductCreated>('ProductCreated', {
          id,
          name: productNames[i]!,
          price: cents(100 + ((i * 37) % 9_900)),
          createdAt,
          updatedAt: createdAt,
          deletedAt: null,
        }),
      ),
    ),
  );
  const shopCustomers = Array.from({ length: customers }, (_, i) => ({
    id: newEntityId(),
    firstName: FIRST_NAMES[i % FIRST_NAMES.length]!,
    lastName: `Scale${String(i).padStart(4, '0')}`,
  }));
  await log.append(
    topics.customers,
    shopCustomers.map((customer) =>
      encodeEvent(created<CustomerCreated>('CustomerCreated', { ...customer, createdAt, updatedAt: createdAt, deletedAt: null })),
    ),
  );

  const productTotalCents = new Float64Array(products);
  const productPurchases = new Uint32Array(products);
  const customerTotalCents = new Float64Array(customers);
  const customerPurchases = new Uint32Array(customers);
  let revenueCents = 0;
  const startMs = now.getTime() - days * DAY_MS;
  for (let written = 0; written < purchases; written += recordsPerAppend) {
    const batch = Math.min(recordsPerAppend, purchases - written);
    const records = [];
    for (let i = 0; i < batch; i++) {
      const product = Math.floor(random() * products);
      const customer = Math.floor(random() * customers);
      const totalCents = 100 + Math.floor(random() * 9_900);
      const transactionDate = new Date(startMs + Math.floor(random() * (days * DAY_MS - 60_000))).toISOString();
      productTotalCents[product]! += totalCents;
      productPurchases[product]! += 1;
      customerTotalCents[customer]! += totalCents;
      customerPurchases[customer]! += 1;
      revenueCents += totalCents;
      const id = newEntityId();
      const event: PurchaseMade = {
        id: randomUUID(),
        type: 'PurchaseMade',
        entityId: id,
        version: 1,
        occurredAt: transactionDate,
        data: {
          id,
          productId: productIds[product]!,
          customerId: shopCustomers[customer]!.id,
          total: cents(totalCents),
          transactionDate,
        },
        meta: { actor: 'bulk-shop' },
        schemaVersion: 1,
      };
      records.push(encodeEvent(event));
    }
    await log.append(topics.purchases, records);
  }
  return {
    productIds,
    productNames,
    customers: shopCustomers,
    purchases,
    revenueCents,
    productTotalCents,
    productPurchases,
    customerTotalCents,
    customerPurchases,
  };
}

/** An amount in cents as the dashboard shows it: `1,234.50`. */
export function shownMoney(amountCents: number): string {
  return `${Math.floor(amountCents / 100).toLocaleString('en-US')}.${String(amountCents % 100).padStart(2, '0')}`;
}
