import { DataTable, type Column } from '../components/DataTable.tsx';
import { ErrorNotice, PageNotice } from '../components/Notices.tsx';
import { useTableView } from '../components/table-view.ts';
import { useProductList } from '../data/lists.ts';
import { NewProductForm } from '../forms/ProductForms.tsx';
import type { ProductFieldsFragment } from '../gql/graphql.ts';
import { formatMoney } from '../lib/format.ts';
import { TimeLink } from '../time/TimeLink.tsx';
import { useAsOf } from '../time/ViewTime.tsx';

const columns: readonly Column<ProductFieldsFragment>[] = [
  { key: 'name', header: 'Name', render: (p) => <TimeLink to={`/products/${p.id}`}>{p.name}</TimeLink>, sortable: true },
  { key: 'price', header: 'Price', render: (p) => formatMoney(p.price), sortable: true, numeric: true },
  { key: 'purchases', header: 'Purchases', render: (p) => p.purchaseCount, sortable: true, numeric: true },
  { key: 'customers', header: 'Customers', render: (p) => p.customerCount, sortable: true, numeric: true },
  { key: 'total', header: 'Total', render: (p) => formatMoney(p.totalSpent), sortable: true, numeric: true },
];

export function ProductsPage() {
  const view = useTableView({ key: 'name', dir: 'asc' });
  const products = useProductList(view);
  const asOf = useAsOf();
  return (
    <>
      <h1>Products</h1>
      <PageNotice />
      <ErrorNotice error={products.error} />
      <DataTable
        caption="Products"
        view={view}
        rows={products.rows}
        totalCount={products.totalCount}
        columns={columns}
        rowKey={(p) => p.id}
        searchable
        empty={asOf ? 'There were no products then.' : 'No products yet: create the first one below.'}
        loading={products.loading}
      />
      <section className="panel" aria-labelledby="new-product">
        <h2 id="new-product">New product</h2>
        <NewProductForm />
      </section>
    </>
  );
}
