import { describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import { bindResources, formatTable, renderValue, type Operations, type ProductData } from '../src/index.ts';

const product = (overrides: Partial<ProductData> = {}): ProductData => ({
  id: 'p1',
  name: 'Butter',
  price: '1.50',
  version: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  deletedAt: null,
  purchaseCount: 0,
  customerCount: 0,
  totalSpent: '0.00',
  ...overrides,
});

/** Operations that record their calls; only what a test uses is implemented. */
function fakeOperations(implementation: Partial<Operations>): { operations: Operations; calls: [string, unknown][] } {
  const calls: [string, unknown][] = [];
  const operations = new Proxy(implementation, {
    get:
      (target, name: string) =>
      (variables: unknown, ...rest: unknown[]) => {
        calls.push([name, variables]);
        const fn = target[name as keyof Operations] as ((...args: unknown[]) => unknown) | undefined;
        if (!fn) throw new Error(`unexpected call ${name}`);
        return fn(variables, ...rest);
      },
  }) as Operations;
  return { operations, calls };
}

describe('resources', () => {
  it('save() sends only the changed fields, with the version loaded as expectedVersion', async () => {
    const { operations, calls } = fakeOperations({
      product: async () => product(),
      updateProduct: async ({ input }) =>
        product({ name: input.name ?? 'Butter', price: String(input.price ?? '1.50'), version: 2 }),
    });
    const { Product } = bindResources(operations);
    const butter = await Product.retrieve('p1');
    expect(await butter.save()).toBe(butter); // nothing changed: no call
    butter.price = 1.99;
    expect(butter.changes).toEqual({ price: 1.99 });
    await butter.save();
    expect(calls.at(-1)).toEqual(['updateProduct', { id: 'p1', input: { price: 1.99 }, expectedVersion: 1 }]);
    expect([butter.price, butter.version, butter.changes]).toEqual(['1.99', 2, {}]);
  });

  it('list() pages through the connection lazily, and awaiting it gives every item', async () => {
    const all = Array.from({ length: 5 }, (_, i) => product({ id: `p${i}`, name: `P${i}` }));
    const { operations, calls } = fakeOperations({
      products: async ({ first, after } = {}) => {
        const start = after ? Number(after) : 0;
        const nodes = all.slice(start, start + (first ?? 50));
        return {
          totalCount: all.length,
          nodes,
          pageInfo: { hasNextPage: start + nodes.length < all.length, endCursor: String(start + nodes.length) },
        };
      },
    });
    const { Product } = bindResources(operations);
    const names = (await Product.list({ pageSize: 2 })).map((p) => p.name);
    expect(names).toEqual(['P0', 'P1', 'P2', 'P3', 'P4']);
    expect(calls.map(([, variables]) => variables)).toEqual([
      { first: 2, after: undefined },
      { first: 2, after: '2' },
      { first: 2, after: '4' },
    ]);
    calls.length = 0;
    for await (const p of Product.list({ pageSize: 2 })) if (p.name === 'P1') break;
    expect(calls).toHaveLength(1);
    await expect(Product.list({ pageSize: 501 }).toArray()).rejects.toThrow(/pageSize must be 1 to 500/);
  });

  it('print readably: one line per resource, a table per list', async () => {
    const { Product } = bindResources(fakeOperations({ product: async () => product() }).operations);
    const butter = await Product.retrieve('p1');
    expect(inspect(butter)).toBe(
      `Product { id: 'p1', name: 'Butter', price: '1.50', version: 1, purchaseCount: 0, customerCount: 0, totalSpent: '0.00' }`,
    );
    butter.name = 'Salted';
    expect(inspect(butter)).toContain(`unsaved: { name: 'Salted' }`);
    expect(JSON.parse(JSON.stringify(butter))).toMatchObject({ id: 'p1', name: 'Salted', price: '1.50' });
    expect(renderValue([butter, butter]).split('\n')).toEqual([
      'id  name    price  version  purchases  customers  spent',
      '──  ──────  ─────  ───────  ─────────  ─────────  ─────',
      'p1  Salted   1.50        1          0          0   0.00',
      'p1  Salted   1.50        1          0          0   0.00',
      '(2 products)',
    ]);
    expect(formatTable(['a', 'bb'], [['1', '2']], new Set([1]))).toBe('a  bb\n─  ──\n1   2');
  });
});
