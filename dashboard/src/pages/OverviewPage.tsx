import { ActivityFeed } from '../components/ActivityFeed.tsx';
import { PurchasesOverTime, RevenueByProduct } from '../components/Charts.tsx';
import { ErrorNotice } from '../components/Notices.tsx';
import { TOP_PRODUCTS, useOverview } from '../data/lists.ts';
import { formatMoney } from '../lib/format.ts';
import { useAsOf } from '../time/ViewTime.tsx';

/** The shop at a glance, from figures the server keeps: what it costs does not grow with the shop. */
export function OverviewPage() {
  const { data, error } = useOverview();
  const asOf = useAsOf();
  const figure = (value: string | number | undefined) => value ?? '…';
  return (
    <>
      <h1>Overview</h1>
      <ErrorNotice error={error} />
      <dl className="stats kpis">
        <div>
          <dt>Customers</dt>
          <dd>{figure(data?.customers.totalCount)}</dd>
        </div>
        <div>
          <dt>Products</dt>
          <dd>{figure(data?.products.totalCount)}</dd>
        </div>
        <div>
          <dt>Purchases</dt>
          <dd>{figure(data?.sales.purchaseCount)}</dd>
        </div>
        <div>
          <dt>Revenue</dt>
          <dd>{figure(data && formatMoney(data.sales.revenue))}</dd>
        </div>
      </dl>
      <div className="overview-grid">
        <section className="panel" aria-label="Charts">
          <RevenueByProduct products={data?.productsBySales.nodes} top={TOP_PRODUCTS} />
          <PurchasesOverTime overTime={data?.sales.overTime} />
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
