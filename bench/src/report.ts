/**
 * The bench's one table, and `docs/benchmarks.md` around it. Every row compares two measurements
 * of the same run; the ratio is the figure that means something on a shared machine.
 */
import { cpus, freemem, loadavg, release, totalmem, type as osType } from 'node:os';
import { format, resolveConfig } from 'prettier';
import { QUIET_MS } from './browser.ts';
import { throughput, type Measurement } from './stats.ts';

/** One side of a row. Latencies in ms; `value` is the side's main figure, with its unit. */
export interface Side {
  readonly label: string;
  readonly medianMs?: number;
  readonly p99Ms?: number;
  readonly value?: string;
}

export interface Row {
  readonly scenario: string;
  readonly measured: Side;
  readonly baseline: Side;
  /** measured ÷ baseline in the row's own sense (throughput, latency, CPU...); undefined when it could not run. */
  readonly ratio: number | undefined;
  readonly target: string;
  /** Undefined: not judged (quick mode, or the scenario could not run). */
  readonly met: boolean | undefined;
  /** What a reader must know to read the row: errors, what was not delivered, why it could not run. */
  readonly note?: string;
}

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly freeMemoryGiB: number;
  readonly node: string;
  readonly os: string;
  readonly kafka: string;
  readonly loadAverage: readonly number[];
}

/** The machine as this run saw it; read at run time so no committed file names a machine. */
export function describeMachine(kafka: string): Machine {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: totalmem() / 2 ** 30,
    freeMemoryGiB: freemem() / 2 ** 30,
    node: process.version,
    os: `${osType()} ${release()}`,
    kafka,
    loadAverage: loadavg(),
  };
}

const significant = (n: number): string => {
  if (!Number.isFinite(n)) return '—';
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  if (n >= 10) return n.toFixed(1);
  return n.toFixed(2);
};

export const ms = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? '—' : `${significant(n)} ms`);
export const perSecond = (n: number, unit: string): string => `${significant(n)} ${unit}/s`;
/** A side of a closed-loop comparison: its latencies and its requests a second. */
export const requestSide = (label: string, m: Measurement): Side => ({
  label,
  medianMs: m.latencies.median,
  p99Ms: m.latencies.p99,
  value: perSecond(throughput(m), 'req'),
});
export const mebibytes = (bytes: number): string => `${significant(bytes / 2 ** 20)} MiB`;
export const ratioText = (ratio: number | undefined): string =>
  ratio === undefined || !Number.isFinite(ratio) ? '—' : `${ratio.toFixed(2)}×`;

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

const HEADER = ['scenario', 'measured', 'median', 'p99', 'value', 'baseline', 'median', 'p99', 'value', 'ratio', 'target', 'met'];

