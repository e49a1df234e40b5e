import { DataTable, type Column } from '../components/DataTable.tsx';
import { ErrorNotice, PageNotice } from '../components/Notices.tsx';
import { useProducts } from '../data/lists.ts';
import { NewProductForm } from '../forms/ProductForms.tsx';
import type { ProductFieldsFragment } from '../gql/graphql.ts';
import { formatMoney, moneyToCents } from '../lib/format.ts';
import { TimeLink } from '../time/TimeLink.tsx';
import { useAsOf } from '../time/ViewTime.tsx';

const columns: readonly Column<ProductFieldsFragment>[] = [
  {
    key: 'name',
    header: 'Name',
    render: (p) => <TimeLink to={`/products/${p.id}`}>{p.name}</TimeLink>,
    sortValue: (p) => p.name,
  },
  { key: 'price', header: 'Price', render: (p) => formatMoney(p.price), sortValue: (p) => moneyToCents(p.price), numeric: true },
  { key: 'purchases', header: 'Purchases', render: (p) => p.purchaseCount, sortValue: (p) => p.purchaseCount, numeric: true },
  { key: 'customers', header: 'Customers', render: (p) => p.customerCount, sortValue: (p) => p.customerCount, numeric: true },
  {
    key: 'total',
    header: 'Total',
    render: (p) => formatMoney(p.totalSpent),
    sortValue: (p) => moneyToCents(p.totalSpent),
    numeric: true,
  },
];

export function ProductsPage() {
  const products = useProducts();
  const asOf = useAsOf();
  return (
    <>
      <h1>Products</h1>
      <PageNotice />
      <ErrorNotice error={products.error} />
      <DataTable
        caption="Products"
        rows={products.rows}
        columns={columns}
        rowKey={(p) => p.id}
        searchText={(p) => p.name}
        defaultSort={{ key: 'name', dir: 'asc' }}
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
