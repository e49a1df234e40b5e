import { describe, expect, it } from 'vitest';
import type { FormattedExecutionResult } from 'graphql-ws';
import {
  ForbiddenError,
  UnavailableError,
  ValidationError,
  createShopClient,
  webSocketUrl,
  type SubscriptionTransport,
} from '../src/index.ts';

type Step = { readonly data: unknown } | { readonly errors: unknown[] } | { readonly throw: unknown } | 'complete' | 'hang';

/**
 * A graphql-ws stand-in: each `iterate` plays the next script, recording the variables it got.
 * A script ends by completing, throwing (a close event, an error list) or hanging until returned.
 */
function fakeSubscriptions(
  ...scripts: Step[][]
): SubscriptionTransport & { readonly subscribed: Record<string, unknown>[]; disposed: boolean } {
  const subscribed: Record<string, unknown>[] = [];
  const fake = {
    subscribed,
    disposed: false,
    iterate<TData>(payload: { variables?: Record<string, unknown> }): AsyncIterableIterator<FormattedExecutionResult<TData>> {
      subscribed.push(payload.variables ?? {});
      const script = scripts[subscribed.length - 1] ?? ['hang'];
      let release: () => void = () => {};
      const released = new Promise<void>((resolve) => (release = resolve));
      async function* play(): AsyncGenerator<FormattedExecutionResult<TData>> {
        for (const step of script) {
          if (step === 'complete') return;
          if (step === 'hang') return void (await released);
          if ('throw' in step) throw step.throw;
          yield step as FormattedExecutionResult<TData>;
        }
      }
      const iterator = play();
      return Object.assign(iterator, {
        return: async () => {
          release();
          return { done: true as const, value: undefined };
        },
      });
    },
    dispose() {
      fake.disposed = true;
    },
  };
  return fake;
}

const change = (name: string, position: string) => ({
  data: {
    productChanged: {
      kind: 'UPDATED',
      position,
      occurredAt: '2026-01-01T00:00:00.000Z',
      product: {
        id: 'p1',
        name,
        price: '1.00',
        version: 1,
        createdAt: 'x',
        updatedAt: 'x',
        deletedAt: null,
        purchaseCount: 0,
        customerCount: 0,
        totalSpent: '0.00',
      },
    },
  },
});
const dropped = { throw: { code: 1006, reason: '', wasClean: false } };

async function take<T>(iterable: AsyncIterable<T>, count: number): Promise<T[]> {
  const items: T[] = [];
  if (count === 0) return items;
  for await (const item of iterable) {
    items.push(item);
    if (items.length === count) break;
  }
  return items;
}

describe('watch helpers', () => {
  it('resume after a dropped connection from the last position: nothing twice, nothing lost', async () => {
    const subscriptions = fakeSubscriptions(
      [change('a', 'P1'), change('b', 'P2'), dropped],
      [dropped],
      [change('c', 'P3'), 'hang'],
    );
    const shop = createShopClient({ url: 'http://gateway/graphql', subscriptions, retryDelayMs: 1 });
    const changes = await take(shop.operations.productChanged({ id: 'p1', after: 'P0' }, { retryDelayMs: 1 }), 3);
    expect(changes.map((c) => [c.product.name, c.position])).toEqual([
      ['a', 'P1'],
      ['b', 'P2'],
      ['c', 'P3'],
    ]);
    expect(subscriptions.subscribed).toEqual([
      { id: 'p1', after: 'P0' },
      { id: 'p1', after: 'P2' },
      { id: 'p1', after: 'P2' },
    ]);
  });

  it('hand resources to the resource layer’s watch', async () => {
    const shop = createShopClient({
      url: 'http://gateway/graphql',
      subscriptions: fakeSubscriptions([change('Butter', 'P1'), 'complete']),
    });
    const [first] = await take(shop.Product.watch(), 1);
    expect(first).toMatchObject({ kind: 'UPDATED', position: 'P1' });
    expect(first!.entity).toBeInstanceOf(shop.Product);
    expect(first!.entity.name).toBe('Butter');
  });

  it('give up after maxRetries reconnects in a row without a payload', async () => {
    const subscriptions = fakeSubscriptions([dropped], [dropped], [dropped], [dropped]);
    const shop = createShopClient({ url: 'http://gateway/graphql', subscriptions });
    const reconnects: (string | undefined)[] = [];
    const error = await take(
      shop.operations.productChanged({}, { maxRetries: 2, retryDelayMs: 1, onReconnect: (after) => reconnects.push(after) }),
      1,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect(subscriptions.subscribed).toHaveLength(3);
    expect(reconnects).toEqual([undefined, undefined]);
  });

  it('end with a typed error, without reconnecting, on GraphQL errors and refusals', async () => {
    const invalid = fakeSubscriptions([
      { throw: [{ message: 'after: not a position', extensions: { code: 'BAD_USER_INPUT' } }] },
    ]);
    const shop = createShopClient({ url: 'http://gateway/graphql', subscriptions: invalid });
    await expect(take(shop.operations.productChanged({ after: 'junk' }), 1)).rejects.toBeInstanceOf(ValidationError);
    expect(invalid.subscribed).toHaveLength(1);

    const inPayload = createShopClient({
      url: 'http://gateway/graphql',
      subscriptions: fakeSubscriptions([{ errors: [{ message: 'no', extensions: { code: 'BAD_USER_INPUT' } }] }]),
    });
    await expect(take(inPayload.operations.productChanged(), 1)).rejects.toBeInstanceOf(ValidationError);

    const forbidden = createShopClient({
      url: 'http://gateway/graphql',
      subscriptions: fakeSubscriptions([{ throw: { code: 4403, reason: 'Forbidden' } }]),
    });
    await expect(take(forbidden.operations.purchaseMade(), 1)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('stop quietly when the signal aborts', async () => {
    const subscriptions = fakeSubscriptions([change('a', 'P1'), 'hang']);
    const shop = createShopClient({ url: 'http://gateway/graphql', subscriptions });
    const abort = new AbortController();
    const seen: string[] = [];
    for await (const c of shop.operations.productChanged({}, { signal: abort.signal })) {
      seen.push(c.position);
      setTimeout(() => abort.abort(), 5);
    }
    expect(seen).toEqual(['P1']);
    await shop.close();
    expect(subscriptions.disposed).toBe(true);
  });

  it('use the gateway’s HTTP path over ws:// or wss://', () => {
    expect(webSocketUrl('http://localhost:4000/graphql')).toBe('ws://localhost:4000/graphql');
    expect(webSocketUrl('https://shop.example/graphql')).toBe('wss://shop.example/graphql');
  });
});
