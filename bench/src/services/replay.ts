/**
 * Bench child, started with `--expose-gc`: the replay scenario and the memory of its projection.
 *
 * - `raw`: a plain kafkajs consumer reads a topic from the beginning and does nothing with the
 *   records — the fastest a Node process can take them from this broker, the baseline.
 * - `projection`: the purchases subgraph's start-up rebuild — its read model and projector over
 *   the Kafka adapter, exactly as `startPurchasesSubgraph` wires them, without the HTTP server
 *   (which costs nothing per event and would blur the memory figure) — timed to caught-up, with the
 *   heap measured after a full GC before and after, the model kept alive in between.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel } from 'kafkajs';
import { createKafkaLog, createLogger, createProjector } from '@shop/event-core';
import { PurchasesReadModel } from '@shop/purchases-subgraph';
import { eventTopics } from '@shop/schema';
import { childConfig, serveChild } from './child.ts';

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
}

export interface ProjectionResult extends ReplayResult {
  readonly heapBeforeBytes: number;
  readonly heapAfterBytes: number;
}

const gc = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('the replay child needs node --expose-gc');
  // Twice: the first pass may leave garbage that only becomes unreachable after finalizers ran.
  collect();
  collect();
};

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

/** The model of the last measured projection, kept reachable until the next measurement. */
let retained: PurchasesReadModel | undefined;

serveChild(async () => {
  const { brokers } = childConfig<ReplayConfig>();
  const logger = createLogger({ level: 'warn', name: 'bench-replay' });

  const raw = async ({ topic, records }: RawRequest): Promise<ReplayResult> => {
    const kafka = new Kafka({ clientId: 'bench-raw', brokers: [...brokers], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `bench-raw-${randomUUID()}` });
    const cpuStart = process.cpuUsage();
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
    await consumer.disconnect();
    return { events: seen, seconds, cpuMs: cpu };
  };

  const projection = async ({ prefix }: { prefix: string }): Promise<ProjectionResult> => {
    retained = undefined;
    const log = createKafkaLog({ brokers, clientId: 'bench-replay', logger: logger.child({ module: 'kafka' }) });
    const model = new PurchasesReadModel(eventTopics(prefix));
    const projector = createProjector({ name: 'purchases', log, projection: model, logger });
    gc();
    const heapBeforeBytes = process.memoryUsage().heapUsed;
    const cpuStart = process.cpuUsage();
    const startedAt = performance.now();
    await projector.start();
    const seconds = (performance.now() - startedAt) / 1000;
    const cpu = cpuMs(cpuStart);
    const { applied, rejected, skipped } = projector.stats();
    await projector.stop();
    await log.close();
    retained = model;
    gc();
    const heapAfterBytes = process.memoryUsage().heapUsed;
    return { events: applied + rejected + skipped, seconds, cpuMs: cpu, heapBeforeBytes, heapAfterBytes };
  };

  return {
    info: { pid: process.pid },
    handlers: {
      raw: (payload) => raw(payload as RawRequest),
      projection: (payload) => projection(payload as { prefix: string }),
      release: () => {
        retained = undefined;
        // Collected here, outside any clock, rather than during the next measurement.
        gc();
        return true;
      },
    },
    counters: () => ({ retainedPurchases: retained ? 1 : 0 }),
    async close() {},
  };
});
