import { useEffect, useRef } from 'react';
import { Route, Routes, useLocation } from 'react-router';
import { ConnectionBadge } from '../components/ConnectionBadge.tsx';
import { SignIn, SignOut } from '../components/SignIn.tsx';
import { PastBanner, ViewAsOfControl } from '../components/ViewAsOf.tsx';
import { CustomerPage } from '../pages/CustomerPage.tsx';
import { CustomersPage } from '../pages/CustomersPage.tsx';
import { OverviewPage } from '../pages/OverviewPage.tsx';
import { ProductPage } from '../pages/ProductPage.tsx';
import { ProductsPage } from '../pages/ProductsPage.tsx';
import { formatInstantWithZone } from '../lib/format.ts';
import { TimeNavLink } from '../time/TimeLink.tsx';
import { TimeScope, useViewTime, ViewTimeProvider } from '../time/ViewTime.tsx';

const titles: [RegExp, string][] = [
  [/^\/customers\/./, 'Customer'],
  [/^\/customers/, 'Customers'],
  [/^\/products\/./, 'Product'],
  [/^\/products/, 'Products'],
];

/**
 * After a client-side navigation, focus moves to the new page's main region and the document
 * title changes, so keyboard and screen-reader users land where a full page load would put them.
 * The title says when the past is shown.
 */
function useRouteFocus(asOf: string | null) {
  const { pathname } = useLocation();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    const page = titles.find(([pattern]) => pattern.test(pathname))?.[1] ?? 'Overview';
    document.title = `${page}${asOf ? ` as of ${formatInstantWithZone(asOf)}` : ''} · Shop back office`;
  }, [pathname, asOf]);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [pathname]);
  return main;
}

export function App() {
  return (
    <ViewTimeProvider>
      <Shell />
    </ViewTimeProvider>
  );
}

function Shell() {
  const { asOf } = useViewTime();
  const main = useRouteFocus(asOf);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <p className="brand">Shop back office</p>
        <nav aria-label="Main">
          <ul>
            <li>
              <TimeNavLink to="/" end>
                Overview
              </TimeNavLink>
            </li>
            <li>
              <TimeNavLink to="/customers">Customers</TimeNavLink>
            </li>
            <li>
              <TimeNavLink to="/products">Products</TimeNavLink>
            </li>
            <li>
              {/* A separate page (GraphiQL), not a route of this app. */}
              <a href="/playground">Playground</a>
            </li>
          </ul>
        </nav>
        <ViewAsOfControl key={asOf ?? 'live'} />
        <ConnectionBadge />
        <SignOut />
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <PastBanner />
        <TimeScope>
          <SignIn />
          <Routes>
            <Route path="/" element={<OverviewPage />} />
            <Route path="/customers" element={<CustomersPage />} />
            <Route path="/customers/:id" element={<CustomerPage />} />
            <Route path="/products" element={<ProductsPage />} />
            <Route path="/products/:id" element={<ProductPage />} />
            <Route path="*" element={<NotFound />} />
          </Routes>
        </TimeScope>
      </main>
    </>
  );
}

function NotFound() {
  return (
    <>
      <h1>Page not found</h1>
      <p>
        Try the <TimeNavLink to="/">overview</TimeNavLink>.
      </p>
    </>
  );
}
