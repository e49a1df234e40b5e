/**
 * GraphQL Code Generator types a subgraph's resolver map with every resolver optional, since
 * graphql-js answers a field without one from the parent object's property of the same name. With
 * parents mapped to read-model records, a field added to the SDL that no record holds, or that one
 * holds in another form (`priceCents` for `price: Money!`), would pass unchecked.
 * `CompleteResolvers` checks it, by these rules:
 *
 * - A field needs a resolver unless its parent type has a property of that name holding what the
 *   field returns. A property that may be undefined answers a nullable field (graphql-js gives
 *   null for it); the root types' parents have no properties, so every root field needs one.
 * - A type with a field that needs a resolver must be in the map, and so must every custom scalar:
 *   without its implementation a scalar passes values through as they are held.
 * - `__resolveReference` and the other special resolvers stay optional, and so does
 *   `Subscription`: the gateway serves subscriptions from the log, not the subgraphs.
 *
 * Only types: nothing here runs.
 */
import type { GraphQLScalarType } from 'graphql';

/** A generated field resolver's function: the resolver itself, or the `resolve` of its object form. */
type FieldFunction<R> = R extends { readonly resolve: infer F } ? F : R;

/** Whether the default resolver answers field `K`, returning `T`, from a parent of type `P`. */
type DefaultAnswers<P, K, T> = K extends keyof P
  ? [P[K]] extends [never]
    ? false
    : [null extends T ? Exclude<P[K], undefined> : P[K]] extends [T]
      ? true
      : false
  : false;

/** The fields of one type's generated resolvers that the default resolver cannot answer. */
export type FieldsNeedingResolvers<TFields> = {
  [K in keyof TFields]-?: K extends `__${string}`
    ? never
    : FieldFunction<Exclude<TFields[K], undefined>> extends (parent: infer P, args: never, context: never, info: never) => infer T
      ? DefaultAnswers<P, K, T> extends true
        ? never
        : K
      : never;
}[keyof TFields];

/** One type's resolvers, with a resolver required for each field that needs one. */
type CompleteFields<TFields> = Omit<TFields, FieldsNeedingResolvers<TFields>> & {
  [K in FieldsNeedingResolvers<TFields>]-?: Exclude<TFields[K & keyof TFields], undefined>;
};

type Complete<V> = V extends GraphQLScalarType ? V : CompleteFields<V>;

/** The types that must be in the map: custom scalars, and types with a field that needs a resolver. */
type RequiredTypes<TMap> = {
  [T in keyof TMap]-?: T extends 'Subscription'
    ? never
    : Exclude<TMap[T], undefined> extends GraphQLScalarType
      ? T
      : [FieldsNeedingResolvers<Exclude<TMap[T], undefined>>] extends [never]
        ? never
        : T;
}[keyof TMap];

/**
 * The resolver map a subgraph must provide, from the one GraphQL Code Generator makes for its SDL
 * (`typescript-resolvers`): every type and field resolver it needs is required (see the rules at
 * the top of this module), the others stay optional.
 */
export type CompleteResolvers<TMap> = { [T in keyof TMap]?: Complete<Exclude<TMap[T], undefined>> } & {
  [T in RequiredTypes<TMap>]-?: Complete<Exclude<TMap[T & keyof TMap], undefined>>;
};
