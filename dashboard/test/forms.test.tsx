import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { customer, product, purchase, serveWorld } from './support/data.ts';
import { FakeServer, graphQLError } from './support/fake-server.ts';
import { renderApp } from './support/render.tsx';

const butter = product({ id: 'p1', name: 'Butter', price: '1.50' });
const danny = customer({ id: 'c1', firstName: 'Danny', lastName: 'Tester' });

/** The error text a screen reader reads with the input: what `aria-describedby` points at. */
function description(input: HTMLElement): string {
  return (input.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .filter(Boolean)
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ');
}

describe('the forms', () => {
  it('create a product, which then appears in the list', async () => {
    const user = userEvent.setup();
    const server = new FakeServer();
    const world = serveWorld(server, { products: [butter], customers: [], purchases: [] });
    server.on('CreateProduct', (v) => {
      const input = v['input'] as { name: string; price: string };
      const created = product({ id: 'p2', name: input.name, price: input.price });
      world.products.push(created);
      return { data: { createProduct: created } };
    });
    renderApp('/products', server);
    await screen.findByRole('link', { name: 'Butter' });
    const form = screen.getByRole('form', { name: 'New product' });
    await user.type(within(form).getByLabelText('Name'), 'Jam');
    await user.type(within(form).getByLabelText('Price'), '3.20');
    await user.click(within(form).getByRole('button', { name: 'Create product' }));

    expect(await within(form).findByText(/created/i)).toBeTruthy();
    expect(server.sent.find((op) => op.name === 'CreateProduct')?.variables).toMatchObject({
      input: { name: 'Jam', price: '3.20' },
    });
    const table = screen.getByRole('table', { name: /products/i });
    const row = (await within(table).findByRole('link', { name: 'Jam' })).closest('tr')!;
    expect(
      within(row)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['Jam', '3.20', '0', '0', '0.00']);
    expect((within(form).getByLabelText('Name') as HTMLInputElement).value).toBe('');
    // The server sorts the list: the page is asked for again, and shows the product where it belongs.
    expect(server.count('Products')).toBe(2);
    expect(
      within(table)
        .getAllByRole('link')
        .map((link) => link.textContent),
    ).toEqual(['Butter', 'Jam']);
  });

  it('show the server’s validation error next to the field it names', async () => {
    const user = userEvent.setup();
    const server = new FakeServer();
    serveWorld(server, { products: [], customers: [], purchases: [] });
    server.on('CreateProduct', () => graphQLError('name must not be empty', { code: 'BAD_USER_INPUT', field: 'name' }));
    renderApp('/products', server);
    const form = await screen.findByRole('form', { name: 'New product' });
    await user.type(within(form).getByLabelText('Name'), '   ');
    await user.type(within(form).getByLabelText('Price'), '1');
    await user.click(within(form).getByRole('button', { name: 'Create product' }));

    const name = within(form).getByLabelText('Name');
    await waitFor(() => expect(name.getAttribute('aria-invalid')).toBe('true'));
    expect(description(name)).toBe('name must not be empty');
    expect(within(form).getByLabelText('Price').getAttribute('aria-invalid')).toBeNull();
  });

  it.each([
    [
      'a scalar’s coercion error (no extensions.field) by its path',
      'Variable "$input" got invalid value "1.234" at "input.price"; Expected type "Money". Money must be a decimal amount with at most two decimals, such as "1.50" (got "1.234")',
      { code: 'BAD_USER_INPUT' },
    ],
    [
      'the gateway’s scalar error at its field, without the field’s name in front',
      'price: Money must be a decimal amount with at most two decimals, such as "1.50" (got "1.234")',
      { code: 'BAD_USER_INPUT', field: 'price' },
    ],
  ])('place %s', async (_, message, extensions) => {
    const user = userEvent.setup();
    const server = new FakeServer();
    serveWorld(server, { products: [], customers: [], purchases: [] });
    server.on('CreateProduct', () => graphQLError(message, extensions));
    renderApp('/products', server);
    const form = await screen.findByRole('form', { name: 'New product' });
    await user.type(within(form).getByLabelText('Name'), 'Jam');
    await user.type(within(form).getByLabelText('Price'), '1.234');
    await user.click(within(form).getByRole('button', { name: 'Create product' }));

    const price = within(form).getByLabelText('Price');
    await waitFor(() => expect(price.getAttribute('aria-invalid')).toBe('true'));
    expect(description(price)).toMatch(/^Money must be a decimal amount with at most two decimals/);
  });

  it('edit with expectedVersion, offer to reload on CONFLICT, and save the reloaded version', async () => {
    const user = userEvent.setup();
    const server = new FakeServer();
    const world = serveWorld(server, { products: [butter], customers: [], purchases: [] });
    server.on('UpdateProduct', (v) => {
      const current = world.products[0]!;
      if (v['expectedVersion'] !== current.version) {
        return graphQLError(
          `product "p1" is at version ${current.version}, not ${String(v['expectedVersion'])}: reload it and try again`,
          {
            code: 'CONFLICT',
          },
        );
      }
      const input = v['input'] as { name: string; price: string };
      world.products[0] = { ...current, ...input, version: current.version + 1 };
      return { data: { updateProduct: world.products[0] } };
    });
    renderApp('/products/p1', server);
    const form = await screen.findByRole('form', { name: 'Edit product' });
    expect((within(form).getByLabelText('Name') as HTMLInputElement).value).toBe('Butter');

    // Someone else saves first.
    world.products[0] = { ...butter, name: 'Salted butter', version: 2 };
    await user.clear(within(form).getByLabelText('Price'));
    await user.type(within(form).getByLabelText('Price'), '1.99');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    const alert = await within(form).findByRole('alert');
    expect(alert.textContent).toMatch(/version 2, not 1/);

    await user.click(within(alert).getByRole('button', { name: 'Reload current version' }));
    await waitFor(() => expect((within(form).getByLabelText('Name') as HTMLInputElement).value).toBe('Salted butter'));
    await user.clear(within(form).getByLabelText('Price'));
    await user.type(within(form).getByLabelText('Price'), '1.99');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(await within(form).findByText('Saved as version 3.')).toBeTruthy();
    expect(server.sent.filter((op) => op.name === 'UpdateProduct').map((op) => op.variables['expectedVersion'])).toEqual([1, 2]);
    expect(await screen.findByRole('heading', { level: 1, name: /salted butter/i })).toBeTruthy();
  });

  it('edit and delete a customer', async () => {
    const user = userEvent.setup();
    const server = new FakeServer();
    const world = serveWorld(server, { products: [], customers: [danny], purchases: [] });
    server.on('UpdateCustomer', (v) => {
      world.customers[0] = { ...danny, ...(v['input'] as object), version: 2 };
      return { data: { updateCustomer: world.customers[0] } };
    });
    server.on('DeleteCustomer', () => ({
      data: { deleteCustomer: { ...world.customers[0]!, deletedAt: '2026-01-05T11:00:00.000Z', version: 3 } },
    }));
    renderApp('/customers/c1', server);
    const form = await screen.findByRole('form', { name: 'Edit customer' });
    await user.clear(within(form).getByLabelText('First name'));
    await user.type(within(form).getByLabelText('First name'), 'Daniel');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByRole('heading', { level: 1, name: /daniel tester/i })).toBeTruthy();

    await user.click(within(form).getByRole('button', { name: 'Delete…' }));
    const confirm = within(form).getByRole('group', { name: 'Confirm deletion' });
    expect(document.activeElement).toBe(within(confirm).getByRole('button', { name: 'Delete' }));
    await user.keyboard('{Enter}');
    expect(await screen.findByText('Deleted Daniel Tester.')).toBeTruthy();
    expect(screen.getByRole('heading', { level: 1, name: 'Customers' })).toBeTruthy();
    expect(server.sent.find((op) => op.name === 'DeleteCustomer')?.variables).toEqual({ id: 'c1', expectedVersion: 2 });
  });

  it('record a purchase for a customer and update the customer’s figures from the result', async () => {
    const user = userEvent.setup();
    const server = new FakeServer();
    serveWorld(server, { products: [butter], customers: [danny], purchases: [] });
    server.on('CreatePurchase', () => ({
      data: {
        createPurchase: purchase(
          'u1',
          { ...butter, purchaseCount: 1, customerCount: 1, totalSpent: '1.50' },
          { ...danny, purchaseCount: 1, totalSpent: '1.50' },
          '1.50',
        ),
      },
    }));
    renderApp('/customers/c1', server);
    const form = await screen.findByRole('form', { name: 'Record a purchase' });
    await waitFor(() => expect(within(form).getByRole('option', { name: 'Butter (1.50)' })).toBeTruthy());
    await user.selectOptions(within(form).getByLabelText('Product'), 'p1');
    await user.click(within(form).getByRole('button', { name: 'Record purchase' }));

    expect(await within(form).findByText('Recorded: Danny Tester bought Butter for 1.50.')).toBeTruthy();
    expect(server.sent.find((op) => op.name === 'CreatePurchase')?.variables).toEqual({
      input: { productId: 'p1', customerId: 'c1' },
    });
    expect(screen.getByTestId('customer-purchase-count').textContent).toBe('1');
    const table = screen.getByRole('table', { name: /purchases/i });
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(2));
  });

  it('show a NOT_FOUND for the chosen product next to the product field', async () => {
    const user = userEvent.setup();
    const server = new FakeServer();
    serveWorld(server, { products: [butter], customers: [danny], purchases: [] });
    server.on('CreatePurchase', () => graphQLError('product "p1" does not exist', { code: 'NOT_FOUND', id: 'p1' }));
    renderApp('/customers/c1', server);
    const form = await screen.findByRole('form', { name: 'Record a purchase' });
    await waitFor(() => expect(within(form).getByRole('option', { name: 'Butter (1.50)' })).toBeTruthy());
    await user.selectOptions(within(form).getByLabelText('Product'), 'p1');
    await user.click(within(form).getByRole('button', { name: 'Record purchase' }));
    const select = within(form).getByLabelText('Product');
    await waitFor(() => expect(description(select)).toBe('product "p1" does not exist'));
  });
});

