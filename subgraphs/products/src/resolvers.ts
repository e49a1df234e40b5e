import { checkId, DateTimeScalar, executeMutation, isEntityId, MoneyScalar, type EventWriter, type PageArgs, type SubgraphContext, type SubgraphResolvers } from '@shop/event-core';
import { decide, type Product, type ProductCommand } from './domain.ts';
import type { ProductsReadModel } from './read-model.ts';

export interface ProductsResolverDeps {
  readonly model: ProductsReadModel;
  readonly writer: EventWriter;
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

/** Thin resolvers: check arguments → command → read model. */
export function createResolvers({ model, writer, now, newId, newEventId }: ProductsResolverDeps): SubgraphResolvers {
  const execute = (command: ProductCommand, args: MutationArgs, context: SubgraphContext): Promise<Product> =>
    executeMutation({
      kind: 'product',
      writer,
      context,
      idempotencyKey: args.idempotencyKey,
      expectedVersion: args.expectedVersion,
      entityForKey: (key) => model.entityForKey(key),
      decide: (meta) => decide(model.products.get(command.id), command, { eventId: newEventId(), now: now().toISOString(), meta }),
      read: (id) => model.products.get(id),
    });

  return {
    Money: MoneyScalar,
    DateTime: DateTimeScalar,
    Query: {
      products: (_: unknown, args: PageArgs) => model.products.page(args),
      product: (_: unknown, { id, includeDeleted }: { id: string; includeDeleted?: boolean | null }) =>
        isEntityId(id) ? ((includeDeleted ? model.products.get(id) : model.products.getLive(id)) ?? null) : null,
    },
    Product: {
      __resolveReference: ({ id }: { id: string }) => model.products.get(id) ?? null,
      price: (product: Product) => product.priceCents,
    },
    Mutation: {
      createProduct: (_: unknown, args: MutationArgs, context: SubgraphContext) =>
        execute({ type: 'CreateProduct', id: newId(), name: args.input?.name ?? '', priceCents: args.input?.price ?? 0 }, args, context),
      updateProduct: (_: unknown, args: MutationArgs, context: SubgraphContext) =>
        execute(
          { type: 'UpdateProduct', id: checkId(args.id), name: args.input?.name, priceCents: args.input?.price, expectedVersion: args.expectedVersion },
          args,
          context,
        ),
      deleteProduct: (_: unknown, args: MutationArgs, context: SubgraphContext) =>
        execute({ type: 'DeleteProduct', id: checkId(args.id), expectedVersion: args.expectedVersion }, args, context),
    },
  } as SubgraphResolvers;
}
