import type { PurchaseRowFragment } from '../gql/graphql.ts';
import { formatDateTime, formatMoney, fullName, moneyToCents } from '../lib/format.ts';
import { TimeLink } from '../time/TimeLink.tsx';
import { DataTable, type Column } from './DataTable.tsx';

const columns: readonly Column<PurchaseRowFragment>[] = [
  {
    key: 'date',
    header: 'Date',
    render: (p) => <time dateTime={p.transactionDate}>{formatDateTime(p.transactionDate)}</time>,
    sortValue: (p) => p.transactionDate,
  },
  {
    key: 'customer',
    header: 'Customer',
    render: (p) =>
      p.customer.deletedAt ? (
        <span>
          {fullName(p.customer)} <span className="tag">deleted</span>
        </span>
      ) : (
        <TimeLink to={`/customers/${p.customer.id}`}>{fullName(p.customer)}</TimeLink>
      ),
    sortValue: (p) => fullName(p.customer),
  },
  {
    key: 'product',
    header: 'Product',
    render: (p) =>
      p.product.deletedAt ? (
        <span>
          {p.product.name} <span className="tag">deleted</span>
        </span>
      ) : (
        <TimeLink to={`/products/${p.product.id}`}>{p.product.name}</TimeLink>
      ),
    sortValue: (p) => p.product.name,
  },
  {
    key: 'amount',
    header: 'Amount',
    render: (p) => formatMoney(p.total),
    sortValue: (p) => moneyToCents(p.total),
    numeric: true,
  },
];

/** The purchases of one customer or product: customer, product, amount and date, newest first. */
export function PurchaseTable({ rows, loading }: { readonly rows: readonly PurchaseRowFragment[]; readonly loading: boolean }) {
  return (
    <DataTable
      caption="Purchases"
      rows={rows}
      columns={columns}
      rowKey={(p) => p.id}
      defaultSort={{ key: 'date', dir: 'desc' }}
      empty="No purchases yet."
      loading={loading}
    />
  );
}
