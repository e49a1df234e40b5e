import { DataTable, type Column } from '../components/DataTable.tsx';
import { ErrorNotice, PageNotice } from '../components/Notices.tsx';
import { useCustomers } from '../data/lists.ts';
import { NewCustomerForm } from '../forms/CustomerForms.tsx';
import type { CustomerFieldsFragment } from '../gql/graphql.ts';
import { formatMoney, fullName, moneyToCents } from '../lib/format.ts';
import { TimeLink } from '../time/TimeLink.tsx';
import { useAsOf } from '../time/ViewTime.tsx';

const columns: readonly Column<CustomerFieldsFragment>[] = [
  {
    key: 'name',
    header: 'Name',
    render: (c) => <TimeLink to={`/customers/${c.id}`}>{fullName(c)}</TimeLink>,
    sortValue: (c) => `${c.lastName} ${c.firstName}`,
  },
  { key: 'purchases', header: 'Purchases', render: (c) => c.purchaseCount, sortValue: (c) => c.purchaseCount, numeric: true },
  {
    key: 'total',
    header: 'Total spent',
    render: (c) => formatMoney(c.totalSpent),
    sortValue: (c) => moneyToCents(c.totalSpent),
    numeric: true,
  },
];

export function CustomersPage() {
  const customers = useCustomers();
  const asOf = useAsOf();
  return (
    <>
      <h1>Customers</h1>
      <PageNotice />
      <ErrorNotice error={customers.error} />
      <DataTable
        caption="Customers"
        rows={customers.rows}
        columns={columns}
        rowKey={(c) => c.id}
        searchText={fullName}
        defaultSort={{ key: 'name', dir: 'asc' }}
        empty={asOf ? 'There were no customers then.' : 'No customers yet: create the first one below.'}
        loading={customers.loading}
      />
      <section className="panel" aria-labelledby="new-customer">
        <h2 id="new-customer">New customer</h2>
        <NewCustomerForm />
      </section>
    </>
  );
}
