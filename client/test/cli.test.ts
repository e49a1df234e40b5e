import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CLI_USAGE, UsageError, parseCommand, runCli } from '../src/cli.ts';
import { closedPort } from './support/ports.ts';

async function run(
  argv: string[],
  env: Record<string, string> = {},
): Promise<{ status: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  stderr.on('data', (chunk: Buffer) => err.push(chunk.toString()));
  const status = await runCli(argv, { stdout, stderr, env });
  return { status, stdout: out.join(''), stderr: err.join('') };
}

describe('the CLI command line', () => {
  it('parses resource, verb, id and options', () => {
    expect(parseCommand(['products', 'create', '--name', 'Butter', '--price', '1.50', '--json'])).toEqual({
      resource: 'products',
      verb: 'create',
      id: undefined,
      values: { name: 'Butter', price: '1.50', json: true },
    });
    expect(parseCommand(['purchase', 'list', '--customer', 'c1'])).toMatchObject({
      resource: 'purchases',
      verb: 'list',
      values: { customer: 'c1' },
    });
    expect(parseCommand(['customers', 'update', 'c1', '--first-name', 'Ted'])).toMatchObject({
      id: 'c1',
      values: { 'first-name': 'Ted' },
    });
    // Ids are URL-safe base64: one may start with "-", as a positional or as an option's value.
    expect(parseCommand(['products', 'get', '-gXk2', '--json'])).toMatchObject({ id: '-gXk2', values: { json: true } });
    expect(parseCommand(['purchases', 'create', '--product', '-p', '--customer=-c', '--total', '1'])).toMatchObject({
      values: { product: '-p', customer: '-c', total: '1' },
    });
    expect(parseCommand(['products', 'update', '--name', 'x', '--', '-id'])).toMatchObject({ id: '-id', values: { name: 'x' } });
    expect(parseCommand(['--help'])).toBeUndefined();
    expect(parseCommand([])).toBeUndefined();
  });

  it.each([
    [['gadgets', 'list'], /unknown resource "gadgets"/],
    [['products'], /say what to do/],
    [['purchases', 'delete', 'x'], /purchases cannot "delete"/],
    [['products', 'get'], /needs an ID/],
    [['products', 'list', 'extra'], /unexpected argument "extra"/],
    [['products', 'create', '--first-name', 'x'], /does not take --first-name/],
    [['products', 'list', '--colour'], /Unknown option '--colour'/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCommand(argv)).toThrow(UsageError);
    expect(() => parseCommand(argv)).toThrow(message);
  });

  it('prints the usage with --help and exits 0', async () => {
    expect(await run(['--help'])).toEqual({ status: 0, stdout: CLI_USAGE, stderr: '' });
  });

  it('exits 2 on bad usage and on a bad GATEWAY_URL, saying what to fix', async () => {
    const usage = await run(['products', 'create', '--name', 'x']);
    expect(usage).toMatchObject({ status: 2, stdout: '' });
    expect(usage.stderr).toMatch(/--price is required/);
    const json = await run(['products', 'get', '--json']);
    expect(JSON.parse(json.stderr)).toEqual({
      error: { name: 'UsageError', code: 'USAGE', message: 'products get needs an ID' },
    });
    const config = await run(['products', 'list'], { GATEWAY_URL: 'ftp://nowhere' });
    expect(config).toMatchObject({ status: 2 });
    expect(config.stderr).toMatch(/GATEWAY_URL must start with http:\/\/ or https:\/\//);
  });

  it('exits 1 with an UnavailableError when the gateway is not there', async () => {
    const down = await run(['products', 'list', '--json', '--url', `http://127.0.0.1:${await closedPort()}/graphql`]);
    expect(down.status).toBe(1);
    expect(JSON.parse(down.stderr).error).toMatchObject({
      name: 'UnavailableError',
      code: 'NETWORK_ERROR',
      message: expect.stringContaining('ECONNREFUSED'),
    });
  });
});
