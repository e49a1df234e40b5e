import { checkId, DateTimeScalar, executeMutation, isEntityId, MoneyScalar, parseMoney, type EventWriter, type PageArgs, type SubgraphContext, type SubgraphResolvers } from '@shop/event-core';
import { decide, type Purchase } from './domain.ts';
import type { PurchasesReadModel } from './read-model.ts';

export interface PurchasesResolverDeps {
  readonly model: PurchasesReadModel;
  readonly writer: EventWriter;
  readonly now: () => Date;
  readonly newId: () => string;
  readonly newEventId: () => string;
}

interface CreatePurchaseArgs {
  readonly input: { readonly productId: string; readonly customerId: string; readonly total?: number | null };
  readonly idempotencyKey?: string | null;
}

interface Ref {
  readonly id: string;
}

interface PurchasesArgs extends PageArgs {
  readonly productId?: string | null;
  readonly customerId?: string | null;
}

const optionalId = (id: string | null | undefined, field: string): string | undefined => (id === null || id === undefined ? undefined : checkId(id, field));

/** Thin resolvers: check arguments → command → read model. Aggregates are read, never computed here. */
export function createResolvers({ model, writer, now, newId, newEventId }: PurchasesResolverDeps): SubgraphResolvers {
  return {
    Money: MoneyScalar,
    DateTime: DateTimeScalar,
    Query: {
      purchases: (_: unknown, args: PurchasesArgs, { readAt }: SubgraphContext) =>
        model.page({ ...args, productId: optionalId(args.productId, 'productId'), customerId: optionalId(args.customerId, 'customerId') }, readAt),
      purchase: (_: unknown, { id }: { id: string }) => (isEntityId(id) ? (model.purchase(id) ?? null) : null),
    },
    Purchase: {
      __resolveReference: ({ id }: { id: string }) => model.purchase(id) ?? null,
      product: (purchase: Purchase) => ({ __typename: 'Product', id: purchase.productId }),
      customer: (purchase: Purchase) => ({ __typename: 'Customer', id: purchase.customerId }),
      total: (purchase: Purchase) => purchase.totalCents,
    },
    // Aggregates honour X-Read-At (context.readAt): a subscription payload shows them exactly as
    // they were at its event, not as they are when it is hydrated.
    Product: {
      __resolveReference: ({ id }: { id: string }) => ({ id }),
      purchases: ({ id }: Ref, args: PageArgs, { readAt }: SubgraphContext) => model.page({ ...args, productId: id }, readAt),
      purchaseCount: ({ id }: Ref, _: unknown, { readAt }: SubgraphContext) => model.productStats(id, readAt).purchaseCount,
      customerCount: ({ id }: Ref, _: unknown, { readAt }: SubgraphContext) => model.productStats(id, readAt).customerCount,
      totalSpent: ({ id }: Ref, _: unknown, { readAt }: SubgraphContext) => model.productStats(id, readAt).totalCents,
    },
    Customer: {
      __resolveReference: ({ id }: { id: string }) => ({ id }),
      purchases: ({ id }: Ref, args: PageArgs, { readAt }: SubgraphContext) => model.page({ ...args, customerId: id }, readAt),
      purchaseCount: ({ id }: Ref, _: unknown, { readAt }: SubgraphContext) => model.customerStats(id, readAt).purchaseCount,
      totalSpent: ({ id }: Ref, _: unknown, { readAt }: SubgraphContext) => model.customerStats(id, readAt).totalCents,
    },
    Mutation: {
      createPurchase: (_: unknown, { input, idempotencyKey }: CreatePurchaseArgs, context: SubgraphContext) => {
        const productId = checkId(input.productId, 'productId');
        const customerId = checkId(input.customerId, 'customerId');
        return executeMutation({
          kind: 'purchase',
          writer,
          context,
          idempotencyKey,
          entityForKey: (key) => model.entityForKey(key),
          decide: (meta) => {
            const product = model.products.table.getLive(productId);
            const view = {
              productPriceCents: product && parseMoney(product.data.price, 'price'),
              customerExists: model.customers.table.getLive(customerId) !== undefined,
            };
            return decide(view, { type: 'MakePurchase', id: newId(), productId, customerId, totalCents: input.total }, { eventId: newEventId(), now: now().toISOString(), meta });
          },
          read: (id) => model.purchase(id),
        });
      },
    },
  } as SubgraphResolvers;
}
