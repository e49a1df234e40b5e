/**
 * `npm run bench [-- options]`: runs every scenario, prints one table, writes `docs/benchmarks.md`.
 * See `--help` for the options, and the report itself for what each row measures.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseOptions, UsageError, USAGE } from './options.ts';
import { REPO_ROOT } from './processes.ts';
import { renderReport, renderTable, renderNotes } from './report.ts';
import { runBench } from './run.ts';

const argv = process.argv.slice(2);
let options;
try {
  options = parseOptions(argv);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  if (error.message) console.error(error.message);
  console.error(USAGE);
  process.exit(error.message ? 2 : 0);
}

const startedAt = Date.now();
const progress = (message: string): void => {
  process.stderr.write(`[bench ${((Date.now() - startedAt) / 1000).toFixed(1).padStart(6)} s] ${message}\n`);
};

const result = await runBench(options, progress);
const out = options.out ? resolve(REPO_ROOT, options.out) : undefined;
const command = `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
const report = await renderReport(
  { ...result, command, quick: options.quick, loadAverageAtEnd: loadavg() },
  out ?? resolve(REPO_ROOT, 'docs', 'benchmarks.md'),
);
// The table alone on stdout (aligned, as in the report); progress and child output went to stderr.
const table = /^\| scenario[\s\S]*?\n(?!\|)/m.exec(`${report}\n`)?.[0] ?? `${renderTable(result.rows)}\n`;
process.stdout.write(`\n${table}\n${renderNotes(result.rows)}\n`);
if (out) {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, report);
  progress(`report written to ${options.out}`);
}
if (result.profileDir)
  progress(`CPU profiles in ${result.profileDir} (summarise one with: npx tsx bench/src/profile-summary.ts <file>)`);
progress(`done in ${Math.round(result.seconds)} s`);
// kafkajs and keep-alive sockets may hold the loop open for a while; everything is closed.
process.exit(0);
