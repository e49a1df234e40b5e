import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { customer, product, purchase, serveWorld } from './support/data.ts';
import { FakeServer } from './support/fake-server.ts';
import { renderApp } from './support/render.tsx';

const danny = customer({ id: 'c1', firstName: 'Danny', lastName: 'Tester', purchaseCount: 3, totalSpent: '4.50' });
const ted = customer({ id: 'c2', firstName: 'Ted', lastName: 'Buyer', purchaseCount: 1, totalSpent: '10.00' });
const ann = customer({ id: 'c3', firstName: 'Ann', lastName: 'Zimmer', purchaseCount: 0, totalSpent: '0.00' });

/** The text of each body row, cell by cell. */
function rows(table: HTMLElement): string[][] {
  return within(table)
    .getAllByRole('row')
    .slice(1)
    .map((row) =>
      within(row)
        .getAllByRole('cell')
        .map((cell) => cell.textContent ?? ''),
    );
}

describe('the customers page', () => {
  it('lists each customer with number of purchases and total spent, by last name', async () => {
    const server = new FakeServer();
    serveWorld(server, { products: [], customers: [danny, ted, ann], purchases: [] });
    renderApp('/customers', server);
    const table = await screen.findByRole('table', { name: /customers/i });
    await waitFor(() => expect(rows(table)).toHaveLength(3));
    expect(rows(table)).toEqual([
      ['Ted Buyer', '1', '10.00'],
      ['Danny Tester', '3', '4.50'],
      ['Ann Zimmer', '0', '0.00'],
    ]);
    expect(within(table).getByRole('link', { name: 'Danny Tester' }).getAttribute('href')).toBe('/customers/c1');
  });

  it('sorts by a column header and searches by name', async () => {
    const user = userEvent.setup();
    const server = new FakeServer();
    serveWorld(server, { products: [], customers: [danny, ted, ann], purchases: [] });
    renderApp('/customers', server);
    const table = await screen.findByRole('table', { name: /customers/i });
    await waitFor(() => expect(rows(table)).toHaveLength(3));

    await user.click(within(table).getByRole('button', { name: /total spent/i }));
    expect(rows(table).map((r) => r[0])).toEqual(['Ann Zimmer', 'Danny Tester', 'Ted Buyer']);
    expect(
      within(table)
        .getByRole('columnheader', { name: /total spent/i })
        .getAttribute('aria-sort'),
    ).toBe('ascending');
    await user.click(within(table).getByRole('button', { name: /total spent/i }));
    expect(rows(table).map((r) => r[0])).toEqual(['Ted Buyer', 'Danny Tester', 'Ann Zimmer']);

    await user.type(screen.getByRole('searchbox', { name: /search by name/i }), 'dan');
    expect(rows(table)).toEqual([['Danny Tester', '3', '4.50']]);
    await user.clear(screen.getByRole('searchbox', { name: /search by name/i }));
    await user.type(screen.getByRole('searchbox', { name: /search by name/i }), 'nobody');
    expect(within(table).getByText(/nothing matches/i)).toBeTruthy();
  });

  it('loads every page of a long list and pages through it 20 rows at a time', async () => {
    const user = userEvent.setup();
    const many = Array.from({ length: 1203 }, (_, i) =>
      customer({ id: `m${i}`, firstName: 'Customer', lastName: String(i).padStart(4, '0'), purchaseCount: i % 7 }),
    );
    const server = new FakeServer();
    serveWorld(server, { products: [], customers: many, purchases: [] });
    renderApp('/customers', server);
    const table = await screen.findByRole('table', { name: /customers/i });
    // 1203 customers take three requests of 500: the cursor of each page asks for the next.
    await waitFor(() => expect(table.querySelector('caption')?.textContent).toMatch(/\(1203\)/), { timeout: 15_000 });
    expect(server.sent.filter((op) => op.name === 'Customers').map((op) => op.variables['after'] ?? null)).toEqual([
      null,
      '499',
      '999',
    ]);
    expect(screen.getByText('Page 1 of 61')).toBeTruthy();
    expect(rows(table)[0]![0]).toBe('Customer 0000');
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(screen.getByText('Page 2 of 61')).toBeTruthy();
    expect(rows(table)[0]![0]).toBe('Customer 0020');
  });

  it('opens a customer with every purchase: product, amount and date', async () => {
    const butter = product({ id: 'p1', name: 'Butter' });
    const gum = product({ id: 'p2', name: 'Gum', price: '0.10' });
    const server = new FakeServer();
    serveWorld(server, {
      products: [butter, gum],
      customers: [danny],
      purchases: [
        purchase('u1', butter, danny, '1.50', '2026-01-05T10:00:00.000Z'),
        purchase('u2', gum, danny, '0.10', '2026-01-06T11:30:00.000Z'),
      ],
    });
    renderApp('/customers/c1', server);
    expect(await screen.findByRole('heading', { level: 1, name: /danny tester/i })).toBeTruthy();
    expect(screen.getByTestId('customer-purchase-count').textContent).toBe('3');
    expect(screen.getByTestId('customer-total-spent').textContent).toBe('4.50');
    const table = await screen.findByRole('table', { name: /purchases/i });
    await waitFor(() => expect(rows(table)).toHaveLength(2));
    // Newest first.
    expect(rows(table)).toEqual([
      ['6 Jan 2026, 11:30', 'Danny Tester', 'Gum', '0.10'],
      ['5 Jan 2026, 10:00', 'Danny Tester', 'Butter', '1.50'],
    ]);
  });

  it('says so when a customer does not exist', async () => {
    const server = new FakeServer();
    serveWorld(server, { products: [], customers: [], purchases: [] });
    renderApp('/customers/nobody', server);
    expect(await screen.findByRole('heading', { name: /customer not found/i })).toBeTruthy();
  });
});
