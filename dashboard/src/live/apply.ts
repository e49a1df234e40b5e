import type { ApolloCache } from '@apollo/client';
import type { CustomerFieldsFragment, ProductFieldsFragment, PurchaseLiveFragment } from '../gql/graphql.ts';
import { CustomerFields, ProductFields, PurchaseLive } from '../graphql/operations.ts';
import type { Change } from './changes.ts';

/**
 * How one change edits the cache, whoever reports it (a subscription payload or the result of
 * this tab's own mutation): the entities are written normalized, so every row, detail page and
 * figure showing them updates in place. Which rows a page holds is the server's to say (it sorts,
 * searches and counts): each function returns the {@link Change} that lists on screen use to ask
 * for their page again.
 */
export function applyProductChange(cache: ApolloCache, product: ProductFieldsFragment): Change {
  cache.writeFragment({ fragment: ProductFields, fragmentName: 'ProductFields', data: product });
  return { stream: 'products', id: product.id };
}

export function applyCustomerChange(cache: ApolloCache, customer: CustomerFieldsFragment): Change {
  cache.writeFragment({ fragment: CustomerFields, fragmentName: 'CustomerFields', data: customer });
  return { stream: 'customers', id: customer.id };
}

/** A new purchase: its product's and customer's aggregates change with it. */
export function applyPurchase(cache: ApolloCache, purchase: PurchaseLiveFragment): Change {
  cache.writeFragment({ fragment: PurchaseLive, fragmentName: 'PurchaseLive', data: purchase });
  return { stream: 'purchases', productId: purchase.product.id, customerId: purchase.customer.id };
}
