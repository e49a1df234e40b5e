import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForbiddenError, UnauthenticatedError, createShopClient } from '../src/index.ts';
import { startTestSystem, type TestSystem } from './support/system.ts';

async function first<T>(iterable: AsyncIterable<T>): Promise<T> {
  for await (const item of iterable) return item;
  throw new Error('the subscription ended without a payload');
}

describe('the client with access control on (GATEWAY_TOKEN)', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await startTestSystem({
      security: {
        tokens: new Map([
          ['viewer-token', 'viewer'],
          ['editor-token', 'editor'],
        ]),
      },
    });
  });
  afterAll(async () => {
    await system?.close();
  });

  it('sends the token as a bearer token, over HTTP and in connection_init', async () => {
    const editor = createShopClient({ url: system.url, token: 'editor-token' });
    const viewer = createShopClient({ url: system.url, token: 'viewer-token' });
    try {
      const butter = await editor.Product.create({ name: 'Butter', price: 1.5 });
      expect((await viewer.Product.retrieve(butter.id)).name).toBe('Butter');
      const change = first(viewer.Product.watch({ id: butter.id, after: editor.consistencyToken! }));
      await editor.Product.update(butter.id, { price: 2 });
      expect((await change).entity.price).toBe('2.00');
    } finally {
      await Promise.all([editor.close(), viewer.close()]);
    }
  });

  it('throws UnauthenticatedError without a valid token and ForbiddenError for a viewer’s mutation', async () => {
    const anonymous = createShopClient({ url: system.url, token: undefined });
    const wrong = createShopClient({ url: system.url, token: 'guess' });
    const viewer = createShopClient({ url: system.url, token: 'viewer-token' });
    try {
      await expect(anonymous.Product.list()).rejects.toBeInstanceOf(UnauthenticatedError);
      await expect(wrong.Product.list()).rejects.toBeInstanceOf(UnauthenticatedError);
      await expect(viewer.Product.create({ name: 'Nope', price: 1 })).rejects.toBeInstanceOf(ForbiddenError);
      // graphql-ws refuses a connection_init without a valid token by closing with 4403 Forbidden.
      await expect(first(anonymous.Product.watch())).rejects.toThrow(ForbiddenError);
      await expect(first(anonymous.Product.watch())).rejects.toThrow(/subscription refused \(4403\)/);
    } finally {
      await Promise.all([anonymous.close(), wrong.close(), viewer.close()]);
    }
  });
});
