import {
  applied,
  ArraySource,
  countBelow,
  creationKey,
  digestValue,
  DomainError,
  inputsDiffer,
  duplicateOf,
  IdNumbers,
  IdTable,
  IntColumn,
  MAX_CENTS,
  NumberColumn,
  mapNodes,
  pageInOrder,
  sortedPageOf,
  rejected,
  reusedKey,
  SortedIndex,
  SortedLists,
  mirrorState,
  WholeStateReadModel,
  type ApplyOutcome,
  type Connection,
  type Decoded,
  type EventEnvelope,
  type IdTableSnapshot,
  type Mirrored,
  type KeyShape,
  type LogRecord,
  type OrderedPageArgs,
  type PartitionOffsets,
  type SortedPageArgs,
  type TimeIndexSnapshot,
  type WholeStateSnapshot,
  type Position,
  type Projection,
  type Snapshottable,
  type WholeStateModelSpec,
  TimeIndex,
} from '@shop/event-core';
import {
  changeKindOf,
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
import { SalesOverTime } from './sales-over-time.ts';

/** What this subgraph mirrors of another aggregate: enough to decide and to upcast old records. */
/**
 * A mirror of another aggregate's topic: its entities applied by the owner's rules (so a rejected
 * event is rejected here too), with where their events are, for their names as of a point in time.
 */
function mirrorOf<D extends { id: string; deletedAt: string | null; createdAt: string }, E extends EventEnvelope<string, D>>(
  spec: Pick<WholeStateModelSpec<Mirrored<D>, E>, 'kind' | 'topic' | 'times' | 'isCreate' | 'toEvent' | 'fields'>,
): WholeStateReadModel<Mirrored<D>, E> {
  return new WholeStateReadModel<Mirrored<D>, E>({
    ...spec,
    evolve: mirrorState,
    changeKind: (event) => changeKindOf(event.type),
    orderKey: ({ id, data }) => creationKey(data.createdAt, id),
  });
}

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

/**
 * A sum of cents, exact however large: a plain number while it stays below 2^53, carried into a
 * bigint before one more amount could make it inexact. (A bigint per purchase would allocate two
 * heap objects on every add.)
 */
class CentsSum {
  private small = 0;
  private carried = 0n;

  add(cents: number): void {
    this.small += cents;
    if (this.small > Number.MAX_SAFE_INTEGER - MAX_CENTS) {
      this.carried += BigInt(this.small);
      this.small = 0;
    }
  }

  /** Adds a sum of cents already added up elsewhere (a whole number below 2^53). */
  addSum(sum: number): void {
    if (this.small + sum <= Number.MAX_SAFE_INTEGER - MAX_CENTS) {
      this.small += sum;
    } else {
      this.carried += BigInt(this.small) + BigInt(sum);
      this.small = 0;
    }
  }

  get value(): bigint {
    return this.carried + BigInt(this.small);
  }

  /** The sum as the nearest double, without allocating a bigint: what lists are sorted by. */
  get approximate(): number {
    return this.carried === 0n ? this.small : Number(this.carried) + this.small;
  }
}

/** The orders a purchase list offers. */
export type PurchaseOrder = 'TRANSACTION_DATE' | 'TOTAL';

/** More partitions than a topic has (Kafka's own limits are far lower): a snapshot naming one is damaged. */
const MAX_PARTITIONS = 100_000;

/** A purchase list's key in either order: the value, then the purchase id. */
const PURCHASE_KEY: KeyShape = ['number', 'string'];

/**
 * A purchase list in both orders, kept per purchase. By transaction date purchases mostly arrive
 * in order and are appended; the order by total is built the first time it is asked for (most
 * products' and customers' lists never are) and kept per purchase from then on.
 */
class PurchaseOrders {
  private byDate: SortedIndex;
  private byTotal: SortedIndex | undefined;

  constructor(
    private readonly rows: PurchaseRows,
    /** Keep the order by total from the start (the list of all purchases). */
    eager: boolean,
  ) {
    this.byDate = new SortedIndex(rows.byDate);
    if (eager) this.byTotal = new SortedIndex(rows.byTotal);
  }

  add(row: number): void {
    this.byDate.insert(row);
    this.byTotal?.insert(row);
  }

  /** Places what was inserted out of order (see {@link SortedIndex.settle}). */
  settle(): void {
    this.byDate.settle();
    this.byTotal?.settle();
  }

  /** Both orders as rows, copied (the order by total only if it is kept). */
  toSnapshot(): PurchaseOrdersSnapshot {
    return {
      byDate: this.byDate.toInt32Array(),
      ...(this.byTotal ? { byTotal: this.byTotal.toInt32Array() } : {}),
    };
  }

  /** Takes the orders of all `count` rows, in order (as {@link toSnapshot} gives them), into this empty list. */
  restore(snapshot: PurchaseOrdersSnapshot, count: number): void {
    checkOrder(snapshot.byDate, count);
    if (snapshot.byTotal) checkOrder(snapshot.byTotal, count);
    this.byDate = SortedIndex.fromSorted(this.rows.byDate, snapshot.byDate);
    if (snapshot.byTotal) this.byTotal = SortedIndex.fromSorted(this.rows.byTotal, snapshot.byTotal);
  }

  /** Takes `rows` in any order into this empty list, to be sorted by date when first read. */
  restoreUnsorted(rows: Int32Array): void {
    this.byDate = SortedIndex.unsorted(this.rows.byDate, rows);
  }

  /** The list in `order`; `all` gives its rows to build the order by total from, the first time. */
  index(order: PurchaseOrder, all: () => ArrayLike<number>): SortedIndex {
    if (order === 'TRANSACTION_DATE') return this.byDate;
    if (!this.byTotal) {
      const byTotal = new SortedIndex(this.rows.byTotal);
      const rows = all();
      for (let i = 0; i < rows.length; i++) byTotal.insert(rows[i]!);
      this.byTotal = byTotal;
    }
    return this.byTotal;
  }
}

/** A purchase list's orders as rows, in order. */
export interface PurchaseOrdersSnapshot {
  readonly byDate: Int32Array;
  readonly byTotal?: Int32Array;
}

/** Per-product or per-customer aggregate, kept per event: O(1) to update, O(1) to read. */
class Totals {
  readonly cents = new CentsSum();
  readonly orders: PurchaseOrders;

  constructor(
    protected readonly purchases: PurchaseRows,
    /** Rows of this entity's purchases, in arrival order (within a partition, the log's). */
    readonly rows = new IntColumn(4),
  ) {
    this.orders = new PurchaseOrders(purchases, false);
  }

  add(row: number, cents: number): void {
    this.rows.push(row);
    this.cents.add(cents);
    this.orders.add(row);
  }
}

class ProductTotals extends Totals {
  /** Distinct customers of this product. */
  customerCount = 0;
  /**
   * Customer number → purchases of this product by that customer. A restore leaves it out and it
   * is counted from the product's rows the first time it is needed: a Map entry per product and
   * customer (about a million at a million purchases) was a third of a restore, while a start
   * touches few products before it is ready.
   */
  private byCustomer: Map<number, number> | undefined = new Map();

  /** Adds a purchase by `customer` (a number). */
  addFor(row: number, cents: number, customer: number): void {
    const pairs = this.pairs();
    const count = pairs.get(customer) ?? 0;
    if (count === 0) this.customerCount++;
    pairs.set(customer, count + 1);
    this.add(row, cents);
  }

  /** Purchases of this product by `customer` (a number). */
  pairCount(customer: number): number {
    return this.pairs().get(customer) ?? 0;
  }

  /** For a restore: `customerCount` as counted from the rows, the pair counts left for when they are needed. */
  restoredWith(customerCount: number): void {
    this.customerCount = customerCount;
    this.byCustomer = undefined;
  }

  private pairs(): Map<number, number> {
    if (!this.byCustomer) {
      const pairs = new Map<number, number>();
      const own = this.rows.view();
      for (let i = 0; i < own.length; i++) {
        const customer = this.purchases.customer.at(own[i]!);
        pairs.set(customer, (pairs.get(customer) ?? 0) + 1);
      }
      this.byCustomer = pairs;
    }
    return this.byCustomer;
  }
}

/** What `toISOString` writes (`2026-01-31T12:00:00.000Z`). */
const CANONICAL_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Epoch ms of a date written the way `toISOString` writes it, so that they give the text back exactly; else NaN. */
function canonicalDateMs(text: string): number {
  if (!CANONICAL_DATE.test(text)) return Number.NaN;
  const ms = Date.parse(text);
  // Date.parse rolls a day past the end of its month over into the next month: not the same text.
  return new Date(ms).getUTCDate() === Number(text.slice(8, 10)) ? ms : Number.NaN;
}

/**
 * Every purchase applied, one row each in arrival order, stored column by column: a purchase is a
 * row number and its fields are entries of typed arrays, with products and customers numbered
 * ({@link IdNumbers}). That is about 40 bytes of columns a purchase, next to its id, instead of an
 * object, a Map entry and copies of strings per purchase (docs/decisions/0012).
 */
class PurchaseRows {
  /** Purchase id ↔ row: a million ids as bytes, not strings (see {@link IdTable}). */
  ids = new IdTable();
  products = new IdNumbers();
  customers = new IdNumbers();
  product = new IntColumn();
  customer = new IntColumn();
  totalCents = new NumberColumn();
  partition = new IntColumn();
  offset = new NumberColumn();
  /** `transactionDate` in epoch ms, or NaN when its text is kept in `dateTexts`. */
  private dateMs = new NumberColumn();
  /** Dates not written the way `toISOString` writes them (another offset, more digits): rare, kept as given. */
  private dateTexts = new Map<number, string>();

  /**
   * The rows as data: ids copied once each, the number columns as views of what they hold now
   * (no copy: rows are only ever added, so later rows never change these).
   */
  toSnapshot(): PurchaseRowsSnapshot {
    return {
      ids: this.ids.toSnapshot(),
      products: this.products.toArray(),
      customers: this.customers.toArray(),
      product: this.product.view(),
      customer: this.customer.view(),
      totalCents: this.totalCents.view(),
      partition: this.partition.view(),
      offset: this.offset.view(),
      dateMs: this.dateMs.view(),
      dateTexts: [...this.dateTexts],
    };
  }

  /** Takes the rows of a snapshot ({@link toSnapshot}) into these empty rows. */
  restore(snapshot: PurchaseRowsSnapshot): void {
    const n = snapshot.ids.ends.length;
    const columns = [
      snapshot.product,
      snapshot.customer,
      snapshot.totalCents,
      snapshot.partition,
      snapshot.offset,
      snapshot.dateMs,
    ];
    if (columns.some((column) => column.length !== n)) throw new Error("the snapshot's purchase columns differ in length");
    // The columns are taken over, not copied: a column only writes past its end, so a snapshot's
    // arrays (decoded for this restore, or views of a live model's columns) stay as they are.
    this.ids = IdTable.from(snapshot.ids);
    this.products = IdNumbers.from(snapshot.products);
    this.customers = IdNumbers.from(snapshot.customers);
    this.product = IntColumn.adopt(snapshot.product);
    this.customer = IntColumn.adopt(snapshot.customer);
    this.totalCents = NumberColumn.adopt(snapshot.totalCents);
    this.partition = IntColumn.adopt(snapshot.partition);
    this.offset = NumberColumn.adopt(snapshot.offset);
    this.dateMs = NumberColumn.adopt(snapshot.dateMs);
    this.dateTexts = new Map(snapshot.dateTexts);
  }

  get count(): number {
    return this.ids.size;
  }

  /** `transactionDate` in epoch ms, for order and buckets (a date kept as text too; 0 if it has none). */
  timeMs(row: number): number {
    const ms = this.dateMs.at(row);
    if (!Number.isNaN(ms)) return ms;
    const parsed = Date.parse(this.dateTexts.get(row)!);
    return Number.isNaN(parsed) ? 0 : parsed;
  }

  private readonly compareIds = (a: number, b: number): number => this.ids.compare(a, b);

  /** Rows by (transaction date, id). */
  readonly byDate = (a: number, b: number): number => this.timeMs(a) - this.timeMs(b) || this.compareIds(a, b);
  /** Rows by (total, id). */
  readonly byTotal = (a: number, b: number): number => this.totalCents.at(a) - this.totalCents.at(b) || this.compareIds(a, b);

  /** A row's key in `order`, for cursors. */
  key(row: number, order: PurchaseOrder): readonly [number, string] {
    return [order === 'TOTAL' ? this.totalCents.at(row) : this.timeMs(row), this.ids.id(row)];
  }

  /** Stores a purchase in the next row and returns the row; undefined if a purchase with its id is stored already. */
  add(purchase: Purchase, partition: number, offset: number): number | undefined {
    const row = this.ids.add(purchase.id);
    if (row === undefined) return undefined;
    this.product.push(this.products.intern(purchase.productId));
    this.customer.push(this.customers.intern(purchase.customerId));
    this.totalCents.push(purchase.totalCents);
    this.partition.push(partition);
    this.offset.push(offset);
    const ms = canonicalDateMs(purchase.transactionDate);
    if (Number.isNaN(ms)) this.dateTexts.set(row, purchase.transactionDate);
    this.dateMs.push(ms);
    return row;
  }

  /** The purchase in `row`, as an object (built on demand: only for answers). */
  get(row: number): StoredPurchase {
    const ms = this.dateMs.at(row);
    return {
      id: this.ids.id(row),
      productId: this.products.id(this.product.at(row)),
      customerId: this.customers.id(this.customer.at(row)),
      totalCents: this.totalCents.at(row),
      transactionDate: Number.isNaN(ms) ? this.dateTexts.get(row)! : new Date(ms).toISOString(),
      partition: this.partition.at(row),
      offset: this.offset.at(row),
    };
  }

  /** Was the purchase in `row` applied before the cut (a partition the cut does not name: yes)? */
  before(row: number, cuts: PartitionOffsets): boolean {
    const cut = cuts[this.partition.at(row)];
    return cut === undefined || this.offset.at(row) < cut;
  }
}

/** {@link PurchaseRows} as data. */
interface PurchaseRowsSnapshot {
  readonly ids: IdTableSnapshot;
  readonly products: readonly string[];
  readonly customers: readonly string[];
  readonly product: Int32Array;
  readonly customer: Int32Array;
  readonly totalCents: Float64Array;
  readonly partition: Int32Array;
  readonly offset: Float64Array;
  readonly dateMs: Float64Array;
  readonly dateTexts: readonly (readonly [row: number, text: string])[];
}

/** A {@link PurchasesReadModel} as data: what a snapshot keeps; the rest is derived on restore. */
export interface PurchasesSnapshot {
  readonly rows: PurchaseRowsSnapshot;
  /** The idempotency keys, in the order they were first applied, and the row each made. */
  readonly idempotencyKeys: readonly string[];
  readonly idempotencyRows: Int32Array;
  /** Per row, the input digest of its event (NaN: none). */
  readonly inputDigests: Float64Array;
  readonly products: WholeStateSnapshot<Mirrored<ProductData>>;
  readonly customers: WholeStateSnapshot<Mirrored<CustomerData>>;
  readonly times: TimeIndexSnapshot;
  /**
   * All purchases by date and by total, as rows: sorting a million rows again took about as long
   * as the rest of a restore, and the orders are 8 bytes a purchase.
   */
  readonly orders: PurchaseOrdersSnapshot;
}

/**
 * A purchase list: the totals whose rows and orders it walks, how many purchases it has, and which
 * rows belong to it (a list by product and customer walks the customer's and keeps the product's).
 */
interface RowList {
  readonly totals: Totals | undefined;
  readonly count: number;
  readonly matches?: (row: number) => boolean;
}

const NO_ROWS: RowList = { totals: undefined, count: 0 };

/** The orders of lists of products and of customers by their sales. */
export type ProductSalesOrder = 'PURCHASE_COUNT' | 'CUSTOMER_COUNT' | 'TOTAL_SPENT';
export type CustomerSalesOrder = 'PURCHASE_COUNT' | 'TOTAL_SPENT';

/**
 * A product or customer as this subgraph gives it (in a list by sales, as a purchase's): a
 * reference, with the point in time it is as of (null: now), that the owning subgraph resolves.
 */
export interface SalesRef {
  readonly id: string;
  readonly asOf: string | null;
}

/** A reference in a list by sales now, with its creation key (ties), made once per entity. */
export interface ListedRef extends SalesRef {
  readonly created: string;
}

/** The shop's purchase count and revenue at a position, and the purchases after it ({@link PurchasesReadModel.salesAt}). */
export interface SalesFigures {
  readonly purchaseCount: number;
  readonly totalCents: bigint;
  readonly after: readonly { readonly timeMs: number; readonly totalCents: number }[];
}

/** A sales list's key: the figure, then the entity's creation key (ties in creation order). */
const SALES_KEY: KeyShape = ['number', 'string'];

/**
 * The purchases read model. It follows all three topics: purchases, and products and customers
 * to check references and default totals at decide time. Mirrors apply product and customer
 * events by the same rules as their own subgraphs, so a rejected event is rejected here too.
 */
export class PurchasesReadModel implements Projection, Snapshottable {
  /** Snapshots of this model are stored under this name; raise the version when its state changes shape. */
  readonly snapshotModel = 'purchases';
  readonly snapshotVersion = 6;
  readonly topics: readonly string[];
  /**
   * The products and customers as their own subgraphs hold them, with where each one's events are
   * in the log: for decisions, and for the names this subgraph answers itself (`@provides`), now
   * or as of a point in time.
   */
  readonly products: WholeStateReadModel<Mirrored<ProductData>, ProductEvent>;
  readonly customers: WholeStateReadModel<Mirrored<CustomerData>, CustomerEvent>;
  private readonly rows = new PurchaseRows();
  /**
   * Per partition, the rows of its purchases (ascending, and so are their offsets), so the whole
   * list as of a point in time is counted and bounded by binary search instead of a walk back
   * over every purchase made since.
   */
  private readonly arrivals = new Map<number, IntColumn>();
  /** By product number and by customer number (of `rows`). */
  private readonly byProduct: ProductTotals[] = [];
  private readonly byCustomer: Totals[] = [];
  /** Idempotency key → row of the purchase it made. */
  private readonly idempotency = new Map<string, number>();
  /**
   * The same, as two columns that only grow, for snapshots: copying them is a copy of pointers and
   * of an Int32Array, where listing the Map's entries made an array per key (about 150 ms of a
   * capture at 1,000,000 purchases, all of it holding the event loop).
   */
  private readonly keysInOrder: string[] = [];
  private readonly keyedRows = new IntColumn();
  /** Per row, the input digest its event carried (NaN: none), as a number: 8 bytes a purchase. */
  private inputDigests = new NumberColumn();
  /** Every purchase in both orders. */
  private readonly all: PurchaseOrders;
  /**
   * A replay from the start is running: purchases are stored, not yet indexed
   * ({@link replayingFromStart}).
   */
  private deferred = false;
  /** Revenue of every purchase. */
  private readonly revenue = new CentsSum();
  /** Purchases and revenue over time. */
  readonly overTime = new SalesOverTime();
  /** Live products and customers by their sales figures, with their names for search. */
  readonly productSales: SortedLists<ListedRef, ProductSalesOrder>;
  readonly customerSales: SortedLists<ListedRef, CustomerSalesOrder>;
  private readonly productRefs = new Map<string, ListedRef>();
  private readonly customerRefs = new Map<string, ListedRef>();
  /**
   * When the applied events of every topic occurred: turns an `asOf` instant into a cut of the
   * purchases topic, and a position in the products or customers topic into one too.
   */
  readonly times: TimeIndex;

  constructor(readonly names: EventTopics = TOPICS) {
    this.topics = [names.purchases, names.products, names.customers];
    this.times = new TimeIndex(this.topics);
    const { times } = this;
    this.products = mirrorOf({
      kind: 'product',
      topic: names.products,
      times,
      isCreate: (event) => event.type === 'ProductCreated',
      toEvent: (decoded, record, known) => toProductEvent(decoded, record, known),
      fields: ({ data }) => ({ name: data.name, deletedAt: data.deletedAt }),
    });
    this.customers = mirrorOf({
      kind: 'customer',
      topic: names.customers,
      times,
      isCreate: (event) => event.type === 'CustomerCreated',
      toEvent: (decoded, record, known) => toCustomerEvent(decoded, record, known),
      fields: ({ data }) => ({ firstName: data.firstName, lastName: data.lastName, deletedAt: data.deletedAt }),
    });
    this.all = new PurchaseOrders(this.rows, true);
    const product = (id: string) => this.productTotals(id);
    const customer = (id: string) => this.customerTotals(id);
    this.productSales = new SortedLists<ListedRef, ProductSalesOrder>({
      orders: {
        PURCHASE_COUNT: { key: ({ id, created }) => [product(id)?.rows.length ?? 0, created], shape: SALES_KEY },
        CUSTOMER_COUNT: { key: ({ id, created }) => [product(id)?.customerCount ?? 0, created], shape: SALES_KEY },
        // Orders by the nearest double: exact up to 2^53 cents, which no shop's total reaches.
        TOTAL_SPENT: { key: ({ id, created }) => [product(id)?.cents.approximate ?? 0, created], shape: SALES_KEY },
      },
      text: ({ id }) => this.products.table.get(id)!.data.name,
    });
    this.customerSales = new SortedLists<ListedRef, CustomerSalesOrder>({
      orders: {
        PURCHASE_COUNT: { key: ({ id, created }) => [customer(id)?.rows.length ?? 0, created], shape: SALES_KEY },
        TOTAL_SPENT: { key: ({ id, created }) => [customer(id)?.cents.approximate ?? 0, created], shape: SALES_KEY },
      },
      text: ({ id }) => {
        const { firstName, lastName } = this.customers.table.get(id)!.data;
        return `${firstName} ${lastName}`;
      },
    });
  }

  /**
   * A replay from the start begins: until it has caught up, a purchase is only stored (what
   * deciding the next event needs: ids, idempotency keys, the mirrors), and everything derived from
   * the purchases is built at {@link caughtUp} in one go, as a restore builds it — about a third
   * of the replay's work on the main thread, done list by list instead of event by event.
   */
  replayingFromStart(): void {
    if (this.rows.count === 0) this.deferred = true;
  }

  /** The replay has caught up: the orders of every purchase, and the lists by sales, are built now, not at the first request. */
  caughtUp(): void {
    if (this.deferred) {
      this.deferred = false;
      for (let row = 0; row < this.rows.count; row++) this.all.add(row);
      this.indexAll();
    }
    this.all.settle();
    this.productSales.place();
    this.customerSales.place();
  }

  /** Puts a product in its places in the lists by sales (after its sales or its name changed; out when deleted). */
  private syncProduct(id: string): void {
    this.productSales.put(id, this.listedRef(this.productRefs, this.products.table, id));
  }

  private syncCustomer(id: string): void {
    this.customerSales.put(id, this.listedRef(this.customerRefs, this.customers.table, id));
  }

  /**
   * The reference a live entity is listed by (made at its first listing, its creation key the one
   * its mirror's order gave it when it was created); undefined for none.
   */
  private listedRef(
    refs: Map<string, ListedRef>,
    table: {
      getLive(id: string): Mirrored<unknown> | undefined;
      orderKeyOf(id: string): string | undefined;
    },
    id: string,
  ): ListedRef | undefined {
    const entity = table.getLive(id);
    if (!entity) return undefined;
    let ref = refs.get(id);
    // Every entity in a mirror has its key in the mirror's order (the table gives it one at its first event).
    if (!ref) refs.set(id, (ref = { id, asOf: null, created: table.orderKeyOf(id)! }));
    return ref;
  }

  apply(topic: string, decoded: Decoded, record: LogRecord): ApplyOutcome {
    // The mirrors record when their events occurred in `times` themselves.
    if (topic === this.names.products) {
      const outcome = this.products.apply(topic, decoded, record);
      if (outcome.ok && !outcome.duplicate && !this.deferred) this.syncProduct(outcome.entityId);
      return outcome;
    }
    if (topic === this.names.customers) {
      const outcome = this.customers.apply(topic, decoded, record);
      if (outcome.ok && !outcome.duplicate && !this.deferred) this.syncCustomer(outcome.entityId);
      return outcome;
    }
    if (topic !== this.names.purchases) throw new Error(`not a topic of this read model: ${topic}`);
    const event = toPurchaseEvent(decoded, record);
    const meta = decoded.format === 'envelope' ? decoded.event.meta : {};
    const outcome = this.applyPurchase(evolve(undefined, event), meta.idempotencyKey, digestValue(meta.inputDigest), record);
    if (outcome.ok && !outcome.duplicate) this.times.record(topic, record.partition, record.offset, Date.parse(event.occurredAt));
    return outcome;
  }

  private applyPurchase(purchase: Purchase, key: string | undefined, digest: number, record: LogRecord): ApplyOutcome {
    const earlier = key === undefined ? undefined : this.idempotency.get(key);
    if (earlier !== undefined) {
      // A retry that raced its first attempt, unless another request reused the key.
      return inputsDiffer(this.inputDigests.at(earlier), digest)
        ? rejected(reusedKey(key!))
        : duplicateOf(this.rows.ids.id(earlier));
    }
    const row = this.rows.add(purchase, record.partition, record.offset);
    if (row === undefined) {
      return rejected(new DomainError('CONFLICT', `purchase "${purchase.id}" already exists`, { id: purchase.id }));
    }
    this.inputDigests.push(digest);
    if (!this.deferred) this.index(row);
    if (key !== undefined) {
      this.idempotency.set(key, row);
      this.keysInOrder.push(key);
      this.keyedRows.push(row);
    }
    return applied(purchase.id);
  }

  /**
   * Adds a stored purchase to everything derived from the rows: its partition's arrivals, its
   * product's and customer's totals and orders, the orders of all purchases, the shop's figures.
   * A snapshot's rows, and a replay from the start, take {@link indexAll} instead, which derives
   * the same state list by list (the property tests of `test/snapshot.test.ts` hold the two to it).
   */
  private index(row: number): void {
    const rows = this.rows;
    const partition = rows.partition.at(row);
    let arrivals = this.arrivals.get(partition);
    if (!arrivals) this.arrivals.set(partition, (arrivals = new IntColumn()));
    arrivals.push(row);
    const product = rows.product.at(row);
    const customer = rows.customer.at(row);
    const cents = rows.totalCents.at(row);
    (this.byProduct[product] ??= new ProductTotals(rows)).addFor(row, cents, customer);
    (this.byCustomer[customer] ??= new Totals(rows)).add(row, cents);
    this.all.add(row);
    this.revenue.add(cents);
    this.overTime.add(rows.timeMs(row), cents);
    this.syncProduct(rows.products.id(product));
    this.syncCustomer(rows.customers.id(customer));
  }

  /**
   * What {@link index} derives from each row, for all the rows at once (of a snapshot, or of a
   * replay from the start), list by list; the orders of all purchases are the caller's (a
   * snapshot's, or added row by row). Each product's and customer's rows are counted, then filled
   * into arrays of their exact size (appending a million rows one at a time to 11,000 growing
   * lists, comparing each with the last, and collecting the garbage of their growth took over half
   * of a restore). Their orders by date are sorted when first read (a start reads few of them; a
   * product's list is a few thousand rows at most where a shop has a million). Each product's
   * distinct customers are counted from the rows laid out customer by customer; its count per
   * customer is left for when it is first needed. Sums are added in plain arrays in arrival order,
   * figures over time a minute's run at a time. The lists by sales are placed afterwards, once each.
   */
  private indexAll(): void {
    const rows = this.rows;
    const n = rows.count;
    const product = rows.product.view();
    const customer = rows.customer.view();
    const lists = <T extends Totals>(of: Int32Array, starts: Int32Array, make: (arrived: IntColumn) => T): (T | undefined)[] => {
      const groups = starts.length - 1;
      const arrived = groupRows(of, starts);
      const made: (T | undefined)[] = [];
      for (let g = 0; g < groups; g++) {
        const start = starts[g]!;
        const end = starts[g + 1]!;
        // A number with no purchase has no totals after a replay either (none is made: every number comes with a purchase).
        if (start === end) continue;
        const own = arrived.subarray(start, end);
        const totals = make(IntColumn.adopt(own));
        totals.orders.restoreUnsorted(own);
        made[g] = totals;
      }
      return made;
    };
    const customerStarts = groupStarts(customer, rows.customers.size);
    const byProduct = lists(product, groupStarts(product, rows.products.size), (arrived) => new ProductTotals(rows, arrived));
    const byCustomer = lists(customer, customerStarts, (arrived) => new Totals(rows, arrived));
    // Distinct customers per product, without a count per pair: walking the rows customer by
    // customer (laid out as the customers' lists are), noting the products each is seen with.
    const productByCustomer = groupRows(customer, customerStarts, product);
    const customerCounts = new Int32Array(byProduct.length);
    const lastCustomer = new Int32Array(byProduct.length).fill(-1);
    for (let c = 0; c < rows.customers.size; c++) {
      for (let i = customerStarts[c]!; i < customerStarts[c + 1]!; i++) {
        const p = productByCustomer[i]!;
        if (lastCustomer[p] === c) continue;
        lastCustomer[p] = c;
        customerCounts[p]!++;
      }
    }
    byProduct.forEach((totals, p) => totals!.restoredWith(customerCounts[p]!));
    // Each partition's rows, ascending, grouped as the lists are.
    const partition = rows.partition.view();
    let partitions = 0;
    for (let row = 0; row < n; row++) partitions = Math.max(partitions, partition[row]! + 1);
    if (partitions > MAX_PARTITIONS) throw new Error(`the snapshot's purchases name partition ${partitions - 1}`);
    const partitionStarts = groupStarts(partition, partitions);
    const byPartition = groupRows(partition, partitionStarts);
    for (let p = 0; p < partitions; p++) {
      const start = partitionStarts[p]!;
      const end = partitionStarts[p + 1]!;
      if (start < end) this.arrivals.set(p, IntColumn.adopt(byPartition.subarray(start, end)));
    }
    // Sums in plain arrays, handed to each entity's exact sum before they could pass 2^53; the
    // figures over time a run of purchases in the same minute at a time (as many adds as one by one).
    const totalCents = rows.totalCents.view();
    const productCents = new Float64Array(byProduct.length);
    const customerCents = new Float64Array(byCustomer.length);
    const limit = Number.MAX_SAFE_INTEGER - MAX_CENTS;
    let run = { minute: Number.NaN, timeMs: 0, count: 0, cents: 0 };
    const flushRun = (): void => {
      if (run.count > 0) this.overTime.add(run.timeMs, run.cents, run.count);
    };
    for (let row = 0; row < n; row++) {
      const cents = totalCents[row]!;
      const p = product[row]!;
      const c = customer[row]!;
      if (productCents[p]! > limit) {
        byProduct[p]!.cents.addSum(productCents[p]!);
        productCents[p] = 0;
      }
      productCents[p]! += cents;
      if (customerCents[c]! > limit) {
        byCustomer[c]!.cents.addSum(customerCents[c]!);
        customerCents[c] = 0;
      }
      customerCents[c]! += cents;
      this.revenue.add(cents);
      const timeMs = rows.timeMs(row);
      const minute = Math.floor(timeMs / 60_000);
      if (minute !== run.minute || run.cents > limit) {
        flushRun();
        run = { minute, timeMs, count: 0, cents: 0 };
      }
      run.count++;
      run.cents += cents;
    }
    flushRun();
    byProduct.forEach((totals, p) => totals!.cents.addSum(productCents[p]!));
    byCustomer.forEach((totals, c) => totals!.cents.addSum(customerCents[c]!));
    byProduct.forEach((totals, g) => (this.byProduct[g] = totals!));
    byCustomer.forEach((totals, g) => (this.byCustomer[g] = totals!));
    // Every entity is placed in the lists by sales once, after its figures are all in.
    for (const { id } of this.products.table.all()) this.syncProduct(id);
    for (const { id } of this.customers.table.all()) this.syncCustomer(id);
  }

  /**
   * The model's state as data that stays as it is while the model goes on applying events (copies,
   * or views of columns that only grow): the purchase rows, the idempotency keys, the mirrors and the
   * time index. Everything else (totals, orders, figures, lists by sales) is derived from them.
   */
  toSnapshot(): PurchasesSnapshot {
    if (this.deferred)
      throw new Error('a snapshot of the purchases read model was asked for while it is replaying from the start');
    return {
      rows: this.rows.toSnapshot(),
      idempotencyKeys: this.keysInOrder.slice(),
      idempotencyRows: this.keyedRows.view(),
      inputDigests: this.inputDigests.view(),
      products: this.products.toSnapshot(),
      customers: this.customers.toSnapshot(),
      times: this.times.toSnapshot(),
      orders: this.all.toSnapshot(),
    };
  }

  /** Takes the state of a snapshot ({@link toSnapshot}) into this new, empty model, and derives the rest. */
  restore(snapshot: PurchasesSnapshot): void {
    this.times.restore(snapshot.times);
    this.products.restore(snapshot.products);
    this.customers.restore(snapshot.customers);
    this.rows.restore(snapshot.rows);
    this.all.restore(snapshot.orders, this.rows.count);
    this.indexAll();
    const { idempotencyKeys: keys, idempotencyRows: keyedRows } = snapshot;
    if (keys.length !== keyedRows.length) throw new Error('the snapshot has a row per idempotency key');
    for (let i = 0; i < keys.length; i++) {
      this.idempotency.set(keys[i]!, keyedRows[i]!);
      this.keysInOrder.push(keys[i]!);
      this.keyedRows.push(keyedRows[i]!);
    }
    if (snapshot.inputDigests.length !== this.rows.count) throw new Error('the snapshot has an input digest per purchase');
    this.inputDigests = NumberColumn.adopt(snapshot.inputDigests);
  }

  purchase(id: string): StoredPurchase | undefined {
    const row = this.rows.ids.find(id);
    return row === undefined ? undefined : this.rows.get(row);
  }

  /** Was this purchase applied before `readAt` (or is there no `readAt`)? */
  visibleAt(purchase: StoredPurchase, readAt: Position | undefined): boolean {
    if (!readAt) return true;
    const cut = readAt[this.names.purchases]?.[purchase.partition];
    return cut === undefined || purchase.offset < cut;
  }

  entityForKey(key: string): string | undefined {
    const row = this.idempotency.get(key);
    return row === undefined ? undefined : this.rows.ids.id(row);
  }

  /** The input digest of the purchase made with this idempotency key, if its event carried one. */
  inputDigestForKey(key: string): string | undefined {
    const row = this.idempotency.get(key);
    const digest = row === undefined ? Number.NaN : this.inputDigests.at(row);
    return Number.isNaN(digest) ? undefined : digest.toString(16).padStart(13, '0');
  }

  private productTotals(productId: string): ProductTotals | undefined {
    const n = this.rows.products.find(productId);
    return n === undefined ? undefined : this.byProduct[n];
  }

  private customerTotals(customerId: string): Totals | undefined {
    const n = this.rows.customers.find(customerId);
    return n === undefined ? undefined : this.byCustomer[n];
  }

  /**
   * The rows of a list by product and/or customer. By both, it is the customer's rows that match
   * the product: no index per pair is kept (it would cost a list per pair, most pairs buying
   * once), and a customer's purchases are few next to a product's. Always the customer's, so
   * that cursors stay valid from one page to the next.
   */
  private listOf(productId: string | undefined, customerId: string | undefined): RowList {
    const product = productId === undefined ? undefined : this.productTotals(productId);
    const customer = customerId === undefined ? undefined : this.customerTotals(customerId);
    if ((productId !== undefined && !product) || (customerId !== undefined && !customer)) return NO_ROWS;
    if (product && customer) {
      const productNumber = this.rows.products.find(productId!)!;
      return {
        totals: customer,
        count: product.pairCount(this.rows.customers.find(customerId!)!),
        matches: (row) => this.rows.product.at(row) === productNumber,
      };
    }
    const totals = product ?? customer!;
    return { totals, count: totals.rows.length };
  }

  /**
   * Aggregates as of `readAt`: the totals kept per event, minus the purchases at or after it.
   * Those are the newest, at the end of the list, so the walk back is short. Within a partition
   * offsets grow, so once every partition of the cut has shown an older purchase, all earlier
   * ones are older.
   */
  private statsAt(totals: Totals | undefined, readAt: Position | undefined): Stats {
    const all = {
      purchaseCount: totals?.rows.length ?? 0,
      totalCents: totals?.cents.value ?? 0n,
      customerCount: totals instanceof ProductTotals ? totals.customerCount : 0,
    };
    const cuts = readAt?.[this.names.purchases];
    if (!totals || !cuts) return all;
    const excludedPerCustomer = new Map<number, number>();
    let count = all.purchaseCount;
    let total = all.totalCents;
    this.walkBackAfter(totals.rows.view(), cuts, (row) => {
      count--;
      total -= BigInt(this.rows.totalCents.at(row));
      const customer = this.rows.customer.at(row);
      excludedPerCustomer.set(customer, (excludedPerCustomer.get(customer) ?? 0) + 1);
    });
    let customers = all.customerCount;
    if (totals instanceof ProductTotals)
      for (const [customer, excluded] of excludedPerCustomer) if (totals.pairCount(customer) === excluded) customers--;
    return { purchaseCount: count, totalCents: total, customerCount: customers };
  }

  /**
   * Calls `hidden` for each row of `rows` (ascending) at or after the cut, newest first. Within a
   * partition offsets grow, so the walk stops once every partition the cut names has shown a row
   * before it: every earlier row is before it too.
   */
  private walkBackAfter(
    rows: Int32Array,
    cuts: PartitionOffsets,
    hidden: (row: number) => void,
    matches?: (row: number) => boolean,
  ): void {
    const partitions = Object.keys(cuts).length;
    const settled = new Set<number>();
    for (let i = rows.length - 1; i >= 0 && settled.size < partitions; i--) {
      const row = rows[i]!;
      if (matches && !matches(row)) continue;
      if (!this.rows.before(row, cuts)) hidden(row);
      else if (cuts[this.rows.partition.at(row)] !== undefined) settled.add(this.rows.partition.at(row));
    }
  }

  /**
   * Purchases in `order` (by transaction date, or by total; ties by id), optionally of one product
   * and/or one customer: O(log n + page) from a kept order. As of a point in time, the purchases
   * made after it are left out on the way (few, for a recent point, in date order).
   */
  page(
    args: OrderedPageArgs & {
      readonly productId?: string | null;
      readonly customerId?: string | null;
      readonly order?: PurchaseOrder;
      readonly descending?: boolean;
    },
    readAt?: Position,
  ): Connection<StoredPurchase> {
    const productId = args.productId || undefined;
    const customerId = args.customerId || undefined;
    const order = args.order ?? 'TRANSACTION_DATE';
    const cuts = readAt?.[this.names.purchases];
    const rows = this.rows;
    const visible = (row: number) => !cuts || rows.before(row, cuts);
    const common = {
      descending: args.descending ?? false,
      keyOf: (row: number) => rows.key(row, order),
      shape: PURCHASE_KEY,
    };
    if (productId === undefined && customerId === undefined) {
      return pageInOrder(args, {
        ...common,
        source: this.all.index(order, () => []),
        totalCount: cuts ? this.arrivedBefore(cuts).count : rows.count,
        node: (row) => (visible(row) ? rows.get(row) : undefined),
        filtered: cuts !== undefined,
      });
    }
    const { totals, matches, count } = this.listOf(productId, customerId);
    // An unknown product or customer: an empty list, its arguments still checked.
    if (!totals)
      return pageInOrder<StoredPurchase>(args, { ...common, source: new ArraySource([]), totalCount: 0, node: () => undefined });
    let visibleCount = count;
    if (cuts) this.walkBackAfter(totals.rows.view(), cuts, () => visibleCount--, matches);
    return pageInOrder(args, {
      ...common,
      source: totals.orders.index(order, () => totals.rows.view()),
      totalCount: visibleCount,
      node: (row) => ((!matches || matches(row)) && visible(row) ? rows.get(row) : undefined),
      filtered: cuts !== undefined || matches !== undefined,
    });
  }

  /**
   * The shop's purchase count and revenue, now or as of `readAt`, and the purchases after it (to
   * take out of the buckets over time): the figures kept per event, minus the newest purchases.
   */
  salesAt(readAt?: Position): SalesFigures {
    const cuts = readAt?.[this.names.purchases];
    if (!cuts) return { purchaseCount: this.rows.count, totalCents: this.revenue.value, after: [] };
    const after: { timeMs: number; totalCents: number }[] = [];
    let totalCents = this.revenue.value;
    for (const [partition, arrivals] of this.arrivals) {
      const cut = cuts[partition];
      if (cut === undefined) continue;
      for (let i = arrivals.length - 1; i >= 0; i--) {
        const row = arrivals.at(i);
        if (this.rows.offset.at(row) < cut) break;
        const cents = this.rows.totalCents.at(row);
        totalCents -= BigInt(cents);
        after.push({ timeMs: this.rows.timeMs(row), totalCents: cents });
      }
    }
    return { purchaseCount: this.rows.count - after.length, totalCents, after };
  }

  /** How many purchases of the whole list came before the cut, and one past the row of the last of them. */
  private arrivedBefore(cuts: PartitionOffsets): { readonly count: number; readonly end: number } {
    let count = 0;
    let end = 0;
    for (const [partition, rows] of this.arrivals) {
      const cut = cuts[partition];
      const n = cut === undefined ? rows.length : countBelow(rows.length, (i) => this.rows.offset.at(rows.at(i)), cut);
      count += n;
      if (n > 0) end = Math.max(end, rows.at(n - 1) + 1);
    }
    return { count, end };
  }

  /**
   * A page of products by their sales as of `readAt`, given the products live then, as they were
   * (names for search): the figures of each at that point, sorted in memory. O(products).
   */
  productSalesAt(
    live: readonly Mirrored<ProductData>[],
    readAt: Position,
    args: SortedPageArgs<ProductSalesOrder>,
  ): Connection<string> {
    const rows = live.map((p) => ({
      id: p.id,
      stats: this.productStats(p.id, readAt),
      created: creationKey(p.data.createdAt, p.id),
      name: p.data.name,
    }));
    const page = sortedPageOf(
      rows,
      {
        orders: {
          PURCHASE_COUNT: { key: (r) => [r.stats.purchaseCount, r.created], shape: SALES_KEY },
          CUSTOMER_COUNT: { key: (r) => [r.stats.customerCount, r.created], shape: SALES_KEY },
          TOTAL_SPENT: { key: (r) => [Number(r.stats.totalCents), r.created], shape: SALES_KEY },
        },
        text: (r) => r.name,
      },
      args,
    );
    return mapNodes(page, (r) => r.id);
  }

  /** {@link productSalesAt} for customers. */
  customerSalesAt(
    live: readonly Mirrored<CustomerData>[],
    readAt: Position,
    args: SortedPageArgs<CustomerSalesOrder>,
  ): Connection<string> {
    const rows = live.map((c) => ({
      id: c.id,
      stats: this.customerStats(c.id, readAt),
      created: creationKey(c.data.createdAt, c.id),
      name: `${c.data.firstName} ${c.data.lastName}`,
    }));
    const page = sortedPageOf(
      rows,
      {
        orders: {
          PURCHASE_COUNT: { key: (r) => [r.stats.purchaseCount, r.created], shape: SALES_KEY },
          TOTAL_SPENT: { key: (r) => [Number(r.stats.totalCents), r.created], shape: SALES_KEY },
        },
        text: (r) => r.name,
      },
      args,
    );
    return mapNodes(page, (r) => r.id);
  }

  /** A product's aggregates, now or as of `readAt`. */
  productStats(productId: string, readAt?: Position): Stats {
    return this.statsAt(this.productTotals(productId), readAt);
  }

  /** A customer's aggregates, now or as of `readAt`. */
  customerStats(customerId: string, readAt?: Position): Omit<Stats, 'customerCount'> {
    const { purchaseCount, totalCents } = this.statsAt(this.customerTotals(customerId), readAt);
    return { purchaseCount, totalCents };
  }
}

/**
 * Where each group's rows start in {@link groupRows}' array, for rows grouped by `groupOf[row]`
 * (numbers below `groups`): group g's are at `starts[g]` up to `starts[g + 1]`.
 */
function groupStarts(groupOf: Int32Array, groups: number): Int32Array {
  const starts = new Int32Array(groups + 1);
  for (let row = 0; row < groupOf.length; row++) {
    const g = groupOf[row]!;
    if (!(g >= 0 && g < groups)) throw new Error(`the snapshot's purchase in row ${row} names number ${g} of ${groups}`);
    starts[g + 1]!++;
  }
  for (let g = 0; g < groups; g++) starts[g + 1]! += starts[g]!;
  return starts;
}

/**
 * Every row, grouped as {@link groupStarts} says, each group's rows ascending; or, given `values`
 * (a column), each row's value in its row's place.
 */
function groupRows(groupOf: Int32Array, starts: Int32Array, values?: Int32Array): Int32Array {
  const next = starts.slice(0, starts.length - 1);
  const grouped = new Int32Array(groupOf.length);
  for (let row = 0; row < groupOf.length; row++) grouped[next[groupOf[row]!]!++] = values ? values[row]! : row;
  return grouped;
}

/** Throws unless `order` names each of the rows `0..count - 1` once (an order of all purchases in a snapshot). */
function checkOrder(order: Int32Array, count: number): void {
  if (order.length !== count) throw new Error("the snapshot's order of all purchases does not hold every purchase");
  const seen = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const row = order[i]!;
    if (!(row >= 0 && row < count) || seen[row])
      throw new Error(`the snapshot's order of all purchases names row ${row} twice, or of none`);
    seen[row] = 1;
  }
}
