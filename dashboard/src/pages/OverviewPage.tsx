import { ActivityFeed } from '../components/ActivityFeed.tsx';
import { PurchasesOverTime, RevenueByProduct } from '../components/Charts.tsx';
import { ErrorNotice } from '../components/Notices.tsx';
import { useCustomers, useProducts, usePurchases } from '../data/lists.ts';
import { centsToMoney, formatMoney, moneyToCents } from '../lib/format.ts';
import { useAsOf } from '../time/ViewTime.tsx';

export function OverviewPage() {
  const customers = useCustomers();
  const products = useProducts();
  const purchases = usePurchases();
  const asOf = useAsOf();
  const revenueCents = purchases.rows.reduce((sum, p) => sum + moneyToCents(p.total), 0);
  const figure = (loading: boolean, value: string | number) => (loading ? '…' : value);
  return (
    <>
      <h1>Overview</h1>
      <ErrorNotice error={customers.error ?? products.error ?? purchases.error} />
      <dl className="stats kpis">
        <div>
          <dt>Customers</dt>
          <dd>{figure(customers.loading, customers.rows.length)}</dd>
        </div>
        <div>
          <dt>Products</dt>
          <dd>{figure(products.loading, products.rows.length)}</dd>
        </div>
        <div>
          <dt>Purchases</dt>
          <dd>{figure(purchases.loading, purchases.rows.length)}</dd>
        </div>
        <div>
          <dt>Revenue</dt>
          <dd>{figure(purchases.loading, formatMoney(centsToMoney(revenueCents)))}</dd>
        </div>
      </dl>
      <div className="overview-grid">
        <section className="panel" aria-label="Charts">
          <RevenueByProduct products={products.rows} />
          <PurchasesOverTime purchases={purchases.rows} />
        </section>
        {asOf ? (
          <section className="panel feed" aria-labelledby="activity-heading">
            <h2 id="activity-heading">Live activity</h2>
            <p className="empty">Hidden while viewing the past: go back to live to follow changes as they happen.</p>
          </section>
        ) : (
          <ActivityFeed />
        )}
      </div>
    </>
  );
}
