import {
  checkId,
  DateTimeScalar,
  MoneyScalar,
  wholeStateResolvers,
  type EntityHistory,
  type EventWriter,
  type Projector,
} from '@shop/event-core';
import type { ProductEvent } from '@shop/schema';
import { decide, type Product, type ProductCommand } from './domain.ts';
import type { Resolvers } from './generated/resolvers-types.ts';
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

/** Thin resolvers: check arguments → command → read model; past states → the log, on demand. */
export function createResolvers({ newId, ...deps }: ProductsResolverDeps): Resolvers {
  const products = wholeStateResolvers<Product, ProductEvent, ProductCommand>({ kind: 'product', decide, ...deps });
  return {
    Money: MoneyScalar,
    DateTime: DateTimeScalar,
    Query: { products: products.list, product: products.one },
    Product: { ...products.entity, price: (product) => product.priceCents },
    Mutation: {
      createProduct: (_, args, context) =>
        products.execute(
          { type: 'CreateProduct', id: newId(), name: args.input.name, priceCents: args.input.price },
          args,
          context,
        ),
      updateProduct: (_, args, context) =>
        products.execute(
          {
            type: 'UpdateProduct',
            id: checkId(args.id),
            name: args.input.name,
            priceCents: args.input.price,
            expectedVersion: args.expectedVersion,
          },
          args,
          context,
        ),
      deleteProduct: (_, args, context) =>
        products.execute({ type: 'DeleteProduct', id: checkId(args.id), expectedVersion: args.expectedVersion }, args, context),
    },
  };
}
