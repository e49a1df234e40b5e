import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { humanize } from '../src/lib/format.ts';
import { parseInstant, parseUtcInput, toUtcInput, withAsOf } from '../src/time/as-of.ts';
import { change, customer, product, serveHistory, serveWorld, type World } from './support/data.ts';
import { FakeServer } from './support/fake-server.ts';
import { renderApp } from './support/render.tsx';

// Butter was created at 10:00 and renamed at 10:05; Danny became a customer at 10:01.
const RENAMED_AT = '2026-01-05T10:05:00.000Z';
const BETWEEN = '2026-01-05T10:02:00.000Z';
const butterThen = product({ id: 'p1', name: 'Butter', price: '1.50', purchaseCount: 1, totalSpent: '1.50' });
const butterNow = { ...butterThen, name: 'Salted butter', version: 2, purchaseCount: 4, totalSpent: '6.00' };
const danny = customer({ id: 'c1', firstName: 'Danny', lastName: 'Tester' });

function serve(server: FakeServer): World {
  const live = serveWorld(server, { products: [butterNow], customers: [danny], purchases: [] }, (asOf) =>
    Date.parse(asOf) < Date.parse(RENAMED_AT)
      ? { products: [butterThen], customers: [danny], purchases: [] }
      : { products: [butterNow], customers: [danny], purchases: [] },
  );
  serveHistory(server, {
    p1: [
      change(1, 'ProductCreated', '2026-01-05T10:00:00.000Z', { name: [null, 'Butter'], price: [null, '1.50'] }),
      change(2, 'ProductUpdated', RENAMED_AT, { name: ['Butter', 'Salted butter'] }),
    ],
  });
  return live;
}

const productsTable = () => screen.getByRole('table', { name: /products/i });
const asOfSent = (name: string) => server_.sent.filter((op) => op.name === name).map((op) => op.variables['asOf'] ?? null);
let server_: FakeServer;

