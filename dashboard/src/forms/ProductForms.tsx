import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import type { ProductFieldsFragment } from '../gql/graphql.ts';
import { DeleteButton } from './DeleteButton.tsx';
import { EntityForm, type FieldSpec } from './EntityForm.tsx';
import { useProductMutations } from './mutations.ts';

const fields: readonly FieldSpec[] = [
  { name: 'name', label: 'Name', required: true },
  {
    name: 'price',
    label: 'Price',
    required: true,
    inputMode: 'decimal',
    hint: 'A decimal amount with at most two decimals, e.g. 1.50',
  },
];

export function NewProductForm() {
  const { create } = useProductMutations();
  return (
    <EntityForm
      title="New product"
      fields={fields}
      initial={{ name: '', price: '' }}
      submitLabel="Create product"
      resetOnSuccess
      onSubmit={async ({ name = '', price = '' }) => {
        const { data } = await create({ variables: { input: { name, price } } });
        const product = data!.createProduct;
        return (
          <>
            Created <Link to={`/products/${product.id}`}>{product.name}</Link>.
          </>
        );
      }}
    />
  );
}

/** Edits the product as it was when the form opened: `expectedVersion` catches concurrent edits. */
export function EditProductForm({ product }: { readonly product: ProductFieldsFragment }) {
  const { update, remove, reload } = useProductMutations();
  const navigate = useNavigate();
  const [version, setVersion] = useState(product.version);
  return (
    <EntityForm
      title="Edit product"
      fields={fields}
      initial={{ name: product.name, price: product.price }}
      submitLabel="Save changes"
      onSubmit={async ({ name, price }) => {
        const { data } = await update({ variables: { id: product.id, input: { name, price }, expectedVersion: version } });
        setVersion(data!.updateProduct.version);
        return `Saved as version ${data!.updateProduct.version}.`;
      }}
      onReload={async () => {
        const current = await reload(product.id);
        if (!current) throw new Error('the product no longer exists');
        setVersion(current.version);
        return { name: current.name, price: current.price };
      }}
    >
      <DeleteButton
        what={product.name}
        note="Its purchases stay in the history."
        onDelete={async () => {
          await remove({ variables: { id: product.id, expectedVersion: version } });
          await navigate('/products', { state: { notice: `Deleted ${product.name}.` } });
        }}
      />
    </EntityForm>
  );
}
