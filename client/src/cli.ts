import { parseArgs } from 'node:util';
import { createShopClient, type ShopClient, type ShopClientOptions } from './client.ts';
import { ClientConfigError, readClientConfig } from './config.ts';
import { ShopError, ValidationError } from './errors.ts';
import { renderValue } from './format.ts';
import type { Customer, Product, Purchase } from './resources.ts';

export const CLI_USAGE = `Usage: npm run -s cli -- <resource> <verb> [options]

  products  list [--page-size N]
            get ID
            create --name NAME --price AMOUNT
            update ID [--name NAME] [--price AMOUNT] [--expected-version N]
            delete ID [--expected-version N]
  customers list [--page-size N]
            get ID
            create --first-name NAME --last-name NAME
            update ID [--first-name NAME] [--last-name NAME] [--expected-version N]
            delete ID [--expected-version N]
  purchases list [--customer ID] [--product ID] [--page-size N]
            get ID
            create --product ID --customer ID [--total AMOUNT]

Options
  --json           print JSON on stdout (errors as JSON on stderr)
  --url URL        the gateway (default GATEWAY_URL, else http://localhost:4000/graphql)
  --token TOKEN    bearer token (default GATEWAY_TOKEN)
  -h, --help       this text

Exit status: 0 done, 1 the gateway refused or failed (the reason on stderr), 2 bad usage.
`;

const OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  url: { type: 'string' },
  token: { type: 'string' },
  name: { type: 'string' },
  price: { type: 'string' },
  'first-name': { type: 'string' },
  'last-name': { type: 'string' },
  product: { type: 'string' },
  customer: { type: 'string' },
  total: { type: 'string' },
  'expected-version': { type: 'string' },
  'page-size': { type: 'string' },
} as const;

type OptionName = keyof typeof OPTIONS;
type Values = { [K in OptionName]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

/** A mistake in the command line: printed with a hint, exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Injected for tests; default {@link createShopClient}. */
  readonly createClient?: (options: ShopClientOptions) => ShopClient;
}

const RESOURCES: Readonly<Record<string, 'products' | 'customers' | 'purchases'>> = {
  products: 'products',
  product: 'products',
  customers: 'customers',
  customer: 'customers',
  purchases: 'purchases',
  purchase: 'purchases',
};

/** Options each command accepts beyond the global ones. */
const ALLOWED: Readonly<Record<string, readonly OptionName[]>> = {
  'products list': ['page-size'],
  'products get': [],
  'products create': ['name', 'price'],
  'products update': ['name', 'price', 'expected-version'],
  'products delete': ['expected-version'],
  'customers list': ['page-size'],
  'customers get': [],
  'customers create': ['first-name', 'last-name'],
  'customers update': ['first-name', 'last-name', 'expected-version'],
  'customers delete': ['expected-version'],
  'purchases list': ['customer', 'product', 'page-size'],
  'purchases get': [],
  'purchases create': ['product', 'customer', 'total'],
};
const GLOBAL: readonly OptionName[] = ['json', 'help', 'url', 'token'];
const WITH_ID = new Set(['get', 'update', 'delete']);

/** A parsed command line. */
export interface Command {
  readonly resource: 'products' | 'customers' | 'purchases';
  readonly verb: 'list' | 'get' | 'create' | 'update' | 'delete';
  readonly id: string | undefined;
  readonly values: Values;
}

function required(values: Values, name: OptionName): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

function integer(values: Values, name: OptionName): number | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value))
    throw new UsageError(`--${name} must be a whole number, got "${String(value)}"`);
  return Number(value);
}

const isOption = (name: string): name is OptionName => Object.hasOwn(OPTIONS, name);

/**
 * Ids are URL-safe base64 and may start with "-" (`-gXk...`), which `parseArgs` would take for an
 * option, as an id after `--product`. So known options are joined with their value (`--product=ID`)
 * and every other word becomes a positional after `--`, keeping its place among the positionals.
 */
function normalize(argv: readonly string[]): string[] {
  const options: string[] = [];
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    const name = arg.startsWith('--') ? arg.slice(2).split('=')[0]! : undefined;
    if (name !== undefined && isOption(name) && OPTIONS[name].type === 'string' && !arg.includes('=') && i + 1 < argv.length) {
      options.push(`${arg}=${argv[++i]!}`);
    } else if (name !== undefined || arg === '-h') {
      options.push(arg); // Unknown options stay options, so parseArgs names them in its error.
    } else {
      positionals.push(arg);
    }
  }
  return [...options, '--', ...positionals];
}

