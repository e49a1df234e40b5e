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
import { CustomerQuery, ProductQuery } from '../graphql/operations.ts';
import { applyCustomerChange, applyProductChange, applyPurchase } from '../live/apply.ts';
import type { Change } from '../live/changes.ts';
import { useLive } from '../live/LiveContext.tsx';

/** Tells the lists on screen of a change this tab made, as the live feed tells them of others'. */
function useTell(): (change: Change) => void {
  const { changes } = useLive();
  return (change) => changes?.emit(change);
}

/**
 * The mutations, each with the same cache edit a subscription payload would make: the tab that
 * made a change sees it at once (a list it belongs on asks for its page again, with this tab's
 * consistency token, so the server's answer includes it), and the echo changes nothing more.
 */
export function useProductMutations() {
  const client = useApolloClient();
  const tell = useTell();
  const [create] = useMutation(CreateProduct, {
    update: (cache, { data }) => data && tell(applyProductChange(cache, data.createProduct)),
  });
  const [update] = useMutation(UpdateProduct, {
    update: (cache, { data }) => data && tell(applyProductChange(cache, data.updateProduct)),
  });
  const [remove] = useMutation(DeleteProduct, {
    update: (cache, { data }) => data && tell(applyProductChange(cache, data.deleteProduct)),
  });
  /** The product as the server has it now (after a CONFLICT). */
  const reload = async (id: string): Promise<ProductFieldsFragment | null> => {
    const { data } = await client.query({
      query: ProductQuery,
      variables: { id },
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
  const tell = useTell();
  const [create] = useMutation(CreateCustomer, {
    update: (cache, { data }) => data && tell(applyCustomerChange(cache, data.createCustomer)),
  });
  const [update] = useMutation(UpdateCustomer, {
    update: (cache, { data }) => data && tell(applyCustomerChange(cache, data.updateCustomer)),
  });
  const [remove] = useMutation(DeleteCustomer, {
    update: (cache, { data }) => data && tell(applyCustomerChange(cache, data.deleteCustomer)),
  });
  const reload = async (id: string): Promise<CustomerFieldsFragment | null> => {
    const { data } = await client.query({
      query: CustomerQuery,
      variables: { id },
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
  const tell = useTell();
  const [create] = useMutation(CreatePurchase, {
    update: (cache, { data }) => data && tell(applyPurchase(cache, data.createPurchase)),
  });
  return create;
}
