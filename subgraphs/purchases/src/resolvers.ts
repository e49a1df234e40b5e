import {
  checkId,
  DateTimeScalar,
  decodeRecord,
  diffFields,
  encodePosition,
  executeMutation,
  isEntityId,
  mapNodes,
  MoneyScalar,
  paginate,
  parseAsOf,
  parseMoney,
  pointInTime,
  positionAfter,
  sortedPageArgs,
  type Connection,
  type EntityHistory,
  type EventEnvelope,
  type EventWriter,
  type HistoryEntry,
  type HistoryPageArgs,
  type ListArgs,
  type OrderedPageArgs,
  type PointInTime,
  type SortedPageArgs,
  type Position,
  type Projector,
  type RecordReader,
  type Mirrored,
  type SubgraphContext,
  type WholeStateReadModel,
} from '@shop/event-core';
import { toPurchaseEvent } from '@shop/schema';
import { decide, toData } from './domain.ts';
import type { Resolvers } from './generated/resolvers-types.ts';
import type {
  CustomerSalesOrder,
  ProductSalesOrder,
  PurchaseOrder,
  PurchasesReadModel,
  SalesRef,
  StoredPurchase,
} from './read-model.ts';

export interface PurchasesResolverDeps {
  readonly model: PurchasesReadModel;
  readonly writer: EventWriter;
  /** Reads purchase records back for `Purchase.history`. */
  readonly reader: RecordReader;
  /** Read product and customer records back for their names as of a point in time. */
  readonly mirrorReaders: { readonly products: RecordReader; readonly customers: RecordReader };
  /** Waited on for an `asOf` position this subgraph has not applied yet. */
  readonly projector: Pick<Projector, 'waitFor'>;
  /** Bound on that wait, in ms. */
  readonly asOfTimeoutMs: number;
  readonly now: () => Date;
  readonly newId: () => string;
  readonly newEventId: () => string;
}

/**
 * A product's or customer's data as the read model mirrors it, for the names this subgraph
 * provides: now, or as of the point in time the reference carries (a purchase listed `asOf`).
 */
function mirroredData<D, E extends EventEnvelope>(
  kind: string,
  mirror: WholeStateReadModel<Mirrored<D>, E>,
  past: EntityHistory<Mirrored<D>, E>,
): (ref: SalesRef) => Promise<D> {
  // Names are provided only for a purchase's product and customer, which exist whenever a purchase
  // is made (it is refused otherwise) and stay mirrored, deleted or not: one missing is this
  // subgraph's fault, not the request's.
  const known = (id: string, data: D | undefined): D => {
    if (data === undefined) throw new Error(`${kind} "${id}" is not mirrored by the purchases subgraph`);
    return data;
  };
  // The fields of one reference (a customer's first and last name) read its past state once.
  const pastReads = new WeakMap<SalesRef, Promise<D>>();
  return async (ref) => {
    const { id, asOf } = ref;
    const current = () => mirror.table.get(id);
    if (asOf === null) return known(id, current()?.data);
    let read = pastReads.get(ref);
    if (!read) {
      read = past.stateAt(id, mirror.times.cut(mirror.topic, parseAsOf(asOf)), current).then(
        // A purchase's product and customer existed when it was made; compaction may have dropped
        // their records from before it, and then what is known now is all there is.
        (then) => known(id, (then ?? current())?.data),
      );
      pastReads.set(ref, read);
    }
    return read;
  };
}

/** A purchase as the graph sees it; one listed as of a point in time passes that point to its product and customer. */
type PurchaseAt = StoredPurchase & { readonly asOf?: string };

/** Arguments of a purchase list: paging and `orderBy`. */
interface PurchaseListArgs extends OrderedPageArgs {
  readonly orderBy?: { readonly field: PurchaseOrder; readonly direction?: 'ASC' | 'DESC' | null } | null;
}

const PURCHASE_ORDERS: readonly PurchaseOrder[] = ['TRANSACTION_DATE', 'TOTAL'];
const PRODUCT_SALES_ORDERS: readonly ProductSalesOrder[] = ['PURCHASE_COUNT', 'CUSTOMER_COUNT', 'TOTAL_SPENT'];
const CUSTOMER_SALES_ORDERS: readonly CustomerSalesOrder[] = ['PURCHASE_COUNT', 'TOTAL_SPENT'];

/** The order and paging of a purchase list, checked. */
function purchaseOrder({ orderBy, first, after, offset }: PurchaseListArgs) {
  const { order, descending } = sortedPageArgs({ orderBy }, PURCHASE_ORDERS, { order: 'TRANSACTION_DATE', descending: false });
  return { first, after, offset, order, descending };
}

/** `from`/`to` of `Sales.overTime` in epoch ms (the DateTime scalar has checked them). */
const epochMs = (date: string | null | undefined): number | undefined => (date ? Date.parse(date) : undefined);

/** Where to read: purchases before `readAt` (none: all of them); references carry `refAsOf` on. */
interface ReadPoint {
  readonly readAt?: Position;
  readonly refAsOf?: string;
}

