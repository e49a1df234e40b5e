import { useMemo } from 'react';
import { useCustomers, useProducts } from '../data/lists.ts';
import { formatMoney, fullName } from '../lib/format.ts';
import { EntityForm, type FieldSpec } from './EntityForm.tsx';
import { usePurchaseMutation } from './mutations.ts';

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

export interface PurchaseFormProps {
  /** Records purchases of this product (the form asks for the customer)… */
  readonly productId?: string;
  /** …or by this customer (the form asks for the product). */
  readonly customerId?: string;
}

/** Records a purchase; an empty amount lets the server charge the product's current price. */
export function PurchaseForm({ productId, customerId }: PurchaseFormProps) {
  const create = usePurchaseMutation();
  const products = useProducts();
  const customers = useCustomers();
  const fields = useMemo(() => {
    const specs: FieldSpec[] = [];
    if (!productId) {
      const options = products.rows
        .map((p) => ({ value: p.id, label: `${p.name} (${formatMoney(p.price)})` }))
        .sort((a, b) => collator.compare(a.label, b.label));
      specs.push({ name: 'productId', label: 'Product', required: true, options });
    }
    if (!customerId) {
      const options = customers.rows
        .map((c) => ({ value: c.id, label: fullName(c) }))
        .sort((a, b) => collator.compare(a.label, b.label));
      specs.push({ name: 'customerId', label: 'Customer', required: true, options });
    }
    specs.push({
      name: 'total',
      label: 'Amount',
      inputMode: 'decimal',
      hint: 'Leave empty to charge the product’s current price.',
    });
    return specs;
  }, [productId, customerId, products.rows, customers.rows]);

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
