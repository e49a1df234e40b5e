import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { customer, product, purchase, serveWorld } from './support/data.ts';
import { FakeServer } from './support/fake-server.ts';
import { renderApp } from './support/render.tsx';

const butter = product({ id: 'p1', name: 'Butter', purchaseCount: 3, customerCount: 1, totalSpent: '4.50' });
const danny = customer({ id: 'c1', firstName: 'Danny', lastName: 'Tester', purchaseCount: 3, totalSpent: '4.50' });
const ted = customer({ id: 'c2', firstName: 'Ted', lastName: 'Buyer', totalSpent: '1.00' });

function world(server: FakeServer) {
  return serveWorld(server, { products: [butter], customers: [danny, ted], purchases: [] });
}

const rowOf = (name: string) => screen.getByRole('link', { name }).closest('tr')!;
const cells = (row: HTMLElement) =>
  within(row)
    .getAllByRole('cell')
    .map((cell) => cell.textContent);

const purchaseEvent = (position: string, by = danny, count = 4, total = '6.00') => ({
  purchaseMade: {
    __typename: 'PurchaseChange',
    kind: 'CREATED',
    position,
    occurredAt: '2026-01-05T10:05:00.000Z',
    purchase: purchase(
      `u${position}`,
      { ...butter, purchaseCount: count, totalSpent: total },
      { ...by, purchaseCount: count, totalSpent: total },
      '1.50',
    ),
  },
});

