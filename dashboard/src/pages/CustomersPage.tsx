import { DataTable, type Column } from '../components/DataTable.tsx';
import { ErrorNotice, PageNotice } from '../components/Notices.tsx';
import { useTableView } from '../components/table-view.ts';
import { useCustomerList } from '../data/lists.ts';
import { NewCustomerForm } from '../forms/CustomerForms.tsx';
import type { CustomerFieldsFragment } from '../gql/graphql.ts';
import { formatMoney, fullName } from '../lib/format.ts';
import { TimeLink } from '../time/TimeLink.tsx';
import { useAsOf } from '../time/ViewTime.tsx';

const columns: readonly Column<CustomerFieldsFragment>[] = [
  // The server orders names by last name, then first name.
  { key: 'name', header: 'Name', render: (c) => <TimeLink to={`/customers/${c.id}`}>{fullName(c)}</TimeLink>, sortable: true },
  { key: 'purchases', header: 'Purchases', render: (c) => c.purchaseCount, sortable: true, numeric: true },
  { key: 'total', header: 'Total spent', render: (c) => formatMoney(c.totalSpent), sortable: true, numeric: true },
];

export function CustomersPage() {
  const view = useTableView({ key: 'name', dir: 'asc' });
  const customers = useCustomerList(view);
  const asOf = useAsOf();
  return (
    <>
      <h1>Customers</h1>
      <PageNotice />
      <ErrorNotice error={customers.error} />
      <DataTable
        caption="Customers"
        view={view}
        rows={customers.rows}
        totalCount={customers.totalCount}
        columns={columns}
        rowKey={(c) => c.id}
        searchable
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
