/**
 * Command-line options of `npm run bench`. Every size is a flag; the defaults are the sizes the
 * targets are measured at and finish in under ten minutes on two cores; `--quick` shrinks
 * everything for CI.
 */
import { parseArgs } from 'node:util';

export const SCENARIOS = [
  'replay',
  'read-cost',
  'list-cost',
  'dashboard',
  'reads',
  'trusted-documents',
  'writes',
  'snapshot-writes',
  'live',
  'fanout',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface BenchOptions {
  readonly quick: boolean;
  /** Purchases of the large data set: replay, projection memory, the large side of read cost, list cost and the dashboard. */
  readonly purchases: number;
  /** Purchases of the small data set, which every other scenario runs on. */
  readonly smallPurchases: number;
  readonly products: number;
  readonly customers: number;
  readonly partitions: number;
  /** Concurrent clients of the closed-loop scenarios (writes, dashboard reads). */
  readonly concurrency: number;
  /** Length of one measured round, in s; sides of a comparison alternate round by round. */
  readonly roundSeconds: number;
  readonly rounds: number;
  /** Unmeasured load before the first round of each side, in s. */
  readonly warmupSeconds: number;
  /** Mutations per second of the live-latency scenario. */
  readonly mutationRate: number;
  /** Subscriptions of the large side of the fan-out scenario (the small side has one). */
  readonly subscriptions: number;
  /** Idle subscriptions (one socket each) whose gateway heap the fan-out scenario weighs. */
  readonly idleSubscriptions: number;
  /** Events per second of the fan-out scenario. */
  readonly eventRate: number;
  /** How long each side of the fan-out scenario sends events, in s. */
  readonly fanoutSeconds: number;
  /** Measured loads of each dashboard page per data set, in headless Chromium. */
  readonly pageLoads: number;
  /** The Chromium the dashboard scenario drives (`CHROMIUM_PATH`, else Debian's). */
  readonly chromiumPath: string;
  readonly only: readonly Scenario[];
  /** Where the report goes; undefined: nowhere (the default of `--quick`). */
  readonly out: string | undefined;
  /** Bench children to run under `node --cpu-prof`. */
  readonly cpuProf: readonly ('subgraphs' | 'gateway' | 'replay')[];
  readonly cpuProfDir: string;
  readonly keepTopics: boolean;
  /** Kafka bootstrap servers; undefined: `KAFKA_BROKERS`, else the local broker (started if needed). */
  readonly brokers: readonly string[] | undefined;
}

export const USAGE = `usage: npm run bench -- [options]

  --quick                  every scenario small (CI); asserts nothing, writes no report unless --out
  --purchases N            purchases of the large data set (default 1000000; quick 2000)
  --small-purchases N      purchases of the small data set (default 10000; quick 200)
  --products N             products per data set (default 1000; quick 20)
  --customers N            customers per data set (default 10000; quick 100)
  --partitions N           partitions per topic (default 1)
  --concurrency N          clients of the closed-loop scenarios (default 64; quick 16)
  --rounds N               measured rounds per side, sides alternating (default 3; quick 1)
  --round-seconds S        length of one round (default 4; quick 0.5)
  --warmup-seconds S       warm-up per side before the rounds (default 2; quick 0.3)
  --mutation-rate N        mutations per second for live latency (default 100; quick 20)
  --subscriptions N        subscriptions of the fan-out scenario (default 1000; quick 20)
  --idle-subscriptions N   idle subscriptions weighed by the fan-out scenario (default 10000; quick 100)
  --event-rate N           events per second of the fan-out scenario (default 100)
  --fanout-seconds S       events sent per fan-out side (default 8; quick 1)
  --page-loads N           measured loads of each dashboard page per data set (default 5; quick 1)
  --only LIST              comma-separated subset of: ${SCENARIOS.join(', ')}
  --out FILE               write the report there (default docs/benchmarks.md; none with --quick)
  --no-write               print only
  --cpu-prof LIST          run these bench processes under node --cpu-prof: subgraphs, gateway, replay
  --cpu-prof-dir DIR       where the profiles go (default .tmp/cpu-prof)
  --brokers LIST           Kafka bootstrap servers (default KAFKA_BROKERS, else the local broker)
  --keep-topics            leave the run's topics on the broker

  CHROMIUM_PATH            the Chromium of the dashboard scenario (default /usr/bin/chromium)
`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function count(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value.replaceAll('_', ''));
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number >= ${min}, got "${value}"`);
  return n;
}

function seconds(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 3600)
    throw new UsageError(`--${name} must be a number of seconds in (0, 3600], got "${value}"`);
  return n;
}

function list<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: readonly T[],
): readonly T[] {
  if (value === undefined) return fallback;
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  const unknown = items.filter((item) => !(allowed as readonly string[]).includes(item));
  if (unknown.length > 0) throw new UsageError(`--${name}: unknown ${unknown.join(', ')}; choose from ${allowed.join(', ')}`);
  return items as T[];
}

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        quick: { type: 'boolean', default: false },
        purchases: { type: 'string' },
        'small-purchases': { type: 'string' },
        products: { type: 'string' },
        customers: { type: 'string' },
        partitions: { type: 'string' },
        concurrency: { type: 'string' },
        rounds: { type: 'string' },
        'round-seconds': { type: 'string' },
        'warmup-seconds': { type: 'string' },
        'mutation-rate': { type: 'string' },
        subscriptions: { type: 'string' },
        'idle-subscriptions': { type: 'string' },
        'event-rate': { type: 'string' },
        'fanout-seconds': { type: 'string' },
        'page-loads': { type: 'string' },
        only: { type: 'string' },
        out: { type: 'string' },
        'no-write': { type: 'boolean', default: false },
        'cpu-prof': { type: 'string' },
        'cpu-prof-dir': { type: 'string' },
        brokers: { type: 'string' },
        'keep-topics': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.help) throw new UsageError('');
  const quick = parsed.quick === true;
  const brokerList = parsed.brokers ?? env.KAFKA_BROKERS;
  const brokers = brokerList
    ?.split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  const options: BenchOptions = {
    quick,
    purchases: count('purchases', parsed.purchases, quick ? 2_000 : 1_000_000),
    smallPurchases: count('small-purchases', parsed['small-purchases'], quick ? 200 : 10_000),
    products: count('products', parsed.products, quick ? 20 : 1_000),
    customers: count('customers', parsed.customers, quick ? 100 : 10_000),
    partitions: count('partitions', parsed.partitions, 1),
    concurrency: count('concurrency', parsed.concurrency, quick ? 16 : 64),
    rounds: count('rounds', parsed.rounds, quick ? 1 : 3),
    roundSeconds: seconds('round-seconds', parsed['round-seconds'], quick ? 0.5 : 4),
    warmupSeconds: seconds('warmup-seconds', parsed['warmup-seconds'], quick ? 0.3 : 2),
    mutationRate: count('mutation-rate', parsed['mutation-rate'], quick ? 20 : 100),
    subscriptions: count('subscriptions', parsed.subscriptions, quick ? 20 : 1_000, 2),
    idleSubscriptions: count('idle-subscriptions', parsed['idle-subscriptions'], quick ? 100 : 10_000),
    eventRate: count('event-rate', parsed['event-rate'], 100),
    fanoutSeconds: seconds('fanout-seconds', parsed['fanout-seconds'], quick ? 1 : 8),
    pageLoads: count('page-loads', parsed['page-loads'], quick ? 1 : 5),
    chromiumPath: env.CHROMIUM_PATH?.trim() || '/usr/bin/chromium',
    only: list('only', parsed.only, SCENARIOS, SCENARIOS),
    out: parsed['no-write'] ? undefined : (parsed.out ?? (quick ? undefined : 'docs/benchmarks.md')),
    cpuProf: list('cpu-prof', parsed['cpu-prof'], ['subgraphs', 'gateway', 'replay'] as const, []),
    cpuProfDir: parsed['cpu-prof-dir'] ?? '.tmp/cpu-prof',
    keepTopics: parsed['keep-topics'] === true,
    brokers: brokers?.length ? brokers : undefined,
  };
  if (options.smallPurchases >= options.purchases) {
    throw new UsageError(
      '--small-purchases must be smaller than --purchases: read cost, list cost and the dashboard compare the two data sets',
    );
  }
  return options;
}
