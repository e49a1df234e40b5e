import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { change, customer, product, purchase, serveHistory, serveWorld } from './support/data.ts';
import { FakeServer } from './support/fake-server.ts';
import { renderApp } from './support/render.tsx';

const butter = product({ id: 'p1', name: 'Butter', price: '1.50' });
const gum = product({ id: 'p2', name: 'Gum', price: '0.10' });
const danny = customer({ id: 'c1', firstName: 'Danny', lastName: 'Tester' });

const created = change(1, 'ProductCreated', '2026-01-05T10:00:00.000Z', { name: [null, 'Butter'], price: [null, '1.50'] }, null);
const renamed = change(
  2,
  'ProductUpdated',
  '2026-01-05T10:05:30.000Z',
  { name: ['Butter', 'Salted butter'], price: ['1.50', '1234.50'] },
  'bob',
);

/** The History section's entries, newest first. */
async function timeline(): Promise<HTMLElement[]> {
  const section = await screen.findByRole('region', { name: 'History' });
  const list = await within(section).findByRole('list', { name: 'History' });
  return within(list)
    .getAllByRole('listitem')
    .filter((item) => item.parentElement === list);
}

/** What a sighted reader sees of an element: without the text only screen readers get, spaces collapsed. */
function seen(element: Element): string {
  const copy = element.cloneNode(true) as Element;
  for (const hidden of copy.querySelectorAll('.visually-hidden')) hidden.remove();
  return (copy.textContent ?? '').replace(/\s+/g, ' ').trim();
}

const changesOf = (entry: HTMLElement) =>
  within(within(entry).getByRole('list', { name: 'Changed fields' }))
    .getAllByRole('listitem')
    .map(seen);

