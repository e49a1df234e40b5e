import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { customer, product, purchase, serveWorld } from './support/data.ts';
import { FakeServer } from './support/fake-server.ts';
import { renderApp } from './support/render.tsx';

const butter = product({ id: 'p1', name: 'Butter', purchaseCount: 2, customerCount: 1, totalSpent: '3.00' });
const gum = product({ id: 'p2', name: 'Gum', price: '0.10', purchaseCount: 1, customerCount: 1, totalSpent: '0.10' });
const danny = customer({ id: 'c1', firstName: 'Danny', lastName: 'Tester', purchaseCount: 3, totalSpent: '3.10' });

describe('the overview', () => {
  it('shows totals, revenue by product and purchases over time, with text for screen readers', async () => {
    const server = new FakeServer();
    serveWorld(server, {
      products: [gum, butter],
      customers: [danny],
      purchases: [
        purchase('u1', butter, danny, '1.50', '2026-01-05T10:00:00.000Z'),
        purchase('u2', butter, danny, '1.50', '2026-01-05T10:20:00.000Z'),
        purchase('u3', gum, danny, '0.10', '2026-01-05T12:40:00.000Z'),
      ],
    });
    renderApp('/', server);
    const kpi = (name: string) => screen.getByText(name, { selector: 'dt' }).nextElementSibling?.textContent;
    await waitFor(() => expect(kpi('Revenue')).toBe('3.10'));
    expect([kpi('Customers'), kpi('Products'), kpi('Purchases')]).toEqual(['1', '2', '3']);
    expect(screen.getByRole('img', { name: /^Revenue by product, highest first: Butter 3\.00, Gum 0\.10\.$/ })).toBeTruthy();
    expect(
      screen.getByRole('img', { name: /^Purchases over time \(UTC\) from 10:00 to 12:40; busiest 10:00 with 1\.$/ }),
    ).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Live activity' })).toBeTruthy();
  });

  it('updates the totals from a purchase payload', async () => {
    const server = new FakeServer();
    serveWorld(server, { products: [butter], customers: [danny], purchases: [purchase('u1', butter, danny, '1.50')] });
    renderApp('/', server);
    await waitFor(() => expect(server.open('PurchasesMade')).toBe(1));
    const revenue = () => screen.getByText('Revenue', { selector: 'dt' }).nextElementSibling?.textContent;
    await waitFor(() => expect(revenue()).toBe('1.50'));
    act(() =>
      server.push('PurchasesMade', {
        purchaseMade: {
          __typename: 'PurchaseChange',
          kind: 'CREATED',
          position: 'p',
          occurredAt: '2026-01-05T10:30:00.000Z',
          purchase: purchase('u9', { ...butter, totalSpent: '4.50' }, danny, '1.50', '2026-01-05T10:30:00.000Z'),
        },
      }),
    );
    await waitFor(() => expect(revenue()).toBe('3.00'));
    const feed = screen.getByRole('log');
    expect(within(feed).getByRole('link', { name: 'Danny Tester bought Butter for 1.50' }).getAttribute('href')).toBe(
      '/customers/c1',
    );
    expect(server.count('Purchases')).toBe(1);
  });
});

describe('the products page', () => {
  it('lists price, purchases, distinct customers and total per product, and opens one', async () => {
    const server = new FakeServer();
    serveWorld(server, { products: [gum, butter], customers: [danny], purchases: [purchase('u1', butter, danny, '1.50')] });
    renderApp('/products', server);
    const table = await screen.findByRole('table', { name: /products/i });
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(3));
    expect(
      within(table)
        .getAllByRole('row')
        .map((row) => row.textContent),
    ).toEqual(['Name ▲Price ↕Purchases ↕Customers ↕Total ↕', 'Butter1.50213.00', 'Gum0.10110.10']);

    renderApp('/products/p1', server);
    expect(await screen.findByRole('heading', { level: 1, name: 'Butter' })).toBeTruthy();
    expect(screen.getByTestId('product-total-spent').textContent).toBe('3.00');
    const purchases = await screen.findByRole('table', { name: /purchases/i });
    await waitFor(() => expect(within(purchases).getAllByRole('row')).toHaveLength(2));
    expect(within(purchases).getAllByRole('row')[1]!.textContent).toBe('5 Jan 2026, 10:00Danny TesterButter1.50');
  });
});
