import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEntry } from './support/spawn.ts';
import { startTestSystem, type TestSystem } from './support/system.ts';

/** The table rows of a list printed by the shell, cells split on runs of 2+ spaces. */
function tableRows(output: string, header: string): string[][] {
  const lines = output.split('\n');
  const start = lines.findIndex((line) => line.replace(/^shop> /, '').startsWith(header));
  expect(start, `no table starting with "${header}" in:\n${output}`).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (line.startsWith('(')) break;
    rows.push(line.trim().split(/\s{2,}/));
  }
  return rows;
}

describe('the shell (npm run shell) driven through stdin', () => {
  let system: TestSystem;
  const dir = mkdtempSync(join(tmpdir(), 'shop-shell-'));

  beforeAll(async () => {
    system = await startTestSystem();
  });
  afterAll(async () => {
    await system?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a product, a customer and a purchase, and lists them as tables', async () => {
    const script = [
      `p = await Product.create({ name: 'Butter', price: 1.50 })`,
      `c = await Customer.create({ firstName: 'Danny', lastName: 'Tester' })`,
      `await Purchase.create({ productId: p.id, customerId: c.id, total: 1.99 })`,
      `await Purchase.create({ productId: p.id, customerId: c.id })`,
      `c.firstName = 'Ted'; await c.save()`,
      `await Product.list()`,
      `await Customer.list()`,
      `await Purchase.list({ customerId: c.id })`,
      `await Product.retrieve('AAAAAAAAAAAAAAAAAAAAAA')`,
      `q = await Product.retrieve(p.id); q.price = 2; await q.save(); p.name = 'Stale'; await p.save()`,
      `p.id === q.id`,
    ].join('\n');
    const { status, stdout, stderr } = await runEntry('shell', [], {
      env: { GATEWAY_URL: system.url, SHELL_HISTORY: '' },
      input: `${script}\n`,
    });
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toMatch(/^Shop shell on http:\/\/127\.0\.0\.1:\d+\/graphql: 0 products, 0 customers, 0 purchases\./);
    expect(stdout).toMatch(/Product \{ id: '[\w-]{22}', name: 'Butter', price: '1\.50', version: 1/);
    expect(stdout).toMatch(/Customer \{ id: '[\w-]{22}', firstName: 'Danny', lastName: 'Tester', version: 1/);
    expect(stdout).toMatch(/Purchase \{ id: '[\w-]{22}', product: 'Butter', customer: 'Danny Tester', total: '1\.99'/);

    const [product] = tableRows(stdout, 'id');
    expect(product?.slice(1)).toEqual(['Butter', '1.50', '1', '2', '1', '3.49']);
    expect(stdout).toContain('(1 product)');
    expect(tableRows(stdout, 'id                      firstName').map((row) => row.slice(1))).toEqual([
      ['Ted', 'Tester', '2', '2', '3.49'],
    ]);
    const purchases = tableRows(stdout, 'id                      product');
    expect(purchases.map((row) => row.slice(1, 4))).toEqual([
      ['Butter', 'Ted Tester', '1.99'],
      ['Butter', 'Ted Tester', '1.50'],
    ]);
    expect(stdout).toContain('(2 purchases)');

    expect(stdout).toMatch(/Uncaught:?\s+NotFoundError \[NOT_FOUND\]: Product "AAAAAAAAAAAAAAAAAAAAAA" does not exist/);
    expect(stdout).toMatch(/ConflictError \[CONFLICT\]: product "[\w-]{22}" is at version 2, not 1/);
    expect(stdout).toMatch(/shop> true\n/); // still running after the errors, with p and q defined
  });

  it('answers .help with the verbs', async () => {
    const { status, stdout } = await runEntry('shell', [], {
      env: { GATEWAY_URL: system.url, SHELL_HISTORY: join(dir, 'history') },
      input: '.help\n',
    });
    expect(status).toBe(0);
    expect(stdout).toContain(`p = await Product.create({ name: 'Milk', price: 0.99 })`);
    expect(stdout).toContain('await Purchase.list({ customerId: c.id })');
  });
});
