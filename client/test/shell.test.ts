import { PassThrough } from 'node:stream';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createShopClient } from '../src/index.ts';
import { SHELL_HELP, defaultHistoryFile, startShell } from '../src/shell.ts';
import { closedPort } from './support/ports.ts';

/** Runs the shell on piped input against a gateway that is not there, and returns what it printed. */
async function session(lines: string[]): Promise<string> {
  const url = `http://127.0.0.1:${await closedPort()}/graphql`;
  const input = new PassThrough();
  const output = new PassThrough();
  const printed: string[] = [];
  output.on('data', (chunk: Buffer) => printed.push(chunk.toString()));
  const client = createShopClient({ url, retries: 0 });
  const { closed, server } = await startShell({ client, input, output, historyFile: '' });
  server.context.later = (value: unknown, ms: number) => new Promise((resolve) => setTimeout(() => resolve(value), ms));
  input.end(lines.map((line) => `${line}\n`).join(''));
  await closed;
  return printed.join('');
}

describe('the shell', () => {
  it('runs piped lines in order, each after the previous await settled', async () => {
    const output = await session(['a = await later(41, 100)', 'b = await later(a + 1, 10)', '`b is ${b}`']);
    expect(output).toContain(`'b is 42'`);
    expect(output).not.toContain('ReferenceError');
  });

  it('goes on after a rejected await, and reports errors as class, code and message', async () => {
    const output = await session(['await Product.retrieve("x")', 'function f(x) {', '  return x * 2', '}', 'f(21)']);
    expect(output).toMatch(
      /Uncaught:?\s+UnavailableError \[NETWORK_ERROR\]: cannot reach the gateway at http:\/\/127\.0\.0\.1:\d+\/graphql \(ECONNREFUSED\)/,
    );
    expect(output).toContain('42');
  });

  it('starts with where it is connected, and .help lists the verbs with examples', async () => {
    const output = await session(['.help']);
    expect(output).toMatch(/^Shop shell on http:\/\/127\.0\.0\.1:\d+\/graphql \(not reachable yet/);
    expect(output).toContain(SHELL_HELP);
    for (const verb of [
      'Product.create',
      'Product.list',
      'Product.retrieve',
      'p.save()',
      'p.delete()',
      'Customer.create',
      'Purchase.create',
      'Purchase.list',
    ]) {
      expect(SHELL_HELP).toContain(verb);
    }
    // The README's shell session starts with the example the shell offers.
    const example = `p = await Product.create({ name: 'Milk', price: 0.99 })`;
    expect(SHELL_HELP).toContain(example);
    expect(output).toContain(`Try: ${example}`);
    expect(readFileSync(new URL('../../README.md', import.meta.url), 'utf8')).toContain(`Try: ${example}`);
  });

  it('completes resource verbs with Tab', async () => {
    const client = createShopClient({ url: `http://127.0.0.1:${await closedPort()}/graphql`, retries: 0 });
    const input = new PassThrough();
    const { server, closed } = await startShell({ client, input, output: new PassThrough(), historyFile: '' });
    const [completions] = await new Promise<[string[], string]>((resolve, reject) =>
      server.completer('Product.re', (error, result) => (error ? reject(error) : resolve(result as [string[], string]))),
    );
    expect(completions).toEqual(expect.arrayContaining(['Product.retrieve']));
    input.end();
    await closed;
  });

  it('keeps history between terminal sessions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shop-history-'));
    const historyFile = join(dir, 'history');
    const client = createShopClient({ url: `http://127.0.0.1:${await closedPort()}/graphql`, retries: 0 });
    const terminal = (): { input: PassThrough & { isTTY: boolean }; output: PassThrough & { isTTY: boolean } } => ({
      input: Object.assign(new PassThrough(), { isTTY: true }),
      output: Object.assign(new PassThrough(), { isTTY: true }),
    });
    try {
      const first = terminal();
      const one = await startShell({ client, ...first, historyFile });
      first.input.write('answer = 6 * 7\r');
      await vi.waitFor(() => expect(readFileSync(historyFile, 'utf8')).toContain('answer = 6 * 7'));
      one.server.close();
      await one.closed;
      const second = await startShell({ client, ...terminal(), historyFile });
      // `history` is the readline history the REPL loaded from the file (not in the REPLServer typings).
      expect((second.server as unknown as { history: string[] }).history).toContain('answer = 6 * 7');
      second.server.close();
      await second.closed;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps history in SHELL_HISTORY, else in the home directory', () => {
    expect(defaultHistoryFile({ SHELL_HISTORY: '/tmp/h' })).toBe('/tmp/h');
    expect(defaultHistoryFile({})).toMatch(/\.shop_shell_history$/);
  });
});
