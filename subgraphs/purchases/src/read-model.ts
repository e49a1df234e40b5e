import {
  applied,
  DomainError,
  duplicateOf,
  NumberColumn,
  paginate,
  rejected,
  WholeStateTable,
  type ApplyOutcome,
  type Connection,
  type Decoded,
  type LogRecord,
  type PageArgs,
  type Position,
  type Projection,
  TimeIndex,
} from '@shop/event-core';
import {
  TOPICS,
  type EventTopics,
  toCustomerEvent,
  toProductEvent,
  toPurchaseEvent,
  type CustomerData,
  type CustomerEvent,
  type ProductData,
  type ProductEvent,
} from '@shop/schema';
import { evolve, type Purchase } from './domain.ts';

/** What this subgraph mirrors of another aggregate: enough to decide and to upcast old records. */
interface Mirrored<D> {
  readonly id: string;
  readonly version: number;
  readonly deletedAt: string | null;
  readonly data: D;
}

const mirror = <D extends { id: string; deletedAt: string | null }>(
  _state: unknown,
  event: { version: number; data: D },
): Mirrored<D> => ({
  id: event.data.id,
  version: event.version,
  deletedAt: event.data.deletedAt,
  data: event.data,
});

/** A purchase as stored: where its event is in the log, for answers as of a position. */
export interface StoredPurchase extends Purchase {
  readonly partition: number;
  readonly offset: number;
}

/** Aggregates of one product or customer at some position. */
export interface Stats {
  readonly purchaseCount: number;
  readonly totalCents: bigint;
  readonly customerCount: number;
}

/** Per-product or per-customer aggregate, kept per event: O(1) to update, O(1) to read. */
class Totals {
  readonly purchaseIds: string[] = [];
  /** bigint: a sum of many amounts may outgrow 2^53 cents, and money stays exact. */
  totalCents = 0n;

  add(purchase: Purchase): void {
    this.purchaseIds.push(purchase.id);
    this.totalCents += BigInt(purchase.totalCents);
  }
}

class ProductTotals extends Totals {
  /** customer id → purchases of this product by that customer. */
  readonly customers = new Map<string, number>();

  override add(purchase: Purchase): void {
    super.add(purchase);
    this.customers.set(purchase.customerId, (this.customers.get(purchase.customerId) ?? 0) + 1);
  }
}

/**
 * The purchases read model. It follows all three topics: purchases, and products and customers
 * to check references and default totals at decide time. Mirrors apply product and customer
 * events by the same rules as their own subgraphs, so a rejected event is rejected here too.
 */
export class PurchasesReadModel implements Projection {
  readonly topics: readonly string[];
  readonly products = new WholeStateTable<Mirrored<ProductData>, ProductEvent>(
    'product',
    (e) => e.type === 'ProductCreated',
    mirror,
  );
  readonly customers = new WholeStateTable<Mirrored<CustomerData>, CustomerEvent>(
    'customer',
    (e) => e.type === 'CustomerCreated',
    mirror,
  );
  private readonly purchases = new Map<string, StoredPurchase>();
  private readonly order: string[] = [];
  /**
   * Per partition, the offsets of the purchases in `order` and their places in it (both ascending),
   * so the whole list as of a point in time is counted and bounded by binary search instead of a
   * walk back over every purchase made since.
   */
  private readonly arrivals = new Map<number, { readonly offsets: NumberColumn; readonly places: NumberColumn }>();
  private readonly byProduct = new Map<string, ProductTotals>();
  private readonly byCustomer = new Map<string, Totals>();
  /** "productId customerId" → purchases of that pair, so a filter by both is O(page) too. */
  private readonly byPair = new Map<string, string[]>();
  private readonly idempotency = new Map<string, string>();
  /**
   * When the applied events of every topic occurred: turns an `asOf` instant into a cut of the
   * purchases topic, and a position in the products or customers topic into one too.
   */
  readonly times: TimeIndex;