describe('live updates', () => {
  it('changes a customer’s count and total from a purchase payload, without refetching', async () => {
    const server = new FakeServer();
    world(server);
    renderApp('/customers', server);
    await waitFor(() => expect(cells(rowOf('Danny Tester'))).toEqual(['Danny Tester', '3', '4.50']));
    await waitFor(() => expect(server.open('PurchasesMade')).toBe(1));
    const sentBefore = server.sent.length;

    act(() => server.push('PurchasesMade', purchaseEvent('pos-1')));

    await waitFor(() => expect(cells(rowOf('Danny Tester'))).toEqual(['Danny Tester', '4', '6.00']));
    expect(server.sent.slice(sentBefore)).toEqual([]);
  });

  it('asks for the visible page again when a product is created or deleted, so it appears or leaves', async () => {
    const server = new FakeServer();
    const live = world(server);
    renderApp('/products', server);
    await screen.findByRole('link', { name: 'Butter' });
    await waitFor(() => expect(server.open('ProductChanges')).toBe(1));
    const change = (kind: string, position: string, p: typeof butter) => ({
      productChanged: { __typename: 'ProductChange', kind, position, occurredAt: '2026-01-05T10:05:00.000Z', product: p },
    });
    const jam = product({ id: 'p9', name: 'Jam', price: '3.20' });

    live.products.push(jam);
    act(() => server.push('ProductChanges', change('CREATED', 'a', jam)));
    await waitFor(() => expect(cells(rowOf('Jam'))).toEqual(['Jam', '3.20', '0', '0', '0.00']));
    expect(server.count('Products')).toBe(2);
    const caption = () => screen.getByRole('table', { name: /products/i }).querySelector('caption')?.textContent;
    expect(caption()).toBe('Products (2)');

    // A rename changes the row in place at once; the page is asked for again (its order may change).
    live.products[1] = { ...jam, name: 'Apricot jam', version: 2 };
    act(() => server.push('ProductChanges', change('UPDATED', 'b', live.products[1]!)));
    await waitFor(() => expect(cells(rowOf('Apricot jam'))[1]).toBe('3.20'));
    await waitFor(() =>
      expect(
        within(screen.getByRole('table', { name: /products/i }))
          .getAllByRole('link')
          .map((link) => link.textContent),
      ).toEqual(['Apricot jam', 'Butter']),
    );

    live.products.shift();
    act(() =>
      server.push('ProductChanges', change('DELETED', 'c', { ...butter, deletedAt: '2026-01-05T10:06:00.000Z', version: 2 })),
    );
    await waitFor(() => expect(screen.queryByRole('link', { name: 'Butter' })).toBeNull());
    expect(caption()).toBe('Products (1)');
  });

  it('reorders a list sorted by a sales figure when a purchase moves a customer up', async () => {
    const user = userEvent.setup();
    const server = new FakeServer();
    const live = world(server);
    renderApp('/customers?sort=total&dir=desc', server);
    const table = await screen.findByRole('table', { name: /customers/i });
    const names = () =>
      within(table)
        .getAllByRole('link')
        .map((link) => link.textContent);
    await waitFor(() => expect(names()).toEqual(['Danny Tester', 'Ted Buyer']));
    await waitFor(() => expect(server.open('PurchasesMade')).toBe(1));

    const made = purchaseEvent('pos-1', ted, 1, '9.00');
    live.customers[1] = { ...ted, purchaseCount: 1, totalSpent: '9.00' };
    act(() => server.push('PurchasesMade', made));
    await waitFor(() => expect(names()).toEqual(['Ted Buyer', 'Danny Tester']));
    expect(cells(rowOf('Ted Buyer'))).toEqual(['Ted Buyer', '1', '9.00']);
    expect(server.count('CustomersBySales')).toBe(2);

    // Sorted by name, a purchase changes figures in place and asks for nothing.
    await user.click(within(table).getByRole('button', { name: /^name/i }));
    await waitFor(() => expect(server.count('Customers')).toBe(1));
    await waitFor(() => expect(names()).toEqual(['Ted Buyer', 'Danny Tester']));
    const sentBefore = server.sent.length;
    act(() => server.push('PurchasesMade', purchaseEvent('pos-2', danny, 4, '6.00')));
    await waitFor(() => expect(cells(rowOf('Danny Tester'))).toEqual(['Danny Tester', '4', '6.00']));
    expect(server.sent.slice(sentBefore)).toEqual([]);
  });

  it('shows a purchase on the visible page of its product, and leaves other products’ pages alone', async () => {
    const server = new FakeServer();
    const live = world(server);
    const app = renderApp('/products/p1', server);
    const table = await screen.findByRole('table', { name: /purchases/i });
    await within(table).findByText('No purchases yet.');
    await waitFor(() => expect(server.open('PurchasesMade')).toBe(1));

    const made = purchaseEvent('pos-1');
    live.purchases.push(made.purchaseMade.purchase);
    act(() => server.push('PurchasesMade', made));
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(2));
    expect(screen.getByTestId('product-purchase-count').textContent).toBe('4');
    expect(server.count('ProductPurchases')).toBe(2);

    const other = purchase('u-other', product({ id: 'p2', name: 'Gum' }), danny, '0.10');
    act(() =>
      server.push('PurchasesMade', {
        purchaseMade: {
          __typename: 'PurchaseChange',
          kind: 'CREATED',
          position: 'pos-2',
          occurredAt: other.transactionDate,
          purchase: other,
        },
      }),
    );
    expect(app.feed.positions.purchases).toBe('pos-2');
    await act(async () => {});
    expect(server.count('ProductPurchases')).toBe(2);
  });

  it('shows reconnecting when the socket drops, then resumes every subscription after its last position', async () => {
    const server = new FakeServer();
    world(server);
    const app = renderApp('/customers', server, { backoffMs: 50 });
    await waitFor(() => expect(app.status.get()).toBe('live'));
    expect(screen.getByText('Live')).toBeTruthy();
    await waitFor(() => expect(server.open('PurchasesMade')).toBe(1));
    act(() => server.push('PurchasesMade', purchaseEvent('pos-7')));
    const subscribedBefore = server.sent.filter((op) => op.kind === 'subscription').length;

    act(() => {
      app.server.onSubscribe = () => {}; // the next socket is slow to come up
      server.drop();
    });
    expect(await screen.findByText('Reconnecting…')).toBeTruthy();

    app.server.onSubscribe = () => app.status.set('live');
    await waitFor(() => expect(screen.getByText('Live')).toBeTruthy());
    const resumed = server.sent.filter((op) => op.kind === 'subscription').slice(subscribedBefore);
    expect(Object.fromEntries(resumed.map((op) => [op.name, op.variables['after']]))).toEqual({
      PurchasesMade: 'pos-7',
      ProductChanges: null,
      CustomerChanges: null,
    });
    // Two streams had no position to resume from: the page's queries are fetched once more.
    await waitFor(() => expect(server.count('Customers')).toBe(2));

    // Replayed and live events after the reconnect apply as before.
    act(() => server.push('PurchasesMade', purchaseEvent('pos-8', danny, 5, '7.50')));
    await waitFor(() => expect(cells(rowOf('Danny Tester'))).toEqual(['Danny Tester', '5', '7.50']));
  });

  it('says offline after failed reconnects in a row, and keeps trying', async () => {
    const server = new FakeServer();
    world(server);
    const app = renderApp('/customers', server, { backoffMs: 20 });
    await waitFor(() => expect(server.open('PurchasesMade')).toBe(1));
    app.server.onSubscribe = () => {};
    for (const state of ['Reconnecting…', 'Reconnecting…', 'Offline']) {
      const before = server.count('PurchasesMade');
      act(() => server.drop());
      expect(await screen.findByText(state)).toBeTruthy();
      await waitFor(() => expect(server.count('PurchasesMade')).toBe(before + 1));
    }
    // The server is back: the next try connects.
    app.server.onSubscribe = () => app.status.set('live');
    act(() => server.drop());
    expect(await screen.findByText('Live')).toBeTruthy();
  });

  it('lists each event in the activity feed once, newest first', async () => {
    const server = new FakeServer();
    world(server);
    renderApp('/', server);
    await waitFor(() => expect(server.open('PurchasesMade')).toBe(1));
    act(() => {
      server.push('PurchasesMade', purchaseEvent('pos-1'));
      server.push('CustomerChanges', {
        customerChanged: {
          __typename: 'CustomerChange',
          kind: 'UPDATED',
          position: 'x',
          occurredAt: '2026-01-05T10:06:00.000Z',
          customer: { ...ted, firstName: 'Teddy' },
        },
      });
      server.push('PurchasesMade', purchaseEvent('pos-1'));
    });
    const feed = await screen.findByRole('log');
    await waitFor(() => expect(within(feed).getAllByRole('listitem')).toHaveLength(2));
    expect(
      within(feed)
        .getAllByRole('listitem')
        .map((item) => item.textContent),
    ).toEqual([
      expect.stringContaining('Customer Teddy Buyer updated'),
      expect.stringContaining('Danny Tester bought Butter for 1.50'),
    ]);
  });
});
