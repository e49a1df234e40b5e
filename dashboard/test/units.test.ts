import { ApolloClient, ApolloLink, gql, InMemoryCache } from '@apollo/client';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { consistencyLink, mergeConsistencyTokens } from '../src/apollo/consistency.ts';
import { bucketPurchases } from '../src/components/Charts.tsx';
import { formErrors } from '../src/forms/errors.ts';
import { centsToMoney, formatMoney, moneyToCents } from '../src/lib/format.ts';
import { webSocketUrl } from '../src/lib/urls.ts';

const errors = (...list: { message: string; extensions: Record<string, unknown> }[]) =>
  new CombinedGraphQLErrors({ errors: list });

describe('money on screen', () => {
  it('sums in cents and groups thousands without floating point', () => {
    expect(moneyToCents('0.10') + moneyToCents('0.20')).toBe(30);
    expect(centsToMoney(30)).toBe('0.30');
    expect(moneyToCents('1.5')).toBe(150);
    expect(formatMoney('1234567.8')).toBe('1,234,567.80');
    expect(formatMoney('not money')).toBe('not money');
  });
});

describe('form errors', () => {
  const values = { name: 'x', price: '1.234', productId: 'p1' };

  it('put an error next to the field the server names', () => {
    expect(
      formErrors(errors({ message: 'name must not be empty', extensions: { code: 'BAD_USER_INPUT', field: 'name' } }), values),
    ).toEqual({
      fields: { name: 'name must not be empty' },
    });
  });

  it('find the field of a NOT_FOUND by the id it names', () => {
    expect(
      formErrors(errors({ message: 'product "p1" does not exist', extensions: { code: 'NOT_FOUND', id: 'p1' } }), values).fields,
    ).toEqual({
      productId: 'product "p1" does not exist',
    });
  });

  it('report a CONFLICT apart, and anything else for the whole form', () => {
    const result = formErrors(
      errors(
        { message: 'product "p1" is at version 3, not 2: reload it and try again', extensions: { code: 'CONFLICT' } },
        { message: 'the event log is unavailable', extensions: { code: 'UNAVAILABLE' } },
        { message: 'x must be y', extensions: { code: 'BAD_USER_INPUT', field: 'notOnTheForm' } },
      ),
      values,
    );
    expect(result).toEqual({
      fields: {},
      conflict: 'product "p1" is at version 3, not 2: reload it and try again',
      form: 'the event log is unavailable x must be y',
    });
  });

  it('say the server could not be reached on a network error', () => {
    expect(formErrors(new TypeError('Failed to fetch'), values).form).toMatch(/could not be reached \(Failed to fetch\)/);
  });
});

describe('purchases over time', () => {
  const at = (iso: string, total = '1.00') => ({ transactionDate: iso, total });

  it('uses the finest buckets that fit and keeps empty ones', () => {
    const buckets = bucketPurchases([at('2026-01-05T10:01:00Z'), at('2026-01-05T10:02:30Z', '0.50'), at('2026-01-05T10:04:00Z')]);
    expect(buckets.map((b) => [b.label, b.purchases, b.cents])).toEqual([
      ['10:01', 1, 100],
      ['10:02', 1, 50],
      ['10:03', 0, 0],
      ['10:04', 1, 100],
    ]);
  });

  it('switches to days over a long span', () => {
    const buckets = bucketPurchases([at('2026-01-01T10:00:00Z'), at('2026-01-20T09:00:00Z'), at('2026-01-20T23:00:00Z')]);
    expect(buckets).toHaveLength(20);
    expect(buckets[0]).toEqual({ label: '2026-01-01', purchases: 1, cents: 100 });
    expect(buckets.at(-1)).toEqual({ label: '2026-01-20', purchases: 2, cents: 200 });
  });
});

describe('the websocket URL', () => {
  it('follows the page: ws for http, wss for https, same host', () => {
    expect(webSocketUrl({ protocol: 'http:', host: 'localhost:4000' })).toBe('ws://localhost:4000/graphql');
    expect(webSocketUrl({ protocol: 'https:', host: 'shop.example' })).toBe('wss://shop.example/graphql');
  });
});

describe('consistency tokens', () => {
  const token = (offsets: object) => btoa(JSON.stringify(offsets)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const decode = (t: string) => JSON.parse(atob(t.replace(/-/g, '+').replace(/_/g, '/'))) as object;

  it('merge partition by partition, the later offset winning', () => {
    const products = token({ 'eventbus.products': { 0: 7 } });
    const customers = token({ 'eventbus.customers': { 0: 3 }, 'eventbus.products': { 0: 5 } });
    expect(decode(mergeConsistencyTokens(products, customers))).toEqual({
      'eventbus.products': { 0: 7 },
      'eventbus.customers': { 0: 3 },
    });
  });

  it('let a token they cannot read replace the older one', () => {
    expect(mergeConsistencyTokens(token({ t: { 0: 1 } }), 'opaque-v2')).toBe('opaque-v2');
    expect(mergeConsistencyTokens(undefined, 'first')).toBe('first');
  });

  it('are sent with the requests after a write', async () => {
    const sent: (string | undefined)[] = [];
    const server = new ApolloLink((operation) => {
      sent.push((operation.getContext()['headers'] as Record<string, string> | undefined)?.['x-consistency-token']);
      operation.setContext({
        response: { headers: new Headers(sent.length === 1 ? { 'x-consistency-token': 'written-1' } : {}) },
      });
      return of({ data: { ok: true } });
    });
    const link = ApolloLink.from([consistencyLink(), server]);
    const client = new ApolloClient({ link, cache: new InMemoryCache() });
    await client.mutate({
      mutation: gql`
        mutation A {
          ok
        }
      `,
    });
    await client.query({
      query: gql`
        query B {
          ok
        }
      `,
      fetchPolicy: 'network-only',
    });
    expect(sent).toEqual([undefined, 'written-1']);
  });
});
