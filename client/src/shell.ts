import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import repl, { type REPLServer } from 'node:repl';
import { PassThrough } from 'node:stream';
import type { WriteStream } from 'node:tty';
import type { ShopClient } from './client.ts';
import * as errors from './errors.ts';
import { renderValue } from './format.ts';

/** What `.help` prints: the original shell's verbs, in TypeScript. */
export const SHELL_HELP = `Resources (every call returns a promise: use await; Tab completes names)

  Products
    p = await Product.create({ name: 'Milk', price: 0.99 })
    await Product.list()                              every product, as a table
    p = await Product.retrieve(p.id)
    p.name = 'Oat milk'; await p.save()               sends expectedVersion: a stale copy fails with ConflictError
    await p.delete()
    await Product.update(id, { price: 1.99 })         by id, without loading
    await p.reload()

  Customers
    c = await Customer.create({ firstName: 'Danny', lastName: 'Tester' })
    await Customer.list()
    c = await Customer.retrieve(c.id)
    c.firstName = 'Ted'; await c.save()
    await c.delete()

  Purchases
    await Purchase.create({ productId: p.id, customerId: c.id, total: 1.99 })   total defaults to the price
    await Purchase.list({ customerId: c.id })         or { productId: p.id }, or every purchase
    await Purchase.retrieve(id)

  Live changes (resume with { after: change.position })
    for await (const { kind, entity } of Product.watch({}, { signal: AbortSignal.timeout(60_000) })) console.log(kind, entity.name)

  Also: shop.operations.* (every query, mutation and subscription), shop.consistencyToken.
  Errors are typed: NotFoundError, ConflictError, ValidationError (.field), UnavailableError, ...

Shell commands
  .help     this text          .editor   multi-line mode      .load FILE / .save FILE
  .exit     leave (Ctrl-D)     .break    abandon a half-typed line
`;

export interface ShellOptions {
  readonly client: ShopClient;
  readonly input?: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly output?: NodeJS.WritableStream & { isTTY?: boolean };
  /** History file; empty string: none. Default `SHELL_HISTORY`, else `~/.shop_shell_history`. */
  readonly historyFile?: string;
}

export interface RunningShell {
  readonly server: REPLServer;
  /** Resolves when the shell has closed (`.exit`, Ctrl-D, or the end of piped input). */
  readonly closed: Promise<void>;
}

/** The history file: `SHELL_HISTORY` (empty disables it), else a dotfile in the home directory. */
export function defaultHistoryFile(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env.SHELL_HISTORY ?? join(homedir(), '.shop_shell_history');
}

/** One line for the start: where the shell is connected and how much is there. */
async function banner(client: ShopClient): Promise<string> {
  try {
    const [products, customers, purchases] = await Promise.all([
      client.operations.products({ first: 0 }),
      client.operations.customers({ first: 0 }),
      client.operations.purchases({ first: 0 }),
    ]);
    const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
    return `Shop shell on ${client.url}: ${count(products.totalCount, 'product')}, ${count(customers.totalCount, 'customer')}, ${count(purchases.totalCount, 'purchase')}.`;
  } catch (error) {
    return `Shop shell on ${client.url} (not reachable yet: ${error instanceof Error ? error.message : String(error)}).`;
  }
}

/**
 * Starts the interactive shell: a Node REPL with the client's resources in scope, top-level
 * `await`, Tab completion, tables for lists, history between runs and `.help`.
 *
 * Piped input (not a terminal) is fed one line at a time, each after the previous one finished:
 * the REPL itself evaluates the next line while an `await` is still pending, so a script such as
 * `p = await Product.create(...)` followed by `p.id` would otherwise read `p` too early.
 */
export async function startShell({
  client,
  input = process.stdin,
  output = process.stdout,
  historyFile = defaultHistoryFile(),
}: ShellOptions): Promise<RunningShell> {
  const terminal = Boolean(input.isTTY && output.isTTY);
  // hasColors() honours NO_COLOR, FORCE_COLOR and the terminal's capabilities.
  const colors =
    terminal && typeof (output as Partial<WriteStream>).hasColors === 'function' && (output as WriteStream).hasColors();
  output.write(
    `${await banner(client)}\nTry: p = await Product.create({ name: 'Milk', price: 0.99 })   (.help lists every verb)\n`,
  );

  const replInput = terminal ? input : new PassThrough();
  const server = repl.start({
    prompt: 'shop> ',
    input: replInput,
    output,
    terminal,
    useColors: colors,
    ignoreUndefined: true,
    breakEvalOnSigint: true,
    writer: (value: unknown) => renderValue(value, { colors }),
  });
  Object.assign(server.context, {
    shop: client,
    Product: client.Product,
    Customer: client.Customer,
    Purchase: client.Purchase,
    ...Object.fromEntries(Object.entries(errors).filter(([name]) => name.endsWith('Error'))),
  });
  server.defineCommand('help', {
    help: 'List the verbs with examples',
    action() {
      this.clearBufferedCommand();
      output.write(SHELL_HELP);
      this.displayPrompt();
    },
  });
  if (terminal && historyFile) {
    await new Promise<void>((resolve) =>
      server.setupHistory(historyFile, (error) => {
        if (error) output.write(`(history off: ${error.message})\n`);
        resolve();
      }),
    );
  }

  const closed = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  if (!terminal) void feedLines(server, input, replInput as PassThrough);
  return { server, closed };
}

/**
 * Writes piped lines into the REPL one by one, each once the REPL shows its prompt again: that is
 * the one signal every outcome shares (a value, an error, a rejected `await` — which the REPL
 * reports through its domain without calling eval's callback — or the "..." of an open block).
 */
async function feedLines(server: REPLServer, source: NodeJS.ReadableStream, target: PassThrough): Promise<void> {
  let ready: () => void = () => {};
  const displayPrompt = server.displayPrompt.bind(server);
  server.displayPrompt = (preserveCursor?: boolean) => {
    displayPrompt(preserveCursor);
    ready();
  };
  let open = true;
  server.once('exit', () => {
    open = false;
    ready();
  });
  for await (const line of createInterface({ input: source, crlfDelay: Infinity })) {
    if (!open) break;
    const prompted = new Promise<void>((resolve) => (ready = resolve));
    target.write(`${line}\n`);
    await prompted;
  }
  if (open) server.close();
}
