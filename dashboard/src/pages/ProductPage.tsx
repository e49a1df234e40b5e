import { useParams } from 'react-router';
import { ErrorNotice } from '../components/Notices.tsx';
import { PURCHASES_DEFAULT_SORT, PurchaseTable } from '../components/PurchaseTable.tsx';
import { useTableView } from '../components/table-view.ts';
import { Timeline } from '../components/Timeline.tsx';
import { useProduct, useProductPurchases } from '../data/lists.ts';
import { EditProductForm } from '../forms/ProductForms.tsx';
import { PurchaseForm } from '../forms/PurchaseForm.tsx';
import { formatInstantWithZone, formatMoney } from '../lib/format.ts';
import { TimeLink } from '../time/TimeLink.tsx';
import { useAsOf } from '../time/ViewTime.tsx';

/** One product: price, aggregates, its purchases a page at a time (customer, amount, date), the timeline and the forms. */
export function ProductPage() {
  const { id = '' } = useParams();
  const { entity: product, error } = useProduct(id);
  const view = useTableView(PURCHASES_DEFAULT_SORT);
  const purchases = useProductPurchases(id, view);
  const asOf = useAsOf();
  if (product === undefined) {
    return (
      <>
        <h1>Product</h1>
        <ErrorNotice error={error} />
        {!error && <p role="status">Loading…</p>}
      </>
    );
  }
  if (product === null) {
    return (
      <>
        <h1>Product not found</h1>
        <p>
          There {asOf ? 'was' : 'is'} no product with id <code>{id}</code>
          {asOf ? ` as of ${formatInstantWithZone(asOf)}` : ''}. <TimeLink to="/products">All products</TimeLink>
        </p>
      </>
    );
  }
  return (
    <>
      <p className="breadcrumb">
        <TimeLink to="/products">Products</TimeLink> /
      </p>
      <h1>
        {product.name} {product.deletedAt && <span className="tag">deleted</span>}
      </h1>
      <dl className="stats">
        <div>
          <dt>Price</dt>
          <dd>{formatMoney(product.price)}</dd>
        </div>
        <div>
          <dt>Purchases</dt>
          <dd data-testid="product-purchase-count">{product.purchaseCount}</dd>
        </div>
        <div>
          <dt>Customers</dt>
          <dd>{product.customerCount}</dd>
        </div>
        <div>
          <dt>Total</dt>
          <dd data-testid="product-total-spent">{formatMoney(product.totalSpent)}</dd>
        </div>
        <div>
          <dt>Version</dt>
          <dd>{product.version}</dd>
        </div>
      </dl>
      <ErrorNotice error={purchases.error} />
      <PurchaseTable view={view} purchases={purchases} of="product" />
      <Timeline kind="product" id={product.id} version={product.version} />
      {!product.deletedAt && (
        <div className="panels">
          <section className="panel" aria-labelledby="record-purchase">
            <h2 id="record-purchase">Record a purchase</h2>
            <PurchaseForm productId={product.id} />
          </section>
          <section className="panel" aria-labelledby="edit-product">
            <h2 id="edit-product">Edit product</h2>
            <EditProductForm key={product.id} product={product} />
          </section>
        </div>
      )}
    </>
  );
}
