import type { PurchaseRowFragment } from '../gql/graphql.ts';
import type { ListResult } from '../data/lists.ts';
import { formatDateTime, formatMoney, fullName } from '../lib/format.ts';
import { TimeLink } from '../time/TimeLink.tsx';
import { DataTable, type Column } from './DataTable.tsx';
import type { TableView } from './table-view.ts';

const date: Column<PurchaseRowFragment> = {
  key: 'date',
  header: 'Date',
  render: (p) => <time dateTime={p.transactionDate}>{formatDateTime(p.transactionDate)}</time>,
  sortable: true,
};

// Names are not sortable: purchases are kept in order of their own columns only.
const customer: Column<PurchaseRowFragment> = {
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
};

const product: Column<PurchaseRowFragment> = {
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
};

const amount: Column<PurchaseRowFragment> = {
  key: 'amount',
  header: 'Amount',
  render: (p) => formatMoney(p.total),
  sortable: true,
  numeric: true,
};

/** The newest first, as a person looking at a product's or a customer's purchases expects. */
export const PURCHASES_DEFAULT_SORT = { key: 'date', dir: 'desc' } as const;

export interface PurchaseTableProps {
  readonly view: TableView;
  readonly purchases: ListResult<PurchaseRowFragment>;
  /** Whose purchases these are: that column would repeat one name on every row. */
  readonly of: 'product' | 'customer';
}

/** One page of the purchases of one product (with their customers) or one customer (with their products). */
export function PurchaseTable({ view, purchases, of }: PurchaseTableProps) {
  return (
    <DataTable
      caption="Purchases"
      view={view}
      rows={purchases.rows}
      totalCount={purchases.totalCount}
      columns={of === 'product' ? [date, customer, amount] : [date, product, amount]}
      rowKey={(p) => p.id}
      empty="No purchases yet."
      loading={purchases.loading}
    />
  );
}