/** Parses and checks the arguments (after `--`); `undefined` means: print the usage. */
export function parseCommand(argv: readonly string[]): Command | undefined {
  let parsed;
  try {
    parsed = parseArgs({ args: normalize(argv), options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const values = parsed.values as Values;
  const [resourceName, verb, id, ...extra] = parsed.positionals;
  if (values.help || resourceName === undefined || resourceName === 'help') return undefined;
  const resource = RESOURCES[resourceName];
  if (!resource) throw new UsageError(`unknown resource "${resourceName}": use products, customers or purchases`);
  if (verb === undefined)
    throw new UsageError(`${resource}: say what to do (list, get, create${resource === 'purchases' ? '' : ', update, delete'})`);
  const allowed = ALLOWED[`${resource} ${verb}`];
  if (!allowed) throw new UsageError(`${resource} cannot "${verb}"`);
  if (WITH_ID.has(verb) && !id) throw new UsageError(`${resource} ${verb} needs an ID`);
  if ((WITH_ID.has(verb) ? extra : [id, ...extra]).some((arg) => arg !== undefined)) {
    throw new UsageError(
      `unexpected argument "${(WITH_ID.has(verb) ? extra : [id, ...extra]).find((arg) => arg !== undefined)}"`,
    );
  }
  const unexpected = (Object.keys(values) as OptionName[]).find((name) => !allowed.includes(name) && !GLOBAL.includes(name));
  if (unexpected) throw new UsageError(`${resource} ${verb} does not take --${unexpected}`);
  return { resource, verb: verb as Command['verb'], id: WITH_ID.has(verb) ? id : undefined, values };
}

type Result = Product | Customer | Purchase | readonly (Product | Customer | Purchase)[];

/** Runs one parsed command against the gateway. */
export async function executeCommand(client: ShopClient, { resource, verb, id, values }: Command): Promise<Result> {
  const expectedVersion = integer(values, 'expected-version');
  const pageSize = integer(values, 'page-size');
  const list = pageSize === undefined ? {} : { pageSize };
  switch (resource) {
    case 'products': {
      const { Product } = client;
      if (verb === 'list') return Product.list(list);
      if (verb === 'get') return Product.retrieve(id!);
      if (verb === 'create') return Product.create({ name: required(values, 'name'), price: required(values, 'price') });
      if (verb === 'delete') return Product.delete(id!, { expectedVersion });
      const input = {
        ...(values.name !== undefined ? { name: values.name } : {}),
        ...(values.price !== undefined ? { price: values.price } : {}),
      };
      if (Object.keys(input).length === 0) throw new UsageError('products update: give --name and/or --price');
      return Product.update(id!, input, { expectedVersion });
    }
    case 'customers': {
      const { Customer } = client;
      if (verb === 'list') return Customer.list(list);
      if (verb === 'get') return Customer.retrieve(id!);
      if (verb === 'create')
        return Customer.create({ firstName: required(values, 'first-name'), lastName: required(values, 'last-name') });
      if (verb === 'delete') return Customer.delete(id!, { expectedVersion });
      const input = {
        ...(values['first-name'] !== undefined ? { firstName: values['first-name'] } : {}),
        ...(values['last-name'] !== undefined ? { lastName: values['last-name'] } : {}),
      };
      if (Object.keys(input).length === 0) throw new UsageError('customers update: give --first-name and/or --last-name');
      return Customer.update(id!, input, { expectedVersion });
    }
    case 'purchases': {
      const { Purchase } = client;
      if (verb === 'list') return Purchase.list({ ...list, customerId: values.customer, productId: values.product });
      if (verb === 'get') return Purchase.retrieve(id!);
      return Purchase.create({
        productId: required(values, 'product'),
        customerId: required(values, 'customer'),
        ...(values.total !== undefined ? { total: values.total } : {}),
      });
    }
    default: {
      const never: never = resource;
      throw new UsageError(`unknown resource ${String(never)}`);
    }
  }
}

function describeError(error: unknown, json: boolean): string {
  if (json) {
    const base =
      error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) };
    const code = error instanceof ShopError ? error.code : error instanceof UsageError ? 'USAGE' : undefined;
    const field = error instanceof ValidationError ? error.field : undefined;
    return JSON.stringify({ error: { ...base, ...(code ? { code } : {}), ...(field ? { field } : {}) } });
  }
  if (error instanceof ShopError) return `error: ${error.name} [${error.code}]: ${error.message}`;
  if (error instanceof UsageError) return `error: ${error.message}\n(npm run -s cli -- --help for usage)`;
  return `error: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * The CLI: parses `argv`, runs the command on a client, prints the result (a table, or JSON with
 * `--json`) and returns the exit status. Errors go to stderr: 1 for failures, 2 for bad usage.
 */
export async function runCli(
  argv: readonly string[],
  { stdout, stderr, env = process.env, createClient = createShopClient }: CliIo,
): Promise<number> {
  const json = argv.includes('--json');
  let client: ShopClient | undefined;
  try {
    const command = parseCommand(argv);
    if (!command) {
      stdout.write(CLI_USAGE);
      return 0;
    }
    const config = readClientConfig({ ...env, ...(command.values.url ? { GATEWAY_URL: command.values.url } : {}) });
    client = createClient({ url: config.url, token: command.values.token ?? config.token });
    const result = await executeCommand(client, command);
    if (json) stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else if (Array.isArray(result) && result.length === 0) stdout.write(`(no ${command.resource})\n`);
    else stdout.write(`${renderValue(Array.isArray(result) ? result : [result])}\n`);
    return 0;
  } catch (error) {
    stderr.write(`${describeError(error, json)}\n`);
    return error instanceof UsageError || error instanceof ClientConfigError ? 2 : 1;
  } finally {
    await client?.close();
  }
}
