import { GraphQLScalarType } from 'graphql';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { CompleteResolvers, FieldsNeedingResolvers } from '../src/graphql/complete-resolvers.ts';

// The shapes GraphQL Code Generator's `typescript-resolvers` gives a type's resolvers: every one
// optional, a function or `{ resolve }`, returning the field's type or a promise of it.
type Wrapped<T> = Promise<T> | T;
type ResolverFn<TResult, TParent> = (
  parent: TParent,
  args: Record<PropertyKey, never>,
  context: unknown,
  info: unknown,
) => Promise<TResult> | TResult;
type Resolver<TResult, TParent> = ResolverFn<TResult, TParent> | { resolve: ResolverFn<TResult, TParent> };

/** A read-model record mapped as the parent of `Product`. */
interface ProductRecord {
  readonly id: string;
  readonly name: string;
  readonly priceCents: number;
  readonly note?: string;
  readonly deletedAt: string | null;
}

interface ProductResolvers {
  __resolveReference?: (reference: { id: string }) => Wrapped<ProductRecord | null>;
  id?: Resolver<Wrapped<string>, ProductRecord>;
  name?: Resolver<Wrapped<string>, ProductRecord>;
  price?: Resolver<Wrapped<string>, ProductRecord>;
  note?: Resolver<Wrapped<string> | null, ProductRecord>;
  deletedAt?: Resolver<Wrapped<string> | null, ProductRecord>;
  sku?: Resolver<Wrapped<string> | null, ProductRecord>;
}

interface QueryResolvers {
  product?: Resolver<Wrapped<ProductRecord> | null, Record<PropertyKey, never>>;
}

interface PageInfoResolvers {
  hasNextPage?: Resolver<Wrapped<boolean>, { hasNextPage: boolean }>;
}

interface ResolverMap {
  Money?: GraphQLScalarType;
  Product?: ProductResolvers;
  Query?: QueryResolvers;
  PageInfo?: PageInfoResolvers;
  Subscription?: { productChanged?: { subscribe: () => AsyncIterable<unknown> } };
}

const money = new GraphQLScalarType({ name: 'Money' });
const product: ProductRecord = { id: 'p1', name: 'Tea', priceCents: 150, deletedAt: null };

describe('CompleteResolvers', () => {
  it('asks for a resolver where the parent record lacks the field, holds it in another type, or may leave a non-null one undefined', () => {
    // `id`, `name` and `deletedAt` are the record's own; `note` may be undefined, which a nullable
    // field answers with null; `price` is held as `priceCents`; `sku` is in no record.
    expectTypeOf<FieldsNeedingResolvers<ProductResolvers>>().toEqualTypeOf<'price' | 'sku'>();
    expectTypeOf<FieldsNeedingResolvers<{ note?: Resolver<Wrapped<string>, ProductRecord> }>>().toEqualTypeOf<'note'>();
  });

  it('asks for every field of a root type, whose parent holds nothing', () => {
    expectTypeOf<FieldsNeedingResolvers<QueryResolvers>>().toEqualTypeOf<'product'>();
  });

  it('requires those types, and custom scalars; other types and subscriptions stay optional', () => {
    const resolvers: CompleteResolvers<ResolverMap> = {
      Money: money,
      Product: { price: (p) => (p.priceCents / 100).toFixed(2), sku: () => null },
      Query: { product: () => product },
    };
    // @ts-expect-error `price` and `sku` have no resolver.
    const missingFields: CompleteResolvers<ResolverMap> = { Money: money, Product: {}, Query: { product: () => product } };
    // @ts-expect-error `Query` is missing.
    const missingType: CompleteResolvers<ResolverMap> = { Money: money, Product: resolvers.Product! };
    // @ts-expect-error `Money` is missing: without it, Apollo would pass cents through as they are.
    const missingScalar: CompleteResolvers<ResolverMap> = { Product: resolvers.Product!, Query: resolvers.Query! };
    const wrongShape: CompleteResolvers<ResolverMap> = {
      ...resolvers,
      // @ts-expect-error `Product.name` is a String!, not a number.
      Product: { ...resolvers.Product!, name: (p) => p.priceCents },
    };
    expect([missingFields, missingType, missingScalar, wrongShape]).toHaveLength(4);
  });
});