describe('view as of', () => {
  it('shows the products page as it was, with asOf in the queries, a banner, and the time in links', async () => {
    server_ = new FakeServer();
    serve(server_);
    renderApp(`/products?asOf=${BETWEEN}`, server_);

    expect(await within(productsTable()).findByRole('link', { name: 'Butter' })).toBeTruthy();
    expect(within(productsTable()).queryByRole('link', { name: 'Salted butter' })).toBeNull();
    expect(asOfSent('Products')).toEqual([BETWEEN]);
    expect(document.title).toBe('Products as of 5 Jan 2026, 10:02:00 UTC · Shop back office');
    const banner = screen.getByRole('region', { name: 'Viewing the past' });
    expect(within(banner).getByText(/Viewing as of/).textContent).toBe('Viewing as of 5 Jan 2026, 10:02:00 UTC.');
    expect(within(banner).getByRole('button', { name: 'Back to live' })).toBeTruthy();
    // The header's control shows the time too, as the banner does: UTC, 24-hour, to the second.
    expect((screen.getByLabelText('View as of (UTC)') as HTMLInputElement).value).toBe('2026-01-05 10:02:00');
    // Nothing on screen is live: the badge says so instead of a green "Live".
    expect(screen.getByText('Paused').closest('.connection')?.getAttribute('data-state')).toBe('past');
    expect(screen.queryByText('Live', { exact: true })).toBeNull();

    // Links stay in the past, and so do the drill-down's queries, its aggregates and its timeline.
    const link = within(productsTable()).getByRole('link', { name: 'Butter' });
    expect(link.getAttribute('href')).toBe(`/products/p1?asOf=${encodeURIComponent(BETWEEN)}`);
    expect(screen.getByRole('navigation', { name: 'Main' }).querySelector('a[href^="/customers"]')?.getAttribute('href')).toBe(
      `/customers?asOf=${encodeURIComponent(BETWEEN)}`,
    );
    await userEvent.setup().click(link);
    expect(await screen.findByRole('heading', { level: 1, name: 'Butter' })).toBeTruthy();
    expect(screen.getByTestId('product-purchase-count').textContent).toBe('1');
    const history = screen.getByRole('region', { name: 'History' });
    await within(history).findByText('Showing 1 of 1 change, newest first.');
    // The product comes from the list's cache of that past; its purchases are asked for as of then.
    expect(asOfSent('ProductPurchases')).toEqual([BETWEEN]);
    expect(asOfSent('ProductHistory')).toEqual([BETWEEN]);
    // No "view as of this change" while already in the past.
    expect(within(history).queryByRole('link', { name: /view as of this change/i })).toBeNull();
  });

  it('sets the time from the header, and goes back to live', async () => {
    const user = userEvent.setup();
    server_ = new FakeServer();
    serve(server_);
    renderApp('/products', server_);
    await within(productsTable()).findByRole('link', { name: 'Salted butter' });

    const control = screen.getByRole('form', { name: 'View as of' });
    await user.type(within(control).getByLabelText('View as of (UTC)'), '2026-01-05 10:02:00');
    await user.click(within(control).getByRole('button', { name: 'Show' }));

    expect(await within(productsTable()).findByRole('link', { name: 'Butter' })).toBeTruthy();
    expect(asOfSent('Products')).toEqual([null, BETWEEN]);
    expect(screen.getByRole('region', { name: 'Viewing the past' }).textContent).toContain(
      'Viewing as of 5 Jan 2026, 10:02:00 UTC',
    );

    await user.click(screen.getByRole('button', { name: 'Back to live' }));
    expect(await within(productsTable()).findByRole('link', { name: 'Salted butter' })).toBeTruthy();
    expect(screen.queryByRole('region', { name: 'Viewing the past' })).toBeNull();
    expect((screen.getByLabelText('View as of (UTC)') as HTMLInputElement).value).toBe('');
    expect(document.activeElement).toBe(screen.getByRole('main'));
    // The live page shows from the cache at once, and is asked for again: rows may have come and gone meanwhile.
    await waitFor(() => expect(asOfSent('Products')).toEqual([null, BETWEEN, null]));
    expect(screen.getByText('Live', { exact: true })).toBeTruthy();
  });

  it('disables every form while the past is shown', async () => {
    server_ = new FakeServer();
    serve(server_);
    renderApp(`/products?asOf=${BETWEEN}`, server_);
    const form = await screen.findByRole('form', { name: 'New product' });
    expect((within(form).getByLabelText('Name') as HTMLInputElement).disabled).toBe(true);
    expect((within(form).getByLabelText('Price') as HTMLInputElement).disabled).toBe(true);
    expect((within(form).getByRole('button', { name: 'Create product' }) as HTMLButtonElement).disabled).toBe(true);
    expect(within(form).getByText('Viewing the past: changes are made in the live view.')).toBeTruthy();

    await userEvent.setup().click(await within(productsTable()).findByRole('link', { name: 'Butter' }));
    const edit = await screen.findByRole('form', { name: 'Edit product' });
    expect((within(edit).getByLabelText('Name') as HTMLInputElement).value).toBe('Butter');
    for (const button of within(edit).getAllByRole('button')) expect((button as HTMLButtonElement).disabled).toBe(true);
    const record = screen.getByRole('form', { name: 'Record a purchase' });
    expect((within(record).getByRole('button', { name: 'Record purchase' }) as HTMLButtonElement).disabled).toBe(true);
    expect(server_.sent.filter((op) => op.kind === 'mutation')).toEqual([]);
  });

  it('keeps the past as it was when live changes arrive', async () => {
    server_ = new FakeServer();
    serve(server_);
    renderApp(`/products?asOf=${BETWEEN}`, server_);
    await within(productsTable()).findByRole('link', { name: 'Butter' });
    await waitFor(() => expect(server_.open('ProductChanges')).toBe(1));
    const sentBefore = server_.sent.length;

    act(() =>
      server_.push('ProductChanges', {
        productChanged: {
          __typename: 'ProductChange',
          kind: 'UPDATED',
          position: 'z',
          occurredAt: '2026-01-05T11:00:00.000Z',
          product: { ...butterNow, name: 'Unsalted butter', version: 3 },
        },
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(within(productsTable()).getByRole('link', { name: 'Butter' })).toBeTruthy();
    expect(within(productsTable()).queryByRole('link', { name: 'Unsalted butter' })).toBeNull();
    expect(server_.sent.slice(sentBefore)).toEqual([]);
  });

  it('says what is wrong with a time, and shows live for a bad one in the address', async () => {
    const user = userEvent.setup();
    server_ = new FakeServer();
    serve(server_);
    renderApp('/products?asOf=yesterday', server_);
    const alert = await screen.findByText(/“yesterday” is not a date and time with a zone/);
    expect(alert.closest('[role="alert"]')?.textContent).toContain('Showing the live view.');
    expect(await within(productsTable()).findByRole('link', { name: 'Salted butter' })).toBeTruthy();
    expect(asOfSent('Products')).toEqual([null]);
    expect((screen.getByRole('button', { name: 'Create product' }) as HTMLButtonElement).disabled).toBe(false);

    const control = screen.getByRole('form', { name: 'View as of' });
    const input = within(control).getByLabelText('View as of (UTC)');
    await user.click(within(control).getByRole('button', { name: 'Show' }));
    const message = await within(control).findByRole('alert');
    expect(message.textContent).toBe('Enter a date and time to see the shop as it was then.');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(input.getAttribute('aria-describedby')).toBe(message.id);

    await user.type(input, '2999-01-01 00:00:00');
    await user.click(within(control).getByRole('button', { name: 'Show' }));
    expect((await within(control).findByRole('alert')).textContent).toBe(
      '1 Jan 2999, 00:00:00 UTC is in the future: the live view already shows the present.',
    );
    expect(screen.queryByRole('region', { name: 'Viewing the past' })).toBeNull();
  });
});

describe('times for "view as of"', () => {
  const now = new Date('2026-06-01T00:00:00Z');

  it('reads instants with a zone from the address, and refuses others', () => {
    expect(parseInstant('2026-01-31T13:00:00+01:00', now)).toEqual({ ok: true, instant: '2026-01-31T12:00:00.000Z' });
    expect(parseInstant('2026-01-31T12:00:00.250Z', now)).toEqual({ ok: true, instant: '2026-01-31T12:00:00.250Z' });
    expect(parseInstant('2026-01-31T12:00:00', now).ok).toBe(false);
    expect(parseInstant('2026-13-45T12:00:00Z', now).ok).toBe(false);
    expect(parseInstant('2026-07-01T00:00:00Z', now)).toMatchObject({ ok: false, message: expect.stringMatching(/future/) });
  });

  it('reads the input as UTC, 24-hour, with or without seconds, and refuses times that do not exist', () => {
    expect(parseUtcInput('2026-01-31T12:00', now)).toEqual({ ok: true, instant: '2026-01-31T12:00:00.000Z' });
    expect(parseUtcInput('2026-01-31 18:00:07', now)).toEqual({ ok: true, instant: '2026-01-31T18:00:07.000Z' });
    expect(parseUtcInput('2026-01-31 13:00:00+01:00', now)).toEqual({ ok: true, instant: '2026-01-31T12:00:00.000Z' });
    expect(parseUtcInput('2026-02-31 12:00', now)).toEqual({
      ok: false,
      message: '“2026-02-31 12:00” is not a date and time that exists.',
    });
    expect(parseUtcInput('2026-01-31 25:00', now).ok).toBe(false);
    expect(parseUtcInput('soon', now)).toMatchObject({ ok: false, message: expect.stringMatching(/not a date and time/) });
    expect(toUtcInput('2026-01-31T12:00:07.250Z')).toBe('2026-01-31 12:00:07');
    expect(withAsOf('/products/p1', '2026-01-31T12:00:00.000Z')).toBe('/products/p1?asOf=2026-01-31T12%3A00%3A00.000Z');
    expect(withAsOf('/products', null)).toBe('/products');
  });

  it('names event types and fields in words', () => {
    expect(humanize('ProductPriceChanged')).toBe('Product price changed');
    expect(humanize('deletedAt')).toBe('Deleted at');
    expect(humanize('customerId')).toBe('Customer id');
  });
});
