import {
  checkId,
  DateTimeScalar,
  executeMutation,
  isEntityId,
  mapNodes,
  MoneyScalar,
  parseAsOf,
  pointInTime,
  type EntityHistory,
  type EventWriter,
  type HistoryPageArgs,
  type PageArgs,
  type PointInTime,
  type Projector,
  type SubgraphContext,
  type SubgraphResolvers,
} from '@shop/event-core';
import type { ProductEvent } from '@shop/schema';
import { decide, type Product, type ProductCommand } from './domain.ts';
import type { ProductsReadModel } from './read-model.ts';

export interface ProductsResolverDeps {
  readonly model: ProductsReadModel;
  readonly writer: EventWriter;
  /** Past states and histories, read from the log on demand. */
  readonly past: EntityHistory<Product, ProductEvent>;
  /** Waited on for an `asOf` position this subgraph has not applied yet. */
  readonly projector: Pick<Projector, 'waitFor'>;
  /** Bound on that wait, in ms. */
  readonly asOfTimeoutMs: number;
  readonly now: () => Date;
  readonly newId: () => string;
  readonly newEventId: () => string;
}

interface MutationArgs {
  readonly id?: string;
  readonly input?: { readonly name?: string | null; readonly price?: number | null };
  readonly expectedVersion?: number | null;
  readonly idempotencyKey?: string | null;
}

/** A product as the graph sees it: its state, and the point in time that state is as of (none: now). */
type ProductAt = Product & { readonly asOf?: string };

const at = (product: Product, point: PointInTime): ProductAt => ({ ...product, asOf: point.text });

/** Thin resolvers: check arguments → command → read model; past states → the log, on demand. */
export function createResolvers({
  model,
  writer,
  past,
  projector,
  asOfTimeoutMs,
  now,
  newId,
  newEventId,
}: ProductsResolverDeps): SubgraphResolvers {
  const execute = (command: ProductCommand, args: MutationArgs, context: SubgraphContext): Promise<Product> =>
    executeMutation({
      kind: 'product',
      writer,
      context,
      idempotencyKey: args.idempotencyKey,
      expectedVersion: args.expectedVersion,
      entityForKey: (key) => model.entityForKey(key),
      decide: (meta) =>
        decide(model.products.get(command.id), command, { eventId: newEventId(), now: now().toISOString(), meta }),
      read: (id) => model.products.get(id),
    });

  const point = (asOf: string) => pointInTime(asOf, projector, asOfTimeoutMs);
  const cut = (asOf: PointInTime['asOf']) => model.times.cut(model.topic, asOf);
  /** A product as of a point in time, deleted or not; undefined before it existed. */
  const productAt = async (id: string, when: PointInTime): Promise<ProductAt | undefined> => {
    const product = await past.stateAt(id, cut(when.asOf), () => model.products.get(id));
    return product && at(product, when);
  };

  return {
    Money: MoneyScalar,
    DateTime: DateTimeScalar,
    Query: {
      products: async (_: unknown, { asOf, ...args }: PageArgs & { asOf?: string | null }) => {
        if (asOf === undefined || asOf === null) return model.products.page(args);
        const when = await point(asOf);
        return mapNodes(await past.listAt(cut(when.asOf), args, (id) => model.products.get(id)), (product) => at(product, when));
      },
      product: async (
        _: unknown,
        { id, includeDeleted, asOf }: { id: string; includeDeleted?: boolean | null; asOf?: string | null },
      ) => {
        if (!isEntityId(id)) return null;
        if (asOf === undefined || asOf === null)
          return (includeDeleted ? model.products.get(id) : model.products.getLive(id)) ?? null;
        const product = await productAt(id, await point(asOf));
        return product && (product.deletedAt === null || includeDeleted) ? product : null;
      },
    },
    Product: {
      // References resolve deleted products too, so what refers to them stays readable.
      __resolveReference: async ({ id, asOf }: { id: string; asOf?: string | null }) => {
        if (asOf === undefined || asOf === null) return model.products.get(id) ?? null;
        return (await productAt(id, await point(asOf))) ?? null;
      },
      price: (product: ProductAt) => product.priceCents,
      asOf: (product: ProductAt) => product.asOf ?? null,
      history: (product: ProductAt, args: HistoryPageArgs) =>
        past.page(product.id, args, product.asOf ? cut(parseAsOf(product.asOf)) : undefined),
    },
    Mutation: {
      createProduct: (_: unknown, args: MutationArgs, context: SubgraphContext) =>
        execute(
          { type: 'CreateProduct', id: newId(), name: args.input?.name ?? '', priceCents: args.input?.price ?? 0 },
          args,
          context,
        ),
      updateProduct: (_: unknown, args: MutationArgs, context: SubgraphContext) =>
        execute(
          {
            type: 'UpdateProduct',
            id: checkId(args.id),
            name: args.input?.name,
            priceCents: args.input?.price,
            expectedVersion: args.expectedVersion,
          },
          args,
          context,
        ),
      deleteProduct: (_: unknown, args: MutationArgs, context: SubgraphContext) =>
        execute({ type: 'DeleteProduct', id: checkId(args.id), expectedVersion: args.expectedVersion }, args, context),
    },
  } as SubgraphResolvers;
}