  constructor(readonly names: EventTopics = TOPICS) {
    this.topics = [names.purchases, names.products, names.customers];
    this.times = new TimeIndex(this.topics);
  }

  apply(topic: string, decoded: Decoded, record: LogRecord): ApplyOutcome {
    const { event, outcome } = this.applyEvent(topic, decoded, record);
    if (outcome.ok && !outcome.duplicate) this.times.record(topic, record.partition, record.offset, Date.parse(event.occurredAt));
    return outcome;
  }

  private applyEvent(
    topic: string,
    decoded: Decoded,
    record: LogRecord,
  ): { readonly event: { readonly occurredAt: string }; readonly outcome: ApplyOutcome } {
    if (topic === this.names.purchases) {
      const event = toPurchaseEvent(decoded, record);
      return {
        event,
        outcome: this.applyPurchase({ ...evolve(event), partition: record.partition, offset: record.offset }, decoded),
      };
    }
    if (topic === this.names.products) {
      const event = toProductEvent(decoded, record, (id) => this.products.table.get(id));
      return { event, outcome: this.products.apply(event) };
    }
    if (topic === this.names.customers) {
      const event = toCustomerEvent(decoded, record, (id) => this.customers.table.get(id));
      return { event, outcome: this.customers.apply(event) };
    }
    throw new Error(`not a topic of this read model: ${topic}`);
  }

  private applyPurchase(purchase: StoredPurchase, decoded: Decoded): ApplyOutcome {
    const key = decoded.format === 'envelope' ? decoded.event.meta.idempotencyKey : undefined;
    const earlier = key === undefined ? undefined : this.idempotency.get(key);
    if (earlier !== undefined) return duplicateOf(earlier);
    if (this.purchases.has(purchase.id)) {
      return rejected(new DomainError('CONFLICT', `purchase "${purchase.id}" already exists`, { id: purchase.id }));
    }
    this.purchases.set(purchase.id, purchase);
    let arrivals = this.arrivals.get(purchase.partition);
    if (!arrivals)
      this.arrivals.set(purchase.partition, (arrivals = { offsets: new NumberColumn(), places: new NumberColumn() }));
    arrivals.offsets.push(purchase.offset);
    arrivals.places.push(this.order.length);
    this.order.push(purchase.id);
    let product = this.byProduct.get(purchase.productId);
    if (!product) this.byProduct.set(purchase.productId, (product = new ProductTotals()));
    product.add(purchase);
    let customer = this.byCustomer.get(purchase.customerId);
    if (!customer) this.byCustomer.set(purchase.customerId, (customer = new Totals()));
    customer.add(purchase);
    const pair = `${purchase.productId} ${purchase.customerId}`;
    const pairIds = this.byPair.get(pair);
    if (pairIds) pairIds.push(purchase.id);
    else this.byPair.set(pair, [purchase.id]);
    if (key !== undefined) this.idempotency.set(key, purchase.id);
    return applied(purchase.id);
  }

  purchase(id: string): StoredPurchase | undefined {
    return this.purchases.get(id);
  }

  /** Was this purchase applied before `readAt` (or is there no `readAt`)? */
  visibleAt(purchase: StoredPurchase, readAt: Position | undefined): boolean {
    if (!readAt) return true;
    const cut = readAt[this.names.purchases]?.[purchase.partition];
    return cut === undefined || purchase.offset < cut;
  }

