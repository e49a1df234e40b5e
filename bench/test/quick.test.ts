import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const brokers = inject('kafkaBrokers');

/** Every row of the bench's table, in the order the bench prints them. */
const ROWS = [
  'replay',
  'projection memory',
  'restart from a snapshot',
  'read cost',
  'list cost: customers by total spent',
  'list cost: purchases by total',
  'list cost: customers searched by name',
  ...['overview', 'customers by total spent'].flatMap((page) =>
    ['settled', 'GraphQL requests', 'bytes', 'JS heap'].map((figure) => `dashboard at scale: ${page}, ${figure}`),
  ),
  'dashboard reads: customers page',
  'dashboard reads: products page',
  'dashboard reads: customers page while 20 purchases/s are written',
  'dashboard reads: products page while 20 purchases/s are written',
  'trusted documents: dashboard customers page',
  'writes',
  'writes while a snapshot is taken',
  'live latency: median',
  'live latency: p99',
  'fan-out: CPU per subscriber and event',
  'fan-out: 20 subscribers at 100 events/s',
  'fan-out: 100 idle subscriptions',
];

/** The Markdown table in `text`, as one record per row keyed by the header (the first of repeated names). */
function parseTable(text: string): Record<string, string>[] {
  const lines = text.split('\n').filter((line) => line.startsWith('|'));
  const cells = (line: string) =>
    line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim());
  const header = cells(lines[0] ?? '');
  return lines.slice(2).map((line) => {
    const row: Record<string, string> = {};
    cells(line).forEach((cell, i) => (row[header[i]!] ??= cell));
    return row;
  });
}

describe('npm run bench -- --quick', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-quick-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Keeps the harness from rotting: every scenario runs end to end, small; no threshold is asserted.
  // The time bound only catches a hang: a busy machine may take several times the usual minute.
  it('runs every scenario and prints each row with a numeric ratio, and writes the report', async () => {
    const out = join(dir, 'benchmarks.md');
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'bench/src/main.ts', '--quick', '--out', out],
        { cwd: root, env: { ...process.env, KAFKA_BROKERS: brokers }, timeout: 600_000, maxBuffer: 16 * 1024 * 1024 },
        (error, stdoutText, stderrText) =>
          error ? reject(new Error(`${error.message}\n${stderrText.slice(-4000)}`)) : resolve(stdoutText),
      );
    });

    const rows = parseTable(stdout);
    expect(rows.map((row) => row.scenario)).toEqual(ROWS);
    for (const row of rows) expect(row.ratio, `${row.scenario}: ${row.ratio}`).toMatch(/^\d+(\.\d+)?×$/);

    const report = readFileSync(out, 'utf8');
    expect(parseTable(report).map((row) => row.scenario)).toEqual(ROWS);
    expect(report).toContain(`Node.js: ${process.version}`);
    expect(report).toMatch(/CPU: .+, \d+ cores/);
    expect(report).toMatch(/Kafka: .*\d+\.\d+\.\d+/);
    expect(report).toContain('--quick');
  }, 620_000);
});
