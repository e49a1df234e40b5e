/**
 * Bench child, started with `--expose-gc`: the replay scenario and the memory of its projection.
 *
 * - `raw`: a plain kafkajs consumer reads a topic from the beginning and does nothing with the
 *   records — the fastest a Node process can take them from this broker, the baseline.
 * - `projection`: the purchases subgraph's start-up rebuild — its read model and projector over
 *   the Kafka adapter, exactly as `startPurchasesSubgraph` wires them, without the HTTP server
 *   (which costs nothing per event and would blur the memory figure) — timed to caught-up, with the
 *   heap measured after a full GC before and after, the model kept alive in between. No snapshot
 *   exists yet, so it replays from offset 0 (a cold replay); it keeps snapshots as the services
 *   do, so it leaves one behind, saved after the clock stopped.
 * - `restart`: the whole purchases subgraph (`startPurchasesSubgraph`, a new Kafka client, HTTP
 *   server included) started on a data set that has a snapshot, timed until it is ready.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel } from 'kafkajs';
import { createKafkaLog, createLogger, createProjector, type EventLog, type SnapshotSettings } from '@shop/event-core';
import { PurchasesReadModel, startPurchasesSubgraph } from '@shop/purchases-subgraph';
import { eventTopics } from '@shop/schema';
import { childConfig, fullGc, serveChild } from './child.ts';

export interface ReplayConfig {
  readonly brokers: readonly string[];
}

export interface RawRequest {
  readonly topic: string;
  /** Records to read before the clock stops: the topic's high-water mark. */
  readonly records: number;
}

export interface ReplayResult {
  readonly events: number;
  readonly seconds: number;
  /** CPU time of this process during the replay, in ms. */
  readonly cpuMs: number;
  /** CPU time of the main thread alone, in ms (Linux; undefined elsewhere): what a worker does not take off it. */
  readonly mainThreadCpuMs?: number;
}

export interface RestartResult {
  /** From the call to `startPurchasesSubgraph` until it resolved: ready, in s. */
  readonly seconds: number;
  readonly cpuMs: number;
  /** Events of the snapshot it started from; 0 when it found none. */
  readonly fromSnapshot: number;
  /** Events it replayed after the snapshot. */
  readonly replayed: number;
}

export interface ProjectionResult extends ReplayResult {
  /** JS heap and array buffers (typed-array columns live outside the heap), after a full GC. */
  readonly heapBeforeBytes: number;
  readonly heapAfterBytes: number;
}

/**
 * CPU time of this process's main thread so far, in ms, from `/proc` (its thread id is the pid);
 * undefined where there is no `/proc`. `process.cpuUsage()` counts every thread.
 */
const mainThreadCpuMs = (): number | undefined => {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime (fields 14 and 15 of stat(5)), in clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
};

const since = (start: number | undefined): { mainThreadCpuMs?: number } => {
  const now = mainThreadCpuMs();
  return start === undefined || now === undefined ? {} : { mainThreadCpuMs: now - start };
};

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

/**
 * What the process holds: the JS heap and the array buffers, where a read model's typed-array
 * columns are (the heap alone misses them).
 */
const heldBytes = (): number => {
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
};

/** Snapshots as the services keep them by default: in the log's own store, under the data set's prefix. */
const snapshotsOf = (log: EventLog, prefix: string): SnapshotSettings => ({ store: log.snapshotStore!({ topicPrefix: prefix }) });

/** The model of the last measured projection, kept reachable until the next measurement. */
let retained: PurchasesReadModel | undefined;

serveChild(async () => {
  const { brokers } = childConfig<ReplayConfig>();
  const logger = createLogger({ level: 'warn', name: 'bench-replay' });

  const raw = async ({ topic, records }: RawRequest): Promise<ReplayResult> => {
    const kafka = new Kafka({ clientId: 'bench-raw', brokers: [...brokers], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `bench-raw-${randomUUID()}` });
    const cpuStart = process.cpuUsage();
    const mainStart = mainThreadCpuMs();
    const startedAt = performance.now();
    let seen = 0;
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    // Connecting and joining the group are inside the clock, as they are for the projector.
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        seen += batch.messages.length;
        if (seen >= records) finish();
      },
    });
    if (records > 0) await done;
    const seconds = (performance.now() - startedAt) / 1000;
    const cpu = cpuMs(cpuStart);
    const main = since(mainStart);
    await consumer.disconnect();
    return { events: seen, seconds, cpuMs: cpu, ...main };
  };

  const projection = async ({ prefix }: { prefix: string }): Promise<ProjectionResult> => {
    retained = undefined;
    const log = createKafkaLog({ brokers, clientId: 'bench-replay', logger: logger.child({ module: 'kafka' }) });
    const model = new PurchasesReadModel(eventTopics(prefix));
    const projector = createProjector({ name: 'purchases', log, projection: model, logger, snapshots: snapshotsOf(log, prefix) });
    fullGc();
    const heapBeforeBytes = heldBytes();
    const cpuStart = process.cpuUsage();
    const mainStart = mainThreadCpuMs();
    const startedAt = performance.now();
    await projector.start();
    const seconds = (performance.now() - startedAt) / 1000;
    const cpu = cpuMs(cpuStart);
    const main = since(mainStart);
    const { applied, rejected, skipped } = projector.stats();
    if (projector.snapshotStats()?.startedFrom) throw new Error(`a snapshot of ${prefix} existed: this was no cold replay`);
    // Waits for the snapshot saved after the replay, for the restarts to start from.
    await projector.stop();
    await log.close();
    retained = model;
    fullGc();
    const heapAfterBytes = heldBytes();
    return { events: applied + rejected + skipped, seconds, cpuMs: cpu, ...main, heapBeforeBytes, heapAfterBytes };
  };

  const restart = async ({ prefix }: { prefix: string }): Promise<RestartResult> => {
    const cpuStart = process.cpuUsage();
    const startedAt = performance.now();
    // A restart is a new process: a new Kafka client, whose connections are part of its start.
    const log = createKafkaLog({ brokers, clientId: 'bench-restart', logger: logger.child({ module: 'kafka' }) });
    const running = await startPurchasesSubgraph({
      log,
      logger,
      host: '127.0.0.1',
      port: 0,
      topics: eventTopics(prefix),
      snapshots: snapshotsOf(log, prefix),
    });
    const seconds = (performance.now() - startedAt) / 1000;
    const cpu = cpuMs(cpuStart);
    const fromSnapshot = running.projector.snapshotStats()?.startedFrom?.events ?? 0;
    const { applied, rejected, skipped } = running.projector.stats();
    await running.close();
    await log.close();
    return { seconds, cpuMs: cpu, fromSnapshot, replayed: applied + rejected + skipped };
  };

  return {
    info: { pid: process.pid },
    handlers: {
      raw: (payload) => raw(payload as RawRequest),
      projection: (payload) => projection(payload as { prefix: string }),
      restart: (payload) => restart(payload as { prefix: string }),
      release: () => {
        retained = undefined;
        // Collected here, outside any clock, rather than during the next measurement.
        fullGc();
        return true;
      },
    },
    counters: () => ({ retainedPurchases: retained ? 1 : 0 }),
    async close() {},
  };
});
