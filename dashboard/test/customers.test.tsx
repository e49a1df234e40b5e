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

  it('sorts on the server by a column header, and searches on the server once typing stops', async () => {
    const user = userEvent.setup();
    const server = new FakeServer();
    serveWorld(server, { products: [], customers: [danny, ted, ann], purchases: [] });
    renderApp('/customers', server);
    const table = await screen.findByRole('table', { name: /customers/i });
    await waitFor(() => expect(rows(table)).toHaveLength(3));
    expect(server.sent.find((op) => op.name === 'Customers')?.variables).toEqual({
      first: 20,
      offset: 0,
      orderBy: { field: 'NAME', direction: 'ASC' },
    });

    // A sales figure is sorted by the purchases subgraph, which keeps it.
    await user.click(within(table).getByRole('button', { name: /total spent/i }));
    await waitFor(() => expect(rows(table).map((r) => r[0])).toEqual(['Ann Zimmer', 'Danny Tester', 'Ted Buyer']));
    expect(server.sent.filter((op) => op.name === 'CustomersBySales').map((op) => op.variables['orderBy'])).toEqual([
      { field: 'TOTAL_SPENT', direction: 'ASC' },
    ]);
    expect(
      within(table)
        .getByRole('columnheader', { name: /total spent/i })
        .getAttribute('aria-sort'),
    ).toBe('ascending');
    await user.click(within(table).getByRole('button', { name: /total spent/i }));
    await waitFor(() => expect(rows(table).map((r) => r[0])).toEqual(['Ted Buyer', 'Danny Tester', 'Ann Zimmer']));

    const search = screen.getByRole('searchbox', { name: /search by name/i });
    await user.type(search, 'dan');
    await waitFor(() => expect(rows(table)).toEqual([['Danny Tester', '3', '4.50']]));
    expect(within(table).getByText('Customers').textContent).toBe('Customers (1)');
    // Asked for what was typed, not for each key on the way ('d', 'da'); the order stays.
    const searched = server.sent.filter((op) => op.variables['search'] !== undefined);
    expect(new Set(searched.map((op) => JSON.stringify(op.variables)))).toEqual(
      new Set([JSON.stringify({ first: 20, offset: 0, search: 'dan', orderBy: { field: 'TOTAL_SPENT', direction: 'DESC' } })]),
    );
    await user.clear(search);
    await user.type(search, 'nobody');
    expect(await within(table).findByText('Nothing matches “nobody”.')).toBeTruthy();
  });

  it('pages on the server, 20 rows a request, with the total from the server', async () => {
    const user = userEvent.setup();
    const many = Array.from({ length: 1203 }, (_, i) =>
      customer({ id: `m${i}`, firstName: 'Customer', lastName: String(i).padStart(4, '0'), purchaseCount: i % 7 }),
    );
    const server = new FakeServer();
    serveWorld(server, { products: [], customers: many, purchases: [] });
    renderApp('/customers', server);
    const table = await screen.findByRole('table', { name: /customers/i });
    await waitFor(() => expect(table.querySelector('caption')?.textContent).toBe('Customers (20 of 1203)'));
    expect(screen.getByText('Page 1 of 61')).toBeTruthy();
    expect(rows(table)[0]![0]).toBe('Customer 0000');
    expect((screen.getByRole('button', { name: 'Previous' }) as HTMLButtonElement).disabled).toBe(true);

    await user.click(screen.getByRole('button', { name: 'Next' }));
    await waitFor(() => expect(rows(table)[0]![0]).toBe('Customer 0020'));
    expect(screen.getByText('Page 2 of 61')).toBeTruthy();
    expect(server.sent.filter((op) => op.name === 'Customers').map((op) => op.variables['offset'])).toEqual([0, 20]);
    expect(server.sent.every((op) => Number(op.variables['first'] ?? 0) <= 100)).toBe(true);
  });

  it('opens on the page, order and search of its address, and shows the last page for one past the end', async () => {
    const many = Array.from({ length: 45 }, (_, i) =>
      customer({ id: `m${i}`, firstName: 'Customer', lastName: String(i).padStart(4, '0') }),
    );
    const server = new FakeServer();
    serveWorld(server, { products: [], customers: many, purchases: [] });
    renderApp('/customers?sort=name&dir=desc&q=cust&page=9', server);
    const table = await screen.findByRole('table', { name: /customers/i });
    await waitFor(() => expect(screen.getByText('Page 3 of 3')).toBeTruthy());
    await waitFor(() =>
      expect(rows(table).map((r) => r[0])).toEqual([
        'Customer 0004',
        'Customer 0003',
        'Customer 0002',
        'Customer 0001',
        'Customer 0000',
      ]),
    );
    expect((screen.getByRole('searchbox', { name: /search by name/i }) as HTMLInputElement).value).toBe('cust');
    // Page 9 (offset 160) was past the end: the last page's offset is asked for, and nothing else.
    expect(new Set(server.sent.filter((op) => op.name === 'Customers').map((op) => op.variables['offset']))).toEqual(
      new Set([160, 40]),
    );
  });

  it('opens a customer with their purchases, newest first: date, product and amount', async () => {
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
    // Newest first, to the second; the customer is the page's, so no column repeats them.
    expect(rows(table)).toEqual([
      ['6 Jan 2026, 11:30:00', 'Gum', '0.10'],
      ['5 Jan 2026, 10:00:00', 'Butter', '1.50'],
    ]);
    expect(server.sent.find((op) => op.name === 'CustomerPurchases')?.variables).toEqual({
      id: 'c1',
      first: 20,
      offset: 0,
      orderBy: { field: 'TRANSACTION_DATE', direction: 'DESC' },
    });

    await userEvent.setup().click(within(table).getByRole('button', { name: /amount/i }));
    await waitFor(() => expect(rows(table).map((r) => r[2])).toEqual(['0.10', '1.50']));
    expect(within(table).queryByRole('button', { name: /product/i })).toBeNull();
  });

  it('says so when a customer does not exist', async () => {
    const server = new FakeServer();
    serveWorld(server, { products: [], customers: [], purchases: [] });
    renderApp('/customers/nobody', server);
    expect(await screen.findByRole('heading', { name: /customer not found/i })).toBeTruthy();
  });
});
