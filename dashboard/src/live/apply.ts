import type { ApolloCache } from '@apollo/client';
import { addToList, removeFromList, rootList } from '../apollo/cache.ts';
import type { ChangeKind, CustomerFieldsFragment, ProductFieldsFragment, PurchaseLiveFragment } from '../gql/graphql.ts';
import { CustomerFields, ProductFields, PurchaseLive } from '../graphql/operations.ts';

/**
 * How one change edits the cache, whoever reports it (a subscription payload or the result of
 * this tab's own mutation). Entities are written normalized, so every table, detail page and
 * chart showing them updates in place; lists gain or lose one row. Nothing is refetched.
 */
export function applyProductChange(cache: ApolloCache, kind: ChangeKind, product: ProductFieldsFragment): void {
  cache.batch({
    update(c) {
      const ref = c.writeFragment({ fragment: ProductFields, fragmentName: 'ProductFields', data: product });
      if (kind === 'DELETED') removeFromList(c, rootList('products'), product.id);
      else if (ref && !product.deletedAt) addToList(c, rootList('products'), ref);
    },
  });
}

export function applyCustomerChange(cache: ApolloCache, kind: ChangeKind, customer: CustomerFieldsFragment): void {
  cache.batch({
    update(c) {
      const ref = c.writeFragment({ fragment: CustomerFields, fragmentName: 'CustomerFields', data: customer });
      if (kind === 'DELETED') removeFromList(c, rootList('customers'), customer.id);
      else if (ref && !customer.deletedAt) addToList(c, rootList('customers'), ref);
    },
  });
}

/** A new purchase: its row joins the purchase lists, its product's and customer's aggregates change. */
export function applyPurchase(cache: ApolloCache, purchase: PurchaseLiveFragment): void {
  cache.batch({
    update(c) {
      const ref = c.writeFragment({ fragment: PurchaseLive, fragmentName: 'PurchaseLive', data: purchase });
      if (!ref) return;
      addToList(c, rootList('purchases'), ref);
      const product = c.identify({ __typename: 'Product', id: purchase.product.id });
      const customer = c.identify({ __typename: 'Customer', id: purchase.customer.id });
      if (product) addToList(c, { id: product, field: 'purchases' }, ref);
      if (customer) addToList(c, { id: customer, field: 'purchases' }, ref);
    },
  });
}
