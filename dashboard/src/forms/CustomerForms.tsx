import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import type { CustomerFieldsFragment } from '../gql/graphql.ts';
import { fullName } from '../lib/format.ts';
import { DeleteButton } from './DeleteButton.tsx';
import { EntityForm, type FieldSpec } from './EntityForm.tsx';
import { useCustomerMutations } from './mutations.ts';

const fields: readonly FieldSpec[] = [
  { name: 'firstName', label: 'First name', required: true, autoComplete: 'off' },
  { name: 'lastName', label: 'Last name', required: true, autoComplete: 'off' },
];

export function NewCustomerForm() {
  const { create } = useCustomerMutations();
  return (
    <EntityForm
      title="New customer"
      fields={fields}
      initial={{ firstName: '', lastName: '' }}
      submitLabel="Create customer"
      resetOnSuccess
      onSubmit={async ({ firstName = '', lastName = '' }) => {
        const { data } = await create({ variables: { input: { firstName, lastName } } });
        const customer = data!.createCustomer;
        return (
          <>
            Created <Link to={`/customers/${customer.id}`}>{fullName(customer)}</Link>.
          </>
        );
      }}
    />
  );
}

/** Edits the customer as it was when the form opened: `expectedVersion` catches concurrent edits. */
export function EditCustomerForm({ customer }: { readonly customer: CustomerFieldsFragment }) {
  const { update, remove, reload } = useCustomerMutations();
  const navigate = useNavigate();
  const [version, setVersion] = useState(customer.version);
  return (
    <EntityForm
      title="Edit customer"
      fields={fields}
      initial={{ firstName: customer.firstName, lastName: customer.lastName }}
      submitLabel="Save changes"
      onSubmit={async ({ firstName, lastName }) => {
        const { data } = await update({
          variables: { id: customer.id, input: { firstName, lastName }, expectedVersion: version },
        });
        setVersion(data!.updateCustomer.version);
        return `Saved as version ${data!.updateCustomer.version}.`;
      }}
      onReload={async () => {
        const current = await reload(customer.id);
        if (!current) throw new Error('the customer no longer exists');
        setVersion(current.version);
        return { firstName: current.firstName, lastName: current.lastName };
      }}
    >
      <DeleteButton
        what={fullName(customer)}
        note="Their purchases stay in the history."
        onDelete={async () => {
          await remove({ variables: { id: customer.id, expectedVersion: version } });
          await navigate('/customers', { state: { notice: `Deleted ${fullName(customer)}.` } });
        }}
      />
    </EntityForm>
  );
}
