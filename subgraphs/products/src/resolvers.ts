import {
  checkId,
  DateTimeScalar,
  MoneyScalar,
  wholeStateResolvers,
  type At,
  type EntityHistory,
  type EntityMutationArgs,
  type EventWriter,
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

interface MutationArgs extends EntityMutationArgs {
  readonly input?: { readonly name?: string | null; readonly price?: number | null };
}

/** Thin resolvers: check arguments → command → read model; past states → the log, on demand. */
export function createResolvers({ newId, ...deps }: ProductsResolverDeps): SubgraphResolvers {
  const products = wholeStateResolvers<Product, ProductEvent, ProductCommand>({ kind: 'product', decide, ...deps });
  return {
    Money: MoneyScalar,
    DateTime: DateTimeScalar,
    Query: { products: products.list, product: products.one },
    Product: { ...products.entity, price: (product: At<Product>) => product.priceCents },
    Mutation: {
      createProduct: (_: unknown, args: MutationArgs, context: SubgraphContext) =>
        products.execute(
          { type: 'CreateProduct', id: newId(), name: args.input?.name ?? '', priceCents: args.input?.price ?? 0 },
          args,
          context,
        ),
      updateProduct: (_: unknown, args: MutationArgs, context: SubgraphContext) =>
        products.execute(
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
        products.execute({ type: 'DeleteProduct', id: checkId(args.id), expectedVersion: args.expectedVersion }, args, context),
    },
  } as SubgraphResolvers;
}