/** The table as Markdown, one line per row (Prettier aligns it when the report is written). */
export function renderTable(rows: readonly Row[]): string {
  const lines = [`| ${HEADER.join(' | ')} |`, `| ${HEADER.map(() => '---').join(' | ')} |`];
  for (const row of rows) {
    const side = (s: Side) => [s.label, ms(s.medianMs), ms(s.p99Ms), s.value ?? '—'];
    const met = row.met === undefined ? '—' : row.met ? 'yes' : 'no';
    lines.push(
      `| ${[row.scenario, ...side(row.measured), ...side(row.baseline), ratioText(row.ratio), row.target, met].map(cell).join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

export function renderNotes(rows: readonly Row[]): string {
  return rows
    .filter((row) => row.note)
    .map((row) => `- **${row.scenario}**: ${row.note}`)
    .join('\n');
}

export interface ReportInput {
  readonly rows: readonly Row[];
  readonly machine: Machine;
  readonly command: string;
  readonly startedAt: Date;
  readonly seconds: number;
  readonly sizes: string;
  readonly quick: boolean;
  readonly loadAverageAtEnd: readonly number[];
}

const SCENARIO_NOTES = `- **replay**: the purchases subgraph's start-up rebuild (its read model and projector on the
  Kafka adapter, following the purchases, products and customers topics) until caught up with
  the high-water marks, in events per second; against a plain kafkajs consumer (defaults,
  \`eachBatch\`, no processing) reading the purchases topic. Both clocks include joining the
  consumer group. The baseline is the mean of one read before and one after the rebuild. The
  systems of the other scenarios are up meanwhile, caught up and idle. No snapshot exists yet (a
  cold replay); the projector keeps snapshots as the services do and saves one once the clock
  has stopped.
- **projection memory**: heap used after a full GC (\`--expose-gc\`) with the rebuilt model alive,
  minus the heap before the rebuild; the ratio is heap after ÷ heap before. The target is scaled
  to 1,000,000 purchases when the run loads fewer.
- **restart from a snapshot**: the whole purchases subgraph (\`startPurchasesSubgraph\`: a new Kafka
  client, its HTTP server, the newest snapshot loaded from the log's snapshot topic and checked,
  the tail replayed, followers joined) from the call until it is ready, on the large data set
  against the small one, each left with a snapshot by the replay row; restarts alternate, medians.
- **writes while a snapshot is taken**: \`createPurchase\` as in _writes_, while the purchases
  subgraph of the small system takes snapshots of its read model back to back (the next as soon as
  the last is stored), against the same writes without; rounds alternate. Ratio of throughputs.
  The note adds the same comparison with one snapshot per round, still far more often than a
  service takes them (every 100,000 events or 10 minutes).
- **writes**: \`createPurchase\` through the gateway (append, wait for its own projection,
  read-your-writes fields from three subgraphs), closed loop; against \`product(id)\` through the
  same gateway (one subgraph), same clients. Ratio of throughputs. The baseline is sent with
  \`Cache-Control: no-cache\`: the log stands still between write rounds, and answers from the
  gateway's response cache would make it a hash lookup rather than a read.
- **live latency**: a mutation sent at a fixed rate (open loop) until the \`purchaseMade\` payload
  with fields of all three subgraphs reaches a graphql-ws subscriber; against a kafkajs producer
  (acks=all) sending at the same rate to a consumer in the same process, on the same broker.
- **dashboard reads**: the customers page and the products page (50 rows with their aggregates),
  closed loop; against \`@graphql-hive/gateway\` (its CLI, one process, defaults) serving the same
  supergraph in front of the same subgraph processes. Ratio of throughputs. No event arrives
  meanwhile, so ours answers repeated pages from its response cache
  ([0011](decisions/0011-response-cache.md)), as it would for a dashboard's readers. The rows
  _while 20 purchases/s are written_: the same, while purchases (random product and customer)
  are written at the purchases subgraph itself, on schedule, through every round of both sides;
  ours keeps a page while no purchase touches its rows
  ([0020](decisions/0020-response-cache-by-what-it-read.md)).
- **trusted documents**: the dashboard's customers page (its \`Customers\` operation as
  \`schema/trusted-documents.json\` holds it, first 20 rows by name) sent by its hash alone
  (\`extensions.persistedQuery\`, as the built dashboard sends it) against the same document sent
  as text, through the same gateway of the small system, closed loop, \`Cache-Control: no-cache\`
  (a cached answer costs the same whatever the request). Ratio of throughputs, reported without a
  target. Both sides skip parsing and validation: Apollo Server keys its document store
  by the hash of the text, whichever way the text arrived, and the gateway's store holds the
  manifest's documents parsed and validated from the start
  ([0021](decisions/0021-trusted-documents.md)).
- **read cost**: the customers page, one client, on a system holding the large data set against
  one holding the small one, both running at once, rounds alternating. Ratio of medians. Sent with
  \`Cache-Control: no-cache\`: a cached page costs the same at any size, and would hide the read.
- **list cost**: sorted and searched pages as the dashboard asks for them, one client, on the
  system holding the large data set against the one holding the small one, rounds alternating,
  \`Cache-Control: no-cache\` (as read cost): \`customersBySales\` by total spent (20 rows) and
  \`purchases\` by total (50 rows, names provided) at a random offset anywhere in each system's own
  list, and \`customers\` by name searched for a random name prefix (20 rows with sales figures).
  Ratio of medians.
- **dashboard at scale**: the overview and the customers page sorted by total spent, opened in
  headless Chromium in a fresh context (nothing cached) against the gateway of each system, one
  unmeasured load a side, then alternating; GraphQL requests carry \`Cache-Control: no-cache\`
  (with no event arriving, the response cache would answer at any size). _Settled_: what the page
  is for is on screen (the overview: its four figures, the data set's purchase count among them,
  and both charts' bars; the customers page: the first 20 rows out of every customer, the header
  marked sorted by total spent, no request of the table under way) and no GraphQL request has
  been in flight, started or ended for ${QUIET_MS} ms; the time is from the start of navigation to
  the later of that render and the end of the last GraphQL response (the quiet window is not
  counted). GraphQL requests are HTTP POSTs (the live subscription's socket is not counted); bytes
  are as transferred (DevTools \`encodedDataLength\`), the ratio on GraphQL responses; the JS heap
  is \`JSHeapUsedSize\` once settled, after \`HeapProfiler.collectGarbage\`. Medians of the
  loads of each side; the ratio is large ÷ small, figure by figure. Every purchase of the bench's
  data sets has the same transaction time, so the overview's chart over time is one bucket: its
  answer is as small as it gets (the server keeps it to at most 1,000 buckets over any range).
- **fan-out**: every subscriber of \`purchaseMade\` (same selection, one socket each, in a process
  of their own) receives every payload while events are written to Kafka at a fixed rate. _CPU per
  subscriber and event_: the gateway process's CPU (\`process.cpuUsage()\`, idle CPU subtracted)
  with N subscriptions minus with one, per event and extra subscriber; against a plain \`ws\` server
  that sends the same payload bytes (each message with its subscription's id) to the same number
  of sockets, measured the same way. _N subscribers at R events/s_: events sent ÷ the time from the
  first sent until every subscriber had the last. _Idle subscriptions_: heap used after a full GC
  with that many subscriptions open, minus before, against the plain \`ws\` server with the same
  sockets.
- Each side of a comparison is warmed up, then the sides alternate round by round, so that load
  from elsewhere on the machine hits both; throughput counts successful operations only.`;

/** The whole report: machine, table, notes. Formatted by the repository's Prettier settings. */
export async function renderReport(
  { rows, machine, command, startedAt, seconds, sizes, quick, loadAverageAtEnd }: ReportInput,
  file: string,
): Promise<string> {
  const text = `# Benchmarks

Written by \`npm run bench\`; do not edit by hand. Every ratio compares two measurements taken in
the same run on the same machine, interleaved where the scenario allows: absolute figures drift
on shared machines, ratios much less. ${quick ? '**This is a `--quick` run: sizes are too small for the targets to mean anything.**' : ''}

## Run

- command: \`${command}\`
- started: ${startedAt.toISOString()}, took ${Math.round(seconds)} s
- data: ${sizes}

## Machine

- CPU: ${machine.cpu}, ${machine.cores} cores
- memory: ${machine.memoryGiB.toFixed(1)} GiB (${machine.freeMemoryGiB.toFixed(1)} GiB free at start)
- load average (1, 5, 15 min) at start: ${machine.loadAverage.map((n) => n.toFixed(2)).join(', ')}, at the end: ${loadAverageAtEnd.map((n) => n.toFixed(2)).join(', ')} (the bench's own processes keep about 2 busy; more is other work on the machine)
- Node.js: ${machine.node}
- OS: ${machine.os}
- Kafka: ${machine.kafka}

## Results

${renderTable(rows)}

${renderNotes(rows)}

## What each row measures

${SCENARIO_NOTES}
`;
  const config = (await resolveConfig(file)) ?? {};
  return format(text, { ...config, filepath: file });
}
