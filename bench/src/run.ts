/**
 * One bench run: broker, data, every scenario in an order that lets each share what it can (one
 * load of each data set, one system per data set), one table.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ensureDashboardBuilt } from '@shop/dashboard/build';
import { createKafkaLog, provisionEventTopics } from '@shop/event-core';
import { eventTopics } from '@shop/schema';
import { kafkaVersion, startKafka } from '../../infra/kafka/kafka.ts';
import type { BenchContext, ProfiledChild } from './context.ts';
import { fastProducer, loadDataset, type Dataset } from './data.ts';
import { closeAgents } from './http-load.ts';
import type { BenchOptions, Scenario } from './options.ts';
import { REPO_ROOT } from './processes.ts';
import { describeMachine, type Machine, type Row } from './report.ts';
import { dashboardAtScaleRows } from './scenarios/dashboard.ts';
import { fanoutRows } from './scenarios/fanout.ts';
import { liveRows } from './scenarios/live.ts';
import { dashboardRows, listCostRows, readCostRow } from './scenarios/reads.ts';
import { replayRows, startReplayChild } from './scenarios/replay.ts';
import { snapshotWritesRow } from './scenarios/snapshot-writes.ts';
import { trustedDocumentsRow } from './scenarios/trusted-documents.ts';
import { writesRow } from './scenarios/writes.ts';
import { planSubgraphs, startHiveGateway, startSystem, waitUntilCaughtUp, type SystemsContext } from './systems.ts';

export interface BenchResult {
  readonly rows: readonly Row[];
  readonly machine: Machine;
  readonly startedAt: Date;
  readonly seconds: number;
  /** The data sets, in words, for the report. */
  readonly sizes: string;
  /** Where `--cpu-prof` profiles went, if asked for. */
  readonly profileDir?: string;
}

/** A row for a scenario that threw: kept in the table with the reason, never silently dropped. */
function failedRow(scenario: string, error: unknown): Row {
  const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
  return {
    scenario,
    measured: { label: '—' },
    baseline: { label: '—' },
    ratio: undefined,
    target: '—',
    met: undefined,
    note: `could not run: ${message}`,
  };
}

