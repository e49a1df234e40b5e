import { useParams } from 'react-router';
import { ErrorNotice } from '../components/Notices.tsx';
import { PURCHASES_DEFAULT_SORT, PurchaseTable } from '../components/PurchaseTable.tsx';
import { useTableView } from '../components/table-view.ts';
import { Timeline } from '../components/Timeline.tsx';
import { useCustomer, useCustomerPurchases } from '../data/lists.ts';
import { EditCustomerForm } from '../forms/CustomerForms.tsx';
import { PurchaseForm } from '../forms/PurchaseForm.tsx';
import { formatDateTime, formatInstantWithZone, formatMoney, fullName } from '../lib/format.ts';
import { TimeLink } from '../time/TimeLink.tsx';
import { useAsOf } from '../time/ViewTime.tsx';

/** One customer: aggregates, their purchases a page at a time (product, amount, date), the timeline and the forms. */
export function CustomerPage() {
  const { id = '' } = useParams();
  const { entity: customer, error } = useCustomer(id);
  const view = useTableView(PURCHASES_DEFAULT_SORT);
  const purchases = useCustomerPurchases(id, view);
  const asOf = useAsOf();
  if (customer === undefined) {
    return (
      <>
        <h1>Customer</h1>
        <ErrorNotice error={error} />
        {!error && <p role="status">Loading…</p>}
      </>
    );
  }
  if (customer === null) {
    return (
      <>
        <h1>Customer not found</h1>
        <p>
          There {asOf ? 'was' : 'is'} no customer with id <code>{id}</code>
          {asOf ? ` as of ${formatInstantWithZone(asOf)}` : ''}. <TimeLink to="/customers">All customers</TimeLink>
        </p>
      </>
    );
  }
  return (
    <>
      <p className="breadcrumb">
        <TimeLink to="/customers">Customers</TimeLink> /
      </p>
      <h1>
        {fullName(customer)} {customer.deletedAt && <span className="tag">deleted</span>}
      </h1>
      <dl className="stats">
        <div>
          <dt>Purchases</dt>
          <dd data-testid="customer-purchase-count">{customer.purchaseCount}</dd>
        </div>
        <div>
          <dt>Total spent</dt>
          <dd data-testid="customer-total-spent">{formatMoney(customer.totalSpent)}</dd>
        </div>
        <div>
          <dt>Customer since</dt>
          <dd>{formatDateTime(customer.createdAt)}</dd>
        </div>
        <div>
          <dt>Version</dt>
          <dd>{customer.version}</dd>
        </div>
      </dl>
      <ErrorNotice error={purchases.error} />
      <PurchaseTable view={view} purchases={purchases} of="customer" />
      <Timeline kind="customer" id={customer.id} version={customer.version} />
      {!customer.deletedAt && (
        <div className="panels">
          <section className="panel" aria-labelledby="record-purchase">
            <h2 id="record-purchase">Record a purchase</h2>
            <PurchaseForm customerId={customer.id} />
          </section>
          <section className="panel" aria-labelledby="edit-customer">
            <h2 id="edit-customer">Edit customer</h2>
            <EditCustomerForm key={customer.id} customer={customer} />
          </section>
        </div>
      )}
    </>
  );
}