  /**
   * Aggregates as of `readAt`: the totals kept per event, minus the purchases at or after it.
   * Those are the newest, at the end of the list, so the walk back is short. Within a partition
   * offsets grow, so once every partition has shown an older purchase, all earlier ones are older.
   */
  private statsAt(totals: Totals | undefined, readAt: Position | undefined, distinct?: Map<string, number>): Stats {
    const all = {
      purchaseCount: totals?.purchaseIds.length ?? 0,
      totalCents: totals?.totalCents ?? 0n,
      customerCount: distinct?.size ?? 0,
    };
    const cuts = readAt?.[this.names.purchases];
    if (!totals || !cuts) return all;
    const partitions = Object.keys(cuts).length;
    const settled = new Set<number>();
    const excludedPerCustomer = new Map<string, number>();
    let count = all.purchaseCount;
    let total = all.totalCents;
    for (let i = totals.purchaseIds.length - 1; i >= 0 && settled.size < partitions; i--) {
      const purchase = this.purchases.get(totals.purchaseIds[i]!)!;
      if (this.visibleAt(purchase, readAt)) {
        settled.add(purchase.partition);
        continue;
      }
      count--;
      total -= BigInt(purchase.totalCents);
      excludedPerCustomer.set(purchase.customerId, (excludedPerCustomer.get(purchase.customerId) ?? 0) + 1);
    }
    let customers = all.customerCount;
    if (distinct)
      for (const [customerId, excluded] of excludedPerCustomer) if (distinct.get(customerId) === excluded) customers--;
    return { purchaseCount: count, totalCents: total, customerCount: customers };
  }

  entityForKey(key: string): string | undefined {
    return this.idempotency.get(key);
  }

  /** Purchases oldest first, optionally of one product and/or one customer; O(page). */
  page(
    args: PageArgs & { readonly productId?: string | null; readonly customerId?: string | null },
    readAt?: Position,
  ): Connection<StoredPurchase> {
    const { productId, customerId } = args;
    const ids =
      productId && customerId
        ? (this.byPair.get(`${productId} ${customerId}`) ?? [])
        : productId
          ? (this.byProduct.get(productId)?.purchaseIds ?? [])
          : customerId
            ? (this.byCustomer.get(customerId)?.purchaseIds ?? [])
            : this.order;
    if (!readAt) return paginate(ids, args, ids.length, (id) => this.purchases.get(id));
    const visible = (id: string) => {
      const purchase = this.purchases.get(id);
      return purchase && this.visibleAt(purchase, readAt) ? purchase : undefined;
    };
    if (ids === this.order) {
      const { count, end } = this.arrivedBefore(readAt);
      return paginate(ids, args, count, visible, end);
    }
    const hidden = ids.length - this.countVisible(ids, readAt);
    return paginate(ids, args, ids.length - hidden, visible);
  }

  /** How many purchases of the whole list came before `readAt`, and one past the place of the last of them. */
  private arrivedBefore(readAt: Position): { readonly count: number; readonly end: number } {
    const cuts = readAt[this.names.purchases] ?? {};
    let count = 0;
    let end = 0;
    for (const [partition, { offsets, places }] of this.arrivals) {
      const cut = cuts[partition];
      const n = cut === undefined ? offsets.length : offsets.countBelow(cut);
      count += n;
      if (n > 0) end = Math.max(end, places.at(n - 1) + 1);
    }
    return { count, end };
  }

  private countVisible(ids: readonly string[], readAt: Position): number {
    const cuts = readAt[this.names.purchases];
    if (!cuts) return ids.length;
    const partitions = Object.keys(cuts).length;
    const settled = new Set<number>();
    let hidden = 0;
    for (let i = ids.length - 1; i >= 0 && settled.size < partitions; i--) {
      const purchase = this.purchases.get(ids[i]!)!;
      if (this.visibleAt(purchase, readAt)) settled.add(purchase.partition);
      else hidden++;
    }
    return ids.length - hidden;
  }

  /** A product's aggregates, now or as of `readAt`. */
  productStats(productId: string, readAt?: Position): Stats {
    const totals = this.byProduct.get(productId);
    return this.statsAt(totals, readAt, totals?.customers);
  }

  /** A customer's aggregates, now or as of `readAt`. */
  customerStats(customerId: string, readAt?: Position): Omit<Stats, 'customerCount'> {
    const { purchaseCount, totalCents } = this.statsAt(this.byCustomer.get(customerId), readAt);
    return { purchaseCount, totalCents };
  }
}