async function attempt<T>(rows: Row[], scenario: string, run: () => Promise<T>, toRows: (result: T) => Row[]): Promise<void> {
  try {
    rows.push(...toRows(await run()));
  } catch (error) {
    console.error(`  [bench] ${scenario} failed:`, error);
    rows.push(failedRow(scenario, error));
  }
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

export async function runBench(options: BenchOptions, progress: (message: string) => void): Promise<BenchResult> {
  const startedAt = new Date();
  const wants = (scenario: Scenario) => options.only.includes(scenario);

  const broker = options.brokers ? undefined : await startKafka({ log: progress });
  const brokers = options.brokers ?? broker!.brokers;
  const machine = describeMachine(
    options.brokers
      ? `a broker given by KAFKA_BROKERS or --brokers (the local broker pins ${kafkaVersion()})`
      : `Apache Kafka ${kafkaVersion()}, the local single-node KRaft broker (infra/kafka)`,
  );
  const profileDir = options.cpuProf.length ? resolve(REPO_ROOT, options.cpuProfDir) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  // One folder per process (`small-gateway`, ...): a profile's file name only says its pid. The
  // main thread's profile is the `*.0.001.cpuprofile`; the other is tsx's module-loader thread.
  const nodeFlags = (child: ProfiledChild, name: string) =>
    options.cpuProf.includes(child) && profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, name)}`] : [];

  // A prefix of its own per run, so that runs never read each other's topics.
  const runPrefix = `bench.${startedAt.getTime().toString(36)}.${randomUUID().slice(0, 4)}.`;
  const kafka = new Kafka({ clientId: 'bench', brokers: [...brokers], logLevel: logLevel.NOTHING });
  const log = createKafkaLog({ brokers, clientId: 'bench-admin' });
  const producer = await fastProducer(kafka);
  const running: { stop(): Promise<void> }[] = [];
  const track = <T extends { stop(): Promise<void> }>(started: Promise<T>): Promise<T> => {
    void started.then(
      (child) => running.push(child),
      () => undefined,
    );
    return started;
  };
  const untrack = async (child: { stop(): Promise<void> }) => {
    await child.stop();
    const index = running.indexOf(child);
    if (index >= 0) running.splice(index, 1);
  };
  const rows: Row[] = [];

  try {
    const base: SystemsContext = { options, brokers, progress, nodeFlags };
    const prefixes = { small: `${runPrefix}small.`, large: `${runPrefix}large.` } as const;
    for (const prefix of Object.values(prefixes)) {
      const topics = eventTopics(prefix);
      await provisionEventTopics(log, [topics.products, topics.customers, topics.purchases], options.partitions);
    }

    // Every process starts before the data loads and follows it live: start-up and catch-up are
    // not what any scenario measures, and overlapping them with the load saves minutes. Replay
    // has a process of its own that only reads when asked; the systems are caught up (checked
    // below) and idle before anything is measured.
    const replayChild = wants('replay') ? track(startReplayChild(brokers, nodeFlags('replay', 'replay'))) : undefined;
    const needsSystems = options.only.some((scenario) => scenario !== 'replay');
    // The scenarios that compare a system holding the large data set with one holding the small one.
    const needsLarge = wants('read-cost') || wants('list-cost') || wants('dashboard');
    // The gateways serve the dashboard from its build: it must be there before they start.
    if (wants('dashboard') && ensureDashboardBuilt()) progress('dashboard built');
    const smallPlan = await planSubgraphs();
    const smallSystem = needsSystems ? track(startSystem(base, 'small', prefixes.small, smallPlan)) : undefined;
    const largeSystem = needsLarge ? track(startSystem(base, 'large', prefixes.large, await planSubgraphs())) : undefined;
    // The peer is only told where the small system's subgraphs listen; it calls none before its first request.
    const peer = wants('reads') ? track(startHiveGateway(base, smallPlan.urls)).catch(asError) : undefined;
    for (const started of [replayChild, smallSystem, largeSystem]) void started?.catch(() => undefined);

    const shape = { products: options.products, customers: options.customers };
    const datasets: Record<'small' | 'large', Dataset> = {} as Record<'small' | 'large', Dataset>;
    for (const [name, purchases] of [
      ['small', options.smallPurchases],
      ['large', options.purchases],
    ] as const) {
      // Replay and the scenarios on the large system are the only users of the large set.
      const count = name === 'small' || wants('replay') || needsLarge ? purchases : 0;
      const loadStarted = Date.now();
      datasets[name] = await loadDataset(producer, name, prefixes[name], { ...shape, purchases: count }, progress);
      progress(
        `${name} data set: ${shape.products} products, ${shape.customers} customers, ${count.toLocaleString('en-US')} purchases in ${((Date.now() - loadStarted) / 1000).toFixed(1)} s`,
      );
    }
    const ctx: BenchContext = {
      ...base,
      kafka,
      producer,
      small: datasets.small,
      large: datasets.large,
      runPrefix,
      ...(broker?.pid ? { brokerPid: broker.pid } : {}),
    };
    for (const [system, dataset] of [
      [smallSystem, ctx.small],
      [largeSystem, ctx.large],
    ] as const) {
      if (system) await waitUntilCaughtUp(ctx, await system, log, dataset);
    }

    if (replayChild) {
      await attempt(
        rows,
        'replay',
        async () => {
          const child = await replayChild;
          try {
            return await replayRows(ctx, child);
          } finally {
            await untrack(child);
          }
        },
        (r) => r,
      );
    }

    if (smallSystem) {
      const small = await smallSystem;
      if (largeSystem) {
        const large = await largeSystem;
        try {
          if (wants('read-cost'))
            await attempt(
              rows,
              'read cost',
              () => readCostRow(ctx, small, large),
              (row) => [row],
            );
          if (wants('list-cost'))
            await attempt(
              rows,
              'list cost',
              () => listCostRows(ctx, small, large),
              (r) => r,
            );
          if (wants('dashboard'))
            await attempt(
              rows,
              'dashboard at scale',
              () => dashboardAtScaleRows(ctx, small, large),
              (r) => r,
            );
        } finally {
          // Its memory and its consumers have no business in the scenarios that follow.
          await untrack(large);
        }
      }
      if (peer) {
        const started = await peer;
        await attempt(
          rows,
          'dashboard reads',
          () => dashboardRows(ctx, small, started),
          (r) => r,
        );
      }
      if (wants('trusted-documents'))
        await attempt(
          rows,
          'trusted documents',
          () => trustedDocumentsRow(ctx, small),
          (row) => [row],
        );
      if (wants('writes'))
        await attempt(
          rows,
          'writes',
          () => writesRow(ctx, small),
          (row) => [row],
        );
      if (wants('snapshot-writes'))
        await attempt(
          rows,
          'writes while a snapshot is taken',
          () => snapshotWritesRow(ctx, small),
          (row) => [row],
        );
      if (wants('live'))
        await attempt(
          rows,
          'live latency',
          () => liveRows(ctx, small),
          (r) => r,
        );
      if (wants('fanout'))
        await attempt(
          rows,
          'fan-out',
          () => fanoutRows(ctx, small),
          (r) => r,
        );
    }
  } finally {
    await Promise.all(running.map((child) => child.stop().catch(() => undefined)));
    closeAgents();
    await producer.disconnect().catch(() => undefined);
    if (!options.keepTopics) {
      // A full run writes about half a gigabyte; a shared broker must not keep it.
      const admin = kafka.admin();
      try {
        await admin.connect();
        const ours = (await admin.listTopics()).filter((topic) => topic.startsWith(runPrefix));
        if (ours.length) await admin.deleteTopics({ topics: ours, timeout: 30_000 });
      } catch (error) {
        progress(`could not delete the run's topics (${runPrefix}*): ${(error as Error).message}`);
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    }
    await log.close();
  }

  const sizes =
    `large: ${options.purchases.toLocaleString('en-US')} purchases, small: ${options.smallPurchases.toLocaleString('en-US')} purchases; ` +
    `each with ${options.products.toLocaleString('en-US')} products and ${options.customers.toLocaleString('en-US')} customers, ${options.partitions} partition(s) per topic; ` +
    `${options.concurrency} clients, ${options.rounds} round(s) of ${options.roundSeconds} s per side after ${options.warmupSeconds} s warm-up`;
  return {
    rows,
    machine,
    startedAt,
    seconds: (Date.now() - startedAt.getTime()) / 1000,
    sizes,
    ...(profileDir ? { profileDir } : {}),
  };
}