const optionalId = (id: string | null | undefined, field: string): string | undefined =>
  id === null || id === undefined ? undefined : checkId(id, field);

/** Thin resolvers: check arguments → command → read model. Aggregates are read, never computed here. */
export function createResolvers({
  model,
  writer,
  reader,
  mirrorReaders,
  projector,
  asOfTimeoutMs,
  now,
  newId,
  newEventId,
}: PurchasesResolverDeps): Resolvers {
  /**
   * An entity's or argument's `asOf` wins; without one, `X-Read-At` (a subscription payload shows
   * aggregates exactly as they were at its event, not as they are when it is hydrated).
   */
  const readPoint = async (asOf: string | null | undefined, context: SubgraphContext): Promise<ReadPoint> => {
    if (asOf === undefined || asOf === null) return context.readAt ? { readAt: context.readAt } : {};
    return readPointAt(await pointInTime(asOf, projector, asOfTimeoutMs));
  };
  const readPointAt = (when: PointInTime): ReadPoint & { readAt: Position } => {
    // A position is completed over every topic before it is passed on, so the products and
    // customers subgraphs cut their own topic exactly, even for a position in the purchases topic.
    const refAsOf = when.asOf.kind === 'instant' ? when.text : encodePosition(model.times.position(model.topics, when.asOf));
    return { readAt: model.times.position([model.names.purchases], when.asOf), refAsOf };
  };
  const productPast = model.products.pastStates(mirrorReaders.products);
  const customerPast = model.customers.pastStates(mirrorReaders.customers);
  const productData = mirroredData('product', model.products, productPast);
  const customerData = mirroredData('customer', model.customers, customerPast);
  /**
   * A list of products or customers by their sales: kept per event now; as of a point in time, the
   * entities live then (as they were) sorted by their figures then. Its entities are references,
   * carrying that point on, that their owner resolves.
   */
  const bySales = async <O extends string, D, E extends EventEnvelope>(
    args: ListArgs,
    list: {
      readonly orders: readonly O[];
      /** The figure a list is sorted by unless asked otherwise (highest first). */
      readonly byDefault: O;
      readonly current: { page(args: SortedPageArgs<O>): Connection<SalesRef> };
      readonly mirror: WholeStateReadModel<Mirrored<D>, E>;
      readonly past: EntityHistory<Mirrored<D>, E>;
      readonly sortAt: (live: Mirrored<D>[], readAt: Position, page: SortedPageArgs<O>) => Connection<string>;
    },
  ): Promise<Connection<SalesRef>> => {
    const { orders, byDefault, current, mirror, past, sortAt } = list;
    const page = sortedPageArgs(args, orders, { order: byDefault, descending: true });
    if (args.asOf === undefined || args.asOf === null) return current.page(page);
    const when = await pointInTime(args.asOf, projector, asOfTimeoutMs);
    const { readAt, refAsOf } = readPointAt(when);
    const live = await past.allAt(mirror.times.cut(mirror.topic, when.asOf), (id) => mirror.table.get(id));
    return mapNodes(sortAt(live, readAt, page), (id) => ({ id, asOf: refAsOf ?? null }));
  };
  const marked = (page: Connection<StoredPurchase>, { refAsOf }: ReadPoint): Connection<PurchaseAt> =>
    refAsOf === undefined ? page : mapNodes(page, (purchase) => ({ ...purchase, asOf: refAsOf }));

  const history = async (purchase: StoredPurchase, args: HistoryPageArgs): Promise<Connection<HistoryEntry>> => {
    // A purchase never changes: its history is the one event that made it.
    const record = (await reader.read(purchase.partition, [purchase.offset])).get(purchase.offset);
    const entries: HistoryEntry[] = [];
    if (record) {
      const event = toPurchaseEvent(decodeRecord(record), record);
      const { total, productId, customerId, transactionDate } = toData(purchase);
      entries.push({
        eventId: event.id,
        type: event.type,
        kind: 'CREATED',
        version: event.version,
        occurredAt: event.occurredAt,
        position: encodePosition(positionAfter(record.topic, record.partition, record.offset)),
        actor: event.meta.actor ?? null,
        changes: diffFields(undefined, { productId, customerId, total, transactionDate }),
      });
    }
    return paginate(entries, args, entries.length, (entry) => entry);
  };

  return {
    Money: MoneyScalar,
    DateTime: DateTimeScalar,
    Query: {
      purchases: async (_, { asOf, ...args }, context) => {
        const point = await readPoint(asOf, context);
        const filter = {
          ...purchaseOrder(args),
          productId: optionalId(args.productId, 'productId'),
          customerId: optionalId(args.customerId, 'customerId'),
        };
        return marked(model.page(filter, point.readAt), point);
      },
      // Lists by sales: the figures are this subgraph's, so it answers these lists; the owners
      // resolve the rest of each entity.
      productsBySales: (_, args) =>
        bySales(args, {
          orders: PRODUCT_SALES_ORDERS,
          byDefault: 'TOTAL_SPENT',
          current: model.productSales,
          mirror: model.products,
          past: productPast,
          sortAt: (live, readAt, page) => model.productSalesAt(live, readAt, page),
        }),
      customersBySales: (_, args) =>
        bySales(args, {
          orders: CUSTOMER_SALES_ORDERS,
          byDefault: 'TOTAL_SPENT',
          current: model.customerSales,
          mirror: model.customers,
          past: customerPast,
          sortAt: (live, readAt, page) => model.customerSalesAt(live, readAt, page),
        }),
      // Read once per query, however many of `Sales`'s fields ask (as of a past point, a walk over
      // the purchases made since).
      sales: async (_, { asOf }, context) => model.salesAt((await readPoint(asOf, context)).readAt),
      purchase: async (_, { id, asOf }, context) => {
        const purchase = isEntityId(id) ? model.purchase(id) : undefined;
        if (!purchase || asOf === undefined || asOf === null) return purchase ?? null;
        const point = await readPoint(asOf, context);
        return model.visibleAt(purchase, point.readAt) ? { ...purchase, asOf: point.refAsOf } : null;
      },
    },
    Purchase: {
      __resolveReference: ({ id }) => model.purchase(id) ?? null,
      product: (purchase: PurchaseAt) => ({ __typename: 'Product', id: purchase.productId, asOf: purchase.asOf ?? null }),
      customer: (purchase: PurchaseAt) => ({ __typename: 'Customer', id: purchase.customerId, asOf: purchase.asOf ?? null }),
      total: (purchase) => purchase.totalCents,
      history: (purchase, args) => history(purchase, args),
    },
    // Aggregates are answered as of the entity's `asOf` (or X-Read-At): the totals kept per event,
    // minus the few purchases after that point.
    Product: {
      __resolveReference: ({ id, asOf }) => ({ id, asOf: asOf ?? null }),
      asOf: ({ asOf }) => asOf ?? null,
      // Provided for `Purchase.product` (the gateway asks no other subgraph for it there).
      name: async (ref) => (await productData(ref)).name,
      purchases: async ({ id, asOf }, args, context) => {
        const point = await readPoint(asOf, context);
        return marked(model.page({ ...purchaseOrder(args), productId: id }, point.readAt), point);
      },
      purchaseCount: async ({ id, asOf }, _, context) =>
        model.productStats(id, (await readPoint(asOf, context)).readAt).purchaseCount,
      customerCount: async ({ id, asOf }, _, context) =>
        model.productStats(id, (await readPoint(asOf, context)).readAt).customerCount,
      totalSpent: async ({ id, asOf }, _, context) => model.productStats(id, (await readPoint(asOf, context)).readAt).totalCents,
    },
    Customer: {
      __resolveReference: ({ id, asOf }) => ({ id, asOf: asOf ?? null }),
      asOf: ({ asOf }) => asOf ?? null,
      // Provided for `Purchase.customer`.
      firstName: async (ref) => (await customerData(ref)).firstName,
      lastName: async (ref) => (await customerData(ref)).lastName,
      purchases: async ({ id, asOf }, args, context) => {
        const point = await readPoint(asOf, context);
        return marked(model.page({ ...purchaseOrder(args), customerId: id }, point.readAt), point);
      },
      purchaseCount: async ({ id, asOf }, _, context) =>
        model.customerStats(id, (await readPoint(asOf, context)).readAt).purchaseCount,
      totalSpent: async ({ id, asOf }, _, context) => model.customerStats(id, (await readPoint(asOf, context)).readAt).totalCents,
    },
    Sales: {
      purchaseCount: (sales) => sales.purchaseCount,
      revenue: (sales) => sales.totalCents,
      overTime: ({ after }, { from, to, bucket }) => {
        const { bucket: size, buckets } = model.overTime.range({ fromMs: epochMs(from), toMs: epochMs(to), bucket }, after);
        return {
          bucket: size,
          buckets: buckets.map((b) => ({
            start: new Date(b.startMs).toISOString(),
            purchaseCount: b.purchaseCount,
            revenue: b.totalCents,
          })),
        };
      },
    },
    Mutation: {
      createPurchase: (_, { input, idempotencyKey }, context) => {
        const productId = checkId(input.productId, 'productId');
        const customerId = checkId(input.customerId, 'customerId');
        return executeMutation({
          kind: 'purchase',
          writer,
          context,
          idempotencyKey,
          entityForKey: (key) => model.entityForKey(key),
          inputDigestForKey: (key) => model.inputDigestForKey(key),
          input,
          decide: (meta) => {
            const product = model.products.table.getLive(productId);
            const view = {
              productPriceCents: product && parseMoney(product.data.price, 'price'),
              customerExists: model.customers.table.getLive(customerId) !== undefined,
            };
            return decide(
              view,
              { type: 'MakePurchase', id: newId(), productId, customerId, totalCents: input.total },
              { eventId: newEventId(), now: now().toISOString(), meta },
            );
          },
          read: (id) => model.purchase(id),
        });
      },
    },
  };
}
