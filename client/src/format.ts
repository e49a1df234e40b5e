import { inspect } from 'node:util';
import { Customer, Product, Purchase } from './resources.ts';

type Column<T> = readonly [header: string, value: (item: T) => string | number | null, align?: 'right'];

interface TableSpec<T> {
  readonly type: abstract new (...args: never[]) => T;
  readonly noun: string;
  readonly columns: readonly Column<T>[];
}

const spec = <T>(table: TableSpec<T>): TableSpec<unknown> => table as TableSpec<unknown>;

/** The columns the shell and the CLI show for each resource. */
const TABLES: readonly TableSpec<unknown>[] = [
  spec<Product>({
    type: Product,
    noun: 'product',
    columns: [
      ['id', (p) => p.id],
      ['name', (p) => p.name],
      ['price', (p) => p.price, 'right'],
      ['version', (p) => p.version, 'right'],
      ['purchases', (p) => p.purchaseCount, 'right'],
      ['customers', (p) => p.customerCount, 'right'],
      ['spent', (p) => p.totalSpent, 'right'],
    ],
  }),
  spec<Customer>({
    type: Customer,
    noun: 'customer',
    columns: [
      ['id', (c) => c.id],
      ['firstName', (c) => c.firstName],
      ['lastName', (c) => c.lastName],
      ['version', (c) => c.version, 'right'],
      ['purchases', (c) => c.purchaseCount, 'right'],
      ['spent', (c) => c.totalSpent, 'right'],
    ],
  }),
  spec<Purchase>({
    type: Purchase,
    noun: 'purchase',
    columns: [
      ['id', (p) => p.id],
      ['product', (p) => p.product.name + (p.product.deletedAt ? ' (deleted)' : '')],
      ['customer', (p) => `${p.customer.firstName} ${p.customer.lastName}` + (p.customer.deletedAt ? ' (deleted)' : '')],
      ['total', (p) => p.total, 'right'],
      ['date', (p) => p.transactionDate],
    ],
  }),
];

/**
 * A plain-text table: a header row, a rule, one row per item, columns padded to their widest
 * cell (numbers and money right-aligned), like `console.table` but returned as a string and
 * without the index column.
 */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  rightAligned: ReadonlySet<number> = new Set(),
): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((width) => '─'.repeat(width))), ...rows.map(line)].join('\n');
}

function tableOf(items: readonly unknown[]): string | undefined {
  const table = TABLES.find((candidate) => items.length > 0 && items.every((item) => item instanceof candidate.type));
  if (!table) return undefined;
  const rows = items.map((item) => table.columns.map(([, value]) => String(value(item) ?? '')));
  const right = new Set(table.columns.flatMap(([, , align], i) => (align === 'right' ? [i] : [])));
  const count = `(${items.length} ${table.noun}${items.length === 1 ? '' : 's'})`;
  return `${formatTable(
    table.columns.map(([header]) => header),
    rows,
    right,
  )}\n${count}`;
}

/**
 * How the shell shows a value: a list of resources as a table, anything else as `util.inspect`
 * does (resources have a short custom form).
 */
export function renderValue(value: unknown, { colors = false }: { colors?: boolean } = {}): string {
  if (Array.isArray(value)) {
    const table = tableOf(value);
    if (table) return table;
  }
  return inspect(value, { colors, depth: 4, breakLength: 130 });
}
