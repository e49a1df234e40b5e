import { useApolloClient, useMutation } from '@apollo/client/react';
import type { CustomerFieldsFragment, ProductFieldsFragment } from '../gql/graphql.ts';
import {
  CreateCustomer,
  CreateProduct,
  CreatePurchase,
  CustomerFields,
  DeleteCustomer,
  DeleteProduct,
  ProductFields,
  UpdateCustomer,
  UpdateProduct,
} from '../graphql/operations.ts';
import { applyCustomerChange, applyProductChange, applyPurchase } from '../live/apply.ts';
import { CustomerQuery, PAGE_SIZE, ProductQuery } from '../graphql/operations.ts';

/**
 * The mutations, each with the same cache edit a subscription payload would make: the tab that
 * made a change sees it at once, and the echo from the subscription changes nothing more.
 */
export function useProductMutations() {
  const client = useApolloClient();
  const [create] = useMutation(CreateProduct, {
    update: (cache, { data }) => data && applyProductChange(cache, 'CREATED', data.createProduct),
  });
  const [update] = useMutation(UpdateProduct, {
    update: (cache, { data }) => data && applyProductChange(cache, 'UPDATED', data.updateProduct),
  });
  const [remove] = useMutation(DeleteProduct, {
    update: (cache, { data }) => data && applyProductChange(cache, 'DELETED', data.deleteProduct),
  });
  /** The product as the server has it now (after a CONFLICT). */
  const reload = async (id: string): Promise<ProductFieldsFragment | null> => {
    const { data } = await client.query({
      query: ProductQuery,
      variables: { id, first: PAGE_SIZE },
      fetchPolicy: 'network-only',
    });
    return (
      data?.product ??
      client.readFragment({
        fragment: ProductFields,
        fragmentName: 'ProductFields',
        id: client.cache.identify({ __typename: 'Product', id }),
      })
    );
  };
  return { create, update, remove, reload };
}

export function useCustomerMutations() {
  const client = useApolloClient();
  const [create] = useMutation(CreateCustomer, {
    update: (cache, { data }) => data && applyCustomerChange(cache, 'CREATED', data.createCustomer),
  });
  const [update] = useMutation(UpdateCustomer, {
    update: (cache, { data }) => data && applyCustomerChange(cache, 'UPDATED', data.updateCustomer),
  });
  const [remove] = useMutation(DeleteCustomer, {
    update: (cache, { data }) => data && applyCustomerChange(cache, 'DELETED', data.deleteCustomer),
  });
  const reload = async (id: string): Promise<CustomerFieldsFragment | null> => {
    const { data } = await client.query({
      query: CustomerQuery,
      variables: { id, first: PAGE_SIZE },
      fetchPolicy: 'network-only',
    });
    return (
      data?.customer ??
      client.readFragment({
        fragment: CustomerFields,
        fragmentName: 'CustomerFields',
        id: client.cache.identify({ __typename: 'Customer', id }),
      })
    );
  };
  return { create, update, remove, reload };
}

export function usePurchaseMutation() {
  const [create] = useMutation(CreatePurchase, {
    update: (cache, { data }) => data && applyPurchase(cache, data.createPurchase),
  });
  return create;
}