describe('the timeline of a product or customer', () => {
  it('lists each change newest first: what, when, who, version, and each field before → after', async () => {
    const server = new FakeServer();
    serveWorld(server, {
      products: [{ ...butter, name: 'Salted butter', price: '1234.50', version: 2 }],
      customers: [],
      purchases: [],
    });
    serveHistory(server, { p1: [created, renamed] });
    renderApp('/products/p1', server);

    const entries = await timeline();
    expect(entries).toHaveLength(2);
    const [newest, oldest] = entries as [HTMLElement, HTMLElement];
    expect(within(newest).getByRole('heading', { level: 3 }).textContent).toBe('Product updated');
    expect(seen(within(newest).getByText(/^version/).parentElement!)).toBe('5 Jan 2026, 10:05:30 · by bob · version 2');
    expect(within(newest).getByText('5 Jan 2026, 10:05:30').getAttribute('datetime')).toBe('2026-01-05T10:05:30.000Z');
    // Money as the rest of the dashboard shows it: grouped, two decimals.
    expect(changesOf(newest)).toEqual(['Name: Butter → Salted butter', 'Price: 1.50 → 1,234.50']);
    // A screen reader hears the change in words, not an arrow.
    expect(within(newest).getAllByText('changed to')).toHaveLength(2);

    expect(within(oldest).getByRole('heading', { level: 3 }).textContent).toBe('Product created');
    expect(seen(within(oldest).getByText(/^version/).parentElement!)).toBe(
      '5 Jan 2026, 10:00:00 · actor not recorded · version 1',
    );
    expect(changesOf(oldest)).toEqual(['Name: Butter', 'Price: 1.50']);

    // Each change links to the shop as it was right after it.
    expect(within(newest).getByRole('link', { name: 'View as of this change (version 2)' }).getAttribute('href')).toBe(
      `/products/p1?asOf=${encodeURIComponent('2026-01-05T10:05:30.000Z')}`,
    );

    const section = screen.getByRole('region', { name: 'History' });
    expect(within(section).getByText('Showing 2 of 2 changes, newest first.')).toBeTruthy();
    expect(within(section).queryByRole('button', { name: 'Load older changes' })).toBeNull();
    expect(server.sent.find((op) => op.name === 'ProductHistory')?.variables).toEqual({ id: 'p1', first: 20 });
  });

  it('loads older changes a page at a time with “Load older changes”', async () => {
    const user = userEvent.setup();
    const events = [
      change(1, 'CustomerCreated', '2026-01-05T09:00:00.000Z', { firstName: [null, 'Danny'], lastName: [null, 'L0'] }),
      ...Array.from({ length: 24 }, (_, i) =>
        change(i + 2, 'CustomerUpdated', `2026-01-05T10:${String(i).padStart(2, '0')}:00.000Z`, {
          lastName: [`L${i}`, `L${i + 1}`],
        }),
      ),
    ];
    const server = new FakeServer();
    serveWorld(server, { products: [], customers: [{ ...danny, lastName: 'L24', version: 25 }], purchases: [] });
    serveHistory(server, { c1: events });
    renderApp('/customers/c1', server);

    await waitFor(async () => expect(await timeline()).toHaveLength(20));
    const section = screen.getByRole('region', { name: 'History' });
    expect(within(section).getByText('Showing 20 of 25 changes, newest first.')).toBeTruthy();
    expect(changesOf((await timeline())[0]!)).toEqual(['Last name: L23 → L24']);

    await user.click(within(section).getByRole('button', { name: 'Load older changes' }));
    await waitFor(async () => expect(await timeline()).toHaveLength(25));
    const entries = await timeline();
    expect(entries.map((entry) => within(entry).getByText(/^version/).textContent)).toEqual(
      Array.from({ length: 25 }, (_, i) => `version ${25 - i}`),
    );
    expect(within(entries[24]!).getByRole('heading', { level: 3 }).textContent).toBe('Customer created');
    expect(within(section).getByText('Showing 25 of 25 changes, newest first.')).toBeTruthy();
    expect(within(section).queryByRole('button', { name: 'Load older changes' })).toBeNull();
    // The keyboard goes on at the first change the page brought.
    await waitFor(() => expect(document.activeElement).toBe(entries[20]));
    expect(server.sent.filter((op) => op.name === 'CustomerHistory').map((op) => op.variables['after'] ?? null)).toEqual([
      null,
      '5',
    ]);
  });

  it('shows a new change of this product as it happens, and asks for nothing on changes of others', async () => {
    const server = new FakeServer();
    serveWorld(server, { products: [butter, gum], customers: [danny], purchases: [] });
    const events = { p1: [created] };
    serveHistory(server, events);
    renderApp('/products/p1', server);
    expect(await timeline()).toHaveLength(1);
    await waitFor(() => expect(server.open('ProductChanges')).toBe(1));
    const productChanged = (position: string, p: typeof butter) => ({
      productChanged: {
        __typename: 'ProductChange',
        kind: 'UPDATED',
        position,
        occurredAt: '2026-01-05T10:05:30.000Z',
        product: p,
      },
    });

    // Another product changes, and this one is bought: its timeline is not asked for again.
    act(() => {
      server.push('ProductChanges', productChanged('a', { ...gum, name: 'Chewing gum', version: 2 }));
      server.push('PurchasesMade', {
        purchaseMade: {
          __typename: 'PurchaseChange',
          kind: 'CREATED',
          position: 'b',
          occurredAt: '2026-01-05T10:05:00.000Z',
          purchase: purchase('u1', { ...butter, purchaseCount: 1, totalSpent: '1.50' }, danny, '1.50'),
        },
      });
    });
    await screen.findByText('1.50', { selector: '[data-testid="product-total-spent"]' });
    expect(server.count('ProductHistory')).toBe(1);

    // This one is renamed: its new change comes in on top, with one request.
    events.p1.push(renamed);
    act(() =>
      server.push('ProductChanges', productChanged('c', { ...butter, name: 'Salted butter', price: '1234.50', version: 2 })),
    );
    await waitFor(async () => expect(await timeline()).toHaveLength(2));
    const [newest] = await timeline();
    expect(changesOf(newest!)).toEqual(['Name: Butter → Salted butter', 'Price: 1.50 → 1,234.50']);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toContain('Salted butter');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.count('ProductHistory')).toBe(2);
  });

  it('keeps the older pages loaded when a new change comes in on top', async () => {
    const user = userEvent.setup();
    const events = {
      p1: [
        created,
        ...Array.from({ length: 21 }, (_, i) =>
          change(i + 2, 'ProductUpdated', `2026-01-05T11:${String(i).padStart(2, '0')}:00.000Z`, {
            price: [`${i + 1}.00`, `${i + 2}.00`],
          }),
        ),
      ],
    };
    const server = new FakeServer();
    serveWorld(server, { products: [{ ...butter, version: 22 }], customers: [], purchases: [] });
    serveHistory(server, events);
    renderApp('/products/p1', server);
    await waitFor(async () => expect(await timeline()).toHaveLength(20));
    await user.click(screen.getByRole('button', { name: 'Load older changes' }));
    await waitFor(async () => expect(await timeline()).toHaveLength(22));
    await waitFor(() => expect(server.open('ProductChanges')).toBe(1));

    events.p1.push(change(23, 'ProductUpdated', '2026-01-05T12:00:00.000Z', { price: ['22.00', '23.00'] }));
    act(() =>
      server.push('ProductChanges', {
        productChanged: {
          __typename: 'ProductChange',
          kind: 'UPDATED',
          position: 'x',
          occurredAt: '2026-01-05T12:00:00.000Z',
          product: { ...butter, price: '23.00', version: 23 },
        },
      }),
    );
    await waitFor(async () => expect(await timeline()).toHaveLength(23));
    const entries = await timeline();
    expect(entries.map((entry) => within(entry).getByText(/^version/).textContent)).toEqual(
      Array.from({ length: 23 }, (_, i) => `version ${23 - i}`),
    );
    expect(screen.getByText('Showing 23 of 23 changes, newest first.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Load older changes' })).toBeNull();
  });
});
