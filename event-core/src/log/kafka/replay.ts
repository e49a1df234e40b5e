/**
 * A bounded read of one Kafka topic on a worker thread, for the replay at start (ADR 0019):
 * kafkajs fetches the records there and takes its protocol apart, and the main thread gets them in
 * batches, each packed in one transferred buffer, so what is left to it is decoding each event
 * and applying it. A live follower stays on the main thread (`follower.ts`): it reads a few records
 * at a time, and a hop between threads would only add to their latency.
 */
import { Worker } from 'node:worker_threads';
import type { KafkaConfig } from 'kafkajs';
import { LogUnavailableError, type LogRecord, type PartitionOffsets, type ReplayOptions } from '../port.ts';
import { asError } from './errors.ts';

/** What the worker is started with: everything it needs to connect and where to read. */
export interface ReplayWorkerData {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly ssl?: KafkaConfig['ssl'];
  readonly sasl?: KafkaConfig['sasl'];
  readonly maxWaitTimeMs: number;
  readonly topic: string;
  readonly from: PartitionOffsets;
  readonly until: PartitionOffsets;
}

/** One batch of one partition as the worker packs it. */
export interface PackedBatch {
  readonly partition: number;
  readonly offsets: Float64Array;
  readonly timestamps: Float64Array;
  /** Per record, three ends in `bytes` (key, value, headers as JSON), each -1 for none. */
  readonly ends: Int32Array;
  readonly bytes: Uint8Array;
}

export type FromReplayWorker =
  | { readonly type: 'batch'; readonly batch: PackedBatch }
  | { readonly type: 'done' }
  | { readonly type: 'failed'; readonly message: string };

export type ToReplayWorker = { readonly type: 'taken' } | { readonly type: 'stop' };

/** A record of a replay: a view of its packed batch, its key, value and headers read when first asked for. */
export class ReplayedRecord implements LogRecord {
  private decodedKey: string | null | undefined;
  private valueView: Buffer | null | undefined;
  private decodedHeaders: Record<string, string> | undefined;

  constructor(
    readonly topic: string,
    private readonly batch: PackedBatch,
    private readonly buffer: Buffer,
    private readonly index: number,
  ) {}

  get partition(): number {
    return this.batch.partition;
  }

  get offset(): number {
    return this.batch.offsets[this.index]!;
  }

  get timestampMs(): number {
    return this.batch.timestamps[this.index]!;
  }

  get key(): string | null {
    if (this.decodedKey === undefined) {
      const end = this.batch.ends[this.index * 3]!;
      this.decodedKey = end < 0 ? null : this.buffer.toString('utf8', this.start(0), end);
    }
    return this.decodedKey;
  }

  get value(): Buffer | null {
    // Kept once made: decoding reads it several times, and each view is an allocation.
    if (this.valueView === undefined) {
      const end = this.batch.ends[this.index * 3 + 1]!;
      this.valueView = end < 0 ? null : this.buffer.subarray(this.start(1), end);
    }
    return this.valueView;
  }

  get headers(): Readonly<Record<string, string>> {
    if (!this.decodedHeaders) {
      const end = this.batch.ends[this.index * 3 + 2]!;
      this.decodedHeaders =
        end < 0 ? {} : (JSON.parse(this.buffer.toString('utf8', this.start(2), end)) as Record<string, string>);
    }
    return this.decodedHeaders;
  }

  /** Where field `field` (0 key, 1 value, 2 headers) of this record starts: after the last field before it that is there. */
  private start(field: number): number {
    const { ends } = this.batch;
    for (let i = this.index * 3 + field - 1; i >= 0; i--) if (ends[i]! >= 0) return ends[i]!;
    return 0;
  }
}

/** How the worker connects: the Kafka log's own settings. */
export type ReplayConnection = Pick<ReplayWorkerData, 'brokers' | 'clientId' | 'ssl' | 'sasl' | 'maxWaitTimeMs'> & {
  /**
   * Longest time without a batch from the worker before the replay fails, in ms (a consumer that
   * never joins its group, a broker that stops answering); the projector's follower then reads on
   * instead, with its own recovery. Default 30,000.
   */
  readonly stallTimeoutMs?: number;
};

/**
 * Replays `topic` on a worker thread (see {@link EventLog.replay}). Services run TypeScript
 * through tsx (ADR 0005); a worker does not inherit its loader hooks, so it registers them before
 * it imports its module.
 */
export function replayKafkaTopic(connection: ReplayConnection, topic: string, options: ReplayOptions): Promise<void> {
  const { onBatch, signal } = options;
  const { stallTimeoutMs = 30_000, ...settings } = connection;
  const data: ReplayWorkerData = {
    ...settings,
    topic,
    from: options.from ?? {},
    until: options.until,
  };
  const entry = new URL('./replay-worker.ts', import.meta.url).href;
  const worker = new Worker(
    `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`,
    { eval: true, workerData: data },
  );
  let stopped = false;
  let delivering: Promise<void> = Promise.resolve();
  let stall: NodeJS.Timeout | undefined;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    clearTimeout(stall);
    signal?.removeEventListener('abort', onAbort);
    worker.postMessage({ type: 'stop' } satisfies ToReplayWorker);
    await delivering.catch(() => undefined);
    await worker.terminate();
  };
  let onAbort = (): void => undefined;
  const done = new Promise<void>((resolve, reject) => {
    onAbort = () => void stop().then(resolve);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort);
    const fail = (error: Error): void => void stop().then(() => reject(error));
    /** Restarts the clock of {@link ReplayConnection.stallTimeoutMs}: the replay moved. */
    const moved = (): void => {
      clearTimeout(stall);
      stall = setTimeout(
        () => fail(new LogUnavailableError(`the replay of ${topic} made no progress for ${stallTimeoutMs} ms`)),
        stallTimeoutMs,
      );
    };
    moved();
    worker.on('message', (message: FromReplayWorker) => {
      if (stopped) return;
      switch (message.type) {
        case 'batch': {
          moved();
          const { batch } = message;
          const buffer = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength);
          const records = new Array<ReplayedRecord>(batch.offsets.length);
          for (let i = 0; i < records.length; i++) records[i] = new ReplayedRecord(topic, batch, buffer, i);
          delivering = delivering.then(async () => {
            if (stopped) return;
            try {
              await onBatch(records);
            } catch (error) {
              return fail(asError(error));
            }
            moved();
            worker.postMessage({ type: 'taken' } satisfies ToReplayWorker);
          });
          return;
        }
        case 'done':
          void delivering.then(() => stop()).then(resolve);
          return;
        case 'failed':
          return fail(new Error(`the replay of ${topic} failed: ${message.message}`));
        default: {
          const unknown: never = message;
          return fail(new Error(`unknown message from the replay worker: ${JSON.stringify(unknown)}`));
        }
      }
    });
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!stopped) fail(new Error(`the replay worker of ${topic} exited (code ${code}) before it was done`));
    });
  });
  return done;
}