describe('access tokens', () => {
  it('asks for a token when the gateway refuses, then loads with it', async () => {
    const user = userEvent.setup();
    const server = new FakeServer();
    serveWorld(server, { products: [], customers: [danny], purchases: [] });
    const customers = server.handler('Customers')!;
    server.on('Customers', (variables, headers) =>
      headers['authorization'] === 'Bearer viewer-token-0123456789'
        ? customers(variables, headers)
        : graphQLError('send a valid token: Authorization: Bearer <token>', { code: 'UNAUTHENTICATED' }),
    );
    renderApp('/customers', server);
    const signIn = await screen.findByRole('form', { name: 'Sign in' });
    expect(screen.getByRole('heading', { name: 'This gateway needs an access token' })).toBeTruthy();
    await user.type(within(signIn).getByLabelText('Access token'), 'viewer-token-0123456789');
    await user.click(within(signIn).getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('link', { name: 'Danny Tester' })).toBeTruthy();
    expect(screen.queryByRole('form', { name: 'Sign in' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeTruthy();
  });

  it('leaves nothing of the past on screen after signing out', async () => {
    const user = userEvent.setup();
    const server = new FakeServer();
    serveWorld(server, { products: [], customers: [danny], purchases: [] }, () => ({
      products: [],
      customers: [danny],
      purchases: [],
    }));
    const customers = server.handler('Customers')!;
    server.on('Customers', (variables, headers) =>
      headers['authorization'] === 'Bearer viewer-token-0123456789'
        ? customers(variables, headers)
        : graphQLError('send a valid token: Authorization: Bearer <token>', { code: 'UNAUTHENTICATED' }),
    );
    const { auth } = renderApp('/customers?asOf=2026-01-05T10:02:00.000Z', server);
    act(() => auth.signIn('viewer-token-0123456789'));
    expect(await screen.findByRole('link', { name: 'Danny Tester' })).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('form', { name: 'Sign in' })).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Danny Tester' })).toBeNull();
  });
});
