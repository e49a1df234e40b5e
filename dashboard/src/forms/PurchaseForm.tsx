import { useEffect, useMemo, useRef, useState } from 'react';
import { useQuery } from '@apollo/client/react';
import type { Option } from '../components/Field.tsx';
import { SEARCH_DEBOUNCE_MS } from '../components/DataTable.tsx';
import { CustomersQuery, ProductsQuery } from '../graphql/operations.ts';
import { useDebounced } from '../lib/debounce.ts';
import { formatMoney, fullName } from '../lib/format.ts';
import { EntityForm, type FieldSpec } from './EntityForm.tsx';
import { usePurchaseMutation } from './mutations.ts';

/** How many matches a picker offers: the first by name; typing narrows them. */
const CHOICES = 50;

/**
 * The options of a picker: the first {@link CHOICES} products or customers by name whose name
 * matches what is typed (the server searches), never the whole list. Labels of options shown
 * before are remembered, so a choice stays readable after the search moves on.
 */
function useChoices(kind: 'product' | 'customer', skip: boolean) {
  const [text, setText] = useState('');
  const search = useDebounced(text.trim(), SEARCH_DEBOUNCE_MS);
  const variables = { first: CHOICES, offset: 0, orderBy: { field: 'NAME' as const, direction: 'ASC' as const } };
  const withSearch = { ...variables, ...(search ? { search } : {}) };
  const products = useQuery(ProductsQuery, { variables: withSearch, skip: skip || kind !== 'product' });
  const customers = useQuery(CustomersQuery, { variables: withSearch, skip: skip || kind !== 'customer' });
  const productPage = (products.data ?? products.previousData)?.products;
  const customerPage = (customers.data ?? customers.previousData)?.customers;
  const options = useMemo<Option[]>(
    () =>
      kind === 'product'
        ? (productPage?.nodes ?? []).map((p) => ({ value: p.id, label: `${p.name} (${formatMoney(p.price)})` }))
        : (customerPage?.nodes ?? []).map((c) => ({ value: c.id, label: fullName(c) })),
    [kind, productPage, customerPage],
  );
  const labels = useRef(new Map<string, string>());
  useEffect(() => {
    for (const option of options) labels.current.set(option.value, option.label);
  }, [options]);
  const labelOf = (value: string) => labels.current.get(value);
  return { options, labelOf, search: { value: text, onChange: setText } };
}

export interface PurchaseFormProps {
  /** Records purchases of this product (the form asks for the customer)… */
  readonly productId?: string;
  /** …or by this customer (the form asks for the product). */
  readonly customerId?: string;
}

/** Records a purchase; an empty amount lets the server charge the product's current price. */
export function PurchaseForm({ productId, customerId }: PurchaseFormProps) {
  const create = usePurchaseMutation();
  const products = useChoices('product', productId !== undefined);
  const customers = useChoices('customer', customerId !== undefined);
  const fields: FieldSpec[] = [];
  if (!productId) {
    fields.push({
      name: 'productId',
      label: 'Product',
      required: true,
      options: products.options,
      labelOf: products.labelOf,
      search: { label: 'Search products by name', ...products.search },
    });
  }
  if (!customerId) {
    fields.push({
      name: 'customerId',
      label: 'Customer',
      required: true,
      options: customers.options,
      labelOf: customers.labelOf,
      search: { label: 'Search customers by name', ...customers.search },
    });
  }
  fields.push({
    name: 'total',
    label: 'Amount',
    inputMode: 'decimal',
    hint: 'Leave empty to charge the product’s current price.',
  });

  return (
    <EntityForm
      title="Record a purchase"
      fields={fields}
      initial={{ productId: productId ?? '', customerId: customerId ?? '', total: '' }}
      submitLabel="Record purchase"
      resetOnSuccess
      onSubmit={async ({ productId: product = '', customerId: customer = '', total = '' }) => {
        const { data } = await create({
          variables: { input: { productId: product, customerId: customer, ...(total.trim() ? { total: total.trim() } : {}) } },
        });
        const purchase = data!.createPurchase;
        return `Recorded: ${fullName(purchase.customer)} bought ${purchase.product.name} for ${formatMoney(purchase.total)}.`;
      }}
    />
  );
}
