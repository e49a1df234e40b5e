import { ApolloClient, ApolloLink, gql, InMemoryCache } from '@apollo/client';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { consistencyLink, ConsistencyToken, mergeConsistencyTokens } from '../src/apollo/consistency.ts';
import { fillBuckets } from '../src/components/Charts.tsx';
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

  it('say in words that the server cannot be reached, not the browser’s “Failed to fetch”', () => {
    const { form } = formErrors(new TypeError('Failed to fetch'), values);
    expect(form).toBe(
      'The server cannot be reached: it may be stopped or restarting, or the network is down. Try again once it is back.',
    );
  });
});

describe('purchases over time', () => {
  const bucket = (start: string, purchaseCount: number, revenue: string) => ({
    __typename: 'SalesBucket' as const,
    start,
    purchaseCount,
    revenue,
  });
  const overTime = (size: 'MINUTE' | 'HOUR' | 'DAY', buckets: ReturnType<typeof bucket>[]) => ({
    __typename: 'SalesOverTime' as const,
    bucket: size,
    buckets,
  });

  it('puts back the empty buckets the server leaves out, labelled in UTC', () => {
    const buckets = fillBuckets(
      overTime('MINUTE', [
        bucket('2026-01-05T10:01:00.000Z', 1, '1.00'),
        bucket('2026-01-05T10:02:00.000Z', 1, '0.50'),
        bucket('2026-01-05T10:04:00.000Z', 2, '2.00'),
      ]),
    );
    expect(buckets).toEqual([
      { label: '10:01', purchases: 1, revenue: 1 },
      { label: '10:02', purchases: 1, revenue: 0.5 },
      { label: '10:03', purchases: 0, revenue: 0 },
      { label: '10:04', purchases: 2, revenue: 2 },
    ]);
  });

  it('labels days by date, and hours over several days with the date', () => {
    const days = fillBuckets(
      overTime('DAY', [bucket('2026-01-01T00:00:00.000Z', 1, '1.00'), bucket('2026-01-20T00:00:00.000Z', 2, '2.00')]),
    );
    expect(days).toHaveLength(20);
    expect(days[0]).toEqual({ label: '2026-01-01', purchases: 1, revenue: 1 });
    expect(days.at(-1)).toEqual({ label: '2026-01-20', purchases: 2, revenue: 2 });
    const hours = fillBuckets(
      overTime('HOUR', [bucket('2026-01-01T23:00:00.000Z', 1, '1.00'), bucket('2026-01-02T01:00:00.000Z', 1, '1.00')]),
    );
    expect(hours.map((h) => h.label)).toEqual(['01-01 23:00', '01-02 00:00', '01-02 01:00']);
  });

  it('gives a single bucket as one point, and none for no purchases', () => {
    expect(fillBuckets(overTime('MINUTE', [bucket('2026-01-05T10:00:00.000Z', 3, '4.50')]))).toEqual([
      { label: '10:00', purchases: 3, revenue: 4.5 },
    ]);
    expect(fillBuckets(overTime('MINUTE', []))).toEqual([]);
  });

  it('takes a thousand buckets without spreading them into a call', () => {
    const start = Date.parse('2026-01-01T00:00:00.000Z');
    const many = Array.from({ length: 1000 }, (_, i) => bucket(new Date(start + i * 86_400_000).toISOString(), 1, '1.00'));
    expect(fillBuckets(overTime('DAY', many))).toHaveLength(1000);
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

  it('include the position of each event shown, so a page asked for because of it has it', () => {
    const consistency = new ConsistencyToken();
    consistency.wrote(token({ 'eventbus.products': { 0: 7 } }));
    consistency.observe(token({ 'eventbus.purchases': { 1: 42 } }));
    consistency.observe('not-a-position');
    expect(decode(consistency.get()!)).toEqual({ 'eventbus.products': { 0: 7 }, 'eventbus.purchases': { 1: 42 } });
  });
});
