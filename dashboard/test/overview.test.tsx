import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { customer, product, purchase, serveWorld } from './support/data.ts';
import { FakeServer } from './support/fake-server.ts';
import { renderApp } from './support/render.tsx';

const butter = product({ id: 'p1', name: 'Butter', purchaseCount: 2, customerCount: 1, totalSpent: '3.00' });
const gum = product({ id: 'p2', name: 'Gum', price: '0.10', purchaseCount: 1, customerCount: 1, totalSpent: '0.10' });
const danny = customer({ id: 'c1', firstName: 'Danny', lastName: 'Tester', purchaseCount: 3, totalSpent: '3.10' });

const kpi = (name: string) => screen.getByText(name, { selector: 'dt' }).nextElementSibling?.textContent;

const purchaseEvent = (position: string, made: ReturnType<typeof purchase>) => ({
  purchaseMade: { __typename: 'PurchaseChange', kind: 'CREATED', position, occurredAt: made.transactionDate, purchase: made },
});

describe('the overview', () => {
  it('shows totals, revenue by product and purchases over time from the server’s figures, without loading a list', async () => {
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
    await waitFor(() => expect(kpi('Revenue')).toBe('3.10'));
    expect([kpi('Customers'), kpi('Products'), kpi('Purchases')]).toEqual(['1', '2', '3']);
    expect(screen.getByRole('img', { name: /^Revenue by product, highest first: Butter 3\.00, Gum 0\.10\.$/ })).toBeTruthy();
    expect(
      screen.getByRole('img', {
        name: /^Purchases over time \(UTC, per minute\) from 10:00 to 12:40; busiest 10:00 with 1\.$/,
      }),
    ).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Live activity' })).toBeTruthy();
    // One request of aggregates: no list of purchases, products or customers.
    expect(server.sent.filter((op) => op.kind === 'query').map((op) => op.name)).toEqual(['Overview']);
    expect(server.sent.find((op) => op.name === 'Overview')?.variables).toEqual({ top: 10 });
  });

  it('asks for its figures again on a new purchase, at most once a second however many come', async () => {
    const server = new FakeServer();
    const world = serveWorld(server, {
      products: [butter],
      customers: [danny],
      purchases: [purchase('u1', butter, danny, '1.50')],
    });
    renderApp('/', server);
    await waitFor(() => expect(server.open('PurchasesMade')).toBe(1));
    await waitFor(() => expect(kpi('Revenue')).toBe('1.50'));
    expect(server.count('Overview')).toBe(1);

    for (let i = 2; i <= 6; i++) {
      const made = purchase(
        `u${i}`,
        { ...butter, totalSpent: (1.5 * i).toFixed(2) },
        danny,
        '1.50',
        `2026-01-05T10:0${i}:00.000Z`,
      );
      world.purchases.push(made);
      act(() => server.push('PurchasesMade', purchaseEvent(`pos-${i}`, made)));
    }
    // The first change is asked for at once, the rest together once the second is over.
    await waitFor(() => expect(kpi('Revenue')).toBe('9.00'));
    expect(kpi('Purchases')).toBe('6');
    expect(server.count('Overview')).toBeLessThanOrEqual(3);
    expect(server.sent.filter((op) => op.kind === 'query').every((op) => op.name === 'Overview')).toBe(true);
    const feed = screen.getByRole('log');
    expect(within(feed).getAllByRole('link', { name: 'Danny Tester bought Butter for 1.50' })).toHaveLength(5);
  });
});

describe('the products page', () => {
  it('lists price, purchases, distinct customers and total per product, and opens one without a product column', async () => {
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
    // To the second, in UTC; the product is the page's, so no column repeats it.
    expect(
      within(purchases)
        .getAllByRole('row')
        .map((row) => row.textContent),
    ).toEqual(['Date ▼CustomerAmount ↕', '5 Jan 2026, 10:00:00Danny Tester1.50']);
  });
});
