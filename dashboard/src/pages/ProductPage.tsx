import { Link, useParams } from 'react-router';
import { ErrorNotice } from '../components/Notices.tsx';
import { PurchaseTable } from '../components/PurchaseTable.tsx';
import { useProduct } from '../data/lists.ts';
import { EditProductForm } from '../forms/ProductForms.tsx';
import { PurchaseForm } from '../forms/PurchaseForm.tsx';
import { formatMoney } from '../lib/format.ts';

/** One product: price, aggregates, every purchase with customer, amount and date, and the forms. */
export function ProductPage() {
  const { id = '' } = useParams();
  const { entity: product, purchases, error } = useProduct(id);
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
          There is no product with id <code>{id}</code>. <Link to="/products">All products</Link>
        </p>
      </>
    );
  }
  return (
    <>
      <p className="breadcrumb">
        <Link to="/products">Products</Link> /
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
      <PurchaseTable rows={purchases.rows} loading={purchases.loading} />
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
