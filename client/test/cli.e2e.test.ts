import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.ts';
import { CLIENT_DIR, run, runEntry, type Finished } from './support/spawn.ts';
import { startTestSystem, type TestSystem } from './support/system.ts';

describe('the CLI (npm run cli) against the running system', () => {
  let system: TestSystem;
  /** The CLI as a process: `node --import tsx src/bin/cli.ts ...`. */
  let cli: (...args: string[]) => Promise<Finished>;
  /** The same CLI in this process (a process start costs a second or two), for the long scenario. */
  let inProcess: (...args: string[]) => Promise<Finished>;
  const json = async (...args: string[]): Promise<any> => {
    const result = await inProcess(...args, '--json');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    return JSON.parse(result.stdout);
  };

  beforeAll(async () => {
    system = await startTestSystem();
    cli = (...args) => runEntry('cli', args, { env: { GATEWAY_URL: system.url } });
    inProcess = async (...args) => {
      const [stdout, stderr] = [new PassThrough(), new PassThrough()];
      const status = await runCli(args, { stdout, stderr, env: { GATEWAY_URL: system.url } });
      return { status, stdout: String(stdout.read() ?? ''), stderr: String(stderr.read() ?? '') };
    };
  });
  afterAll(async () => {
    await system?.close();
  });

  it('creates, lists, gets, updates and deletes, printing JSON a script can parse', async () => {
    const created = await cli('products', 'create', '--name', 'Butter', '--price', '1.50', '--json');
    expect(created).toMatchObject({ status: 0, stderr: '' });
    const butter = JSON.parse(created.stdout);
    expect(butter).toMatchObject({
      id: expect.stringMatching(/^[\w-]{22}$/),
      name: 'Butter',
      price: '1.50',
      version: 1,
      deletedAt: null,
    });
    const danny = await json('customers', 'create', '--first-name', 'Danny', '--last-name', 'Tester');
    expect(danny).toMatchObject({ firstName: 'Danny', lastName: 'Tester', version: 1 });
    const purchase = await json('purchases', 'create', '--product', butter.id, '--customer', danny.id, '--total', '1.99');
    expect(purchase).toMatchObject({ total: '1.99', product: { id: butter.id, name: 'Butter' }, customer: { id: danny.id } });
    const defaulted = await json('purchases', 'create', '--product', butter.id, '--customer', danny.id);
    expect(defaulted.total).toBe('1.50');

    expect((await json('products', 'list')).map((p: { name: string }) => p.name)).toEqual(['Butter']);
    expect(await json('customers', 'list')).toEqual([
      expect.objectContaining({ id: danny.id, purchaseCount: 2, totalSpent: '3.49' }),
    ]);
    expect((await json('purchases', 'list', '--customer', danny.id)).map((p: { total: string }) => p.total)).toEqual([
      '1.99',
      '1.50',
    ]);
    expect(await json('purchases', 'list', '--product', butter.id, '--customer', danny.id, '--page-size', '1')).toHaveLength(2);
    expect(await json('purchases', 'get', purchase.id)).toEqual(purchase);
    expect(await json('products', 'get', butter.id)).toMatchObject({ purchaseCount: 2, customerCount: 1, totalSpent: '3.49' });

    expect(await json('products', 'update', butter.id, '--price', '1.99', '--expected-version', '1')).toMatchObject({
      price: '1.99',
      version: 2,
    });
    expect(await json('customers', 'update', danny.id, '--first-name', 'Ted')).toMatchObject({ firstName: 'Ted', version: 2 });
    expect((await json('customers', 'delete', danny.id)).deletedAt).toEqual(expect.any(String));
    expect(await json('customers', 'list')).toEqual([]);
  });

  it('prints a table without --json', async () => {
    const { status, stdout } = await cli('products', 'list');
    expect(status).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(/^id\s+name\s+price\s+version\s+purchases\s+customers\s+spent$/);
    expect(stdout).toMatch(/Butter\s+1\.99\s+2\s+2\s+1\s+3\.49/);
  });

  it('reports failures on stderr with a non-zero status', async () => {
    const missing = await cli('products', 'get', 'AAAAAAAAAAAAAAAAAAAAAA', '--json');
    expect(missing).toMatchObject({ status: 1, stdout: '' });
    expect(JSON.parse(missing.stderr)).toEqual({
      error: { name: 'NotFoundError', code: 'NOT_FOUND', message: 'Product "AAAAAAAAAAAAAAAAAAAAAA" does not exist' },
    });

    const [butter] = (await json('products', 'list')) as { id: string }[];
    const stale = await cli('products', 'update', butter!.id, '--name', 'Old', '--expected-version', '1');
    expect(stale.status).toBe(1);
    expect(stale.stderr).toMatch(
      /^error: ConflictError \[CONFLICT\]: product "[\w-]{22}" is at version 2, not 1: reload it and try again\n$/,
    );

    const invalid = await inProcess('products', 'create', '--name', 'Bad', '--price', '-1', '--json');
    expect(invalid.status).toBe(1);
    expect(JSON.parse(invalid.stderr).error).toMatchObject({ name: 'ValidationError', code: 'BAD_USER_INPUT', field: 'price' });

    const usage = await inProcess('products', 'create', '--name', 'NoPrice');
    expect(usage).toMatchObject({ status: 2, stdout: '' });
    expect(usage.stderr).toMatch(/--price is required/);
  });

  it('runs as the root script: npm run -s cli -- products list --json', async () => {
    const result = await run('npm', ['run', '-s', 'cli', '--', 'products', 'list', '--json'], {
      cwd: `${CLIENT_DIR}/..`,
      env: { GATEWAY_URL: system.url },
    });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).map((p: { name: string }) => p.name)).toEqual(['Butter']);
  });
});
