/** On-demand reads of the Kafka log: the records at given offsets of one partition (history, time travel). */
import { randomUUID } from 'node:crypto';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { LogUnavailableError, type LogRecord } from '../port.ts';
import { asError, closedLogError } from './errors.ts';
import { toLogRecord } from './records.ts';
import { deferred, withTimeout } from './waiting.ts';

/** Farther than this past the last record read, a wanted offset is sought rather than read through. */
const READ_SEEK_GAP = 500;
/** How often an idle reader looks for a read to start, in ms. */
const READ_IDLE_MS = 5;

interface ReadRequest {
  readonly partition: number;
  /** Sorted, deduplicated, below the high-water mark. */
  readonly offsets: readonly number[];
  readonly records: LogRecord[];
  /** Index in `offsets` of the next offset to find. */
  next: number;
  readonly resolve: (records: LogRecord[]) => void;
  readonly reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

/**
 * On-demand reads of one topic (history, time travel) through one long-lived consumer, in a group
 * of its own, with every partition paused between reads. A read seeks its partition to the first
 * wanted offset and resumes it; gaps wider than {@link READ_SEEK_GAP} are skipped with another
 * seek, so an entity's events scattered over a long topic cost a fetch each, not a read of
 * everything between them. kafkajs drops fetched data of a partition that is paused or has a seek
 * pending, so a batch handed over always starts where the current read asked. Reads are served one
 * at a time; callers batch them (`RecordReader`). Keeping the consumer saves a group join per read
 * (tens to hundreds of ms); when it crashes (broker down), the waiting reads fail and the next read
 * starts a new one.
 */
export class KafkaReader {
  private consumer: Consumer | undefined;
  private starting: Promise<Consumer> | undefined;
  private assigned: number[] = [];
  private readonly queue: ReadRequest[] = [];
  private current: ReadRequest | undefined;
  private closed = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly settings: { readonly clientId: string; readonly timeoutMs: number },
  ) {}

  read(partition: number, offsets: readonly number[]): Promise<LogRecord[]> {
    return new Promise<LogRecord[]>((resolve, reject) => {
      this.queue.push({ partition, offsets, records: [], next: 0, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.failAll(closedLogError());
    const consumer = this.consumer ?? (await this.starting?.catch(() => undefined));
    await consumer?.disconnect().catch(() => undefined);
  }

  private pump(): void {
    if (this.current || this.queue.length === 0 || this.closed) return;
    const request = this.queue.shift()!;
    this.current = request;
    request.timer = setTimeout(
      () =>
        this.finish(
          request,
          new LogUnavailableError(
            `reading ${request.offsets.length} records of ${this.topic} took more than ${this.settings.timeoutMs} ms`,
          ),
        ),
      this.settings.timeoutMs,
    );
    this.consumer_().then(
      (consumer) => {
        if (this.current !== request) return;
        if (!this.assigned.includes(request.partition)) return this.finish(request);
        // From where the read is: a join that happened meanwhile may have sought and read already.
        consumer.seek({ topic: this.topic, partition: request.partition, offset: String(request.offsets[request.next]) });
        consumer.resume([{ topic: this.topic, partitions: [request.partition] }]);
      },
      (error: unknown) => this.finish(request, asError(error)),
    );
  }

  /** Settles `request` (with its records, or `error`), pauses its partition and starts the next read. */
  private finish(request: ReadRequest, error?: Error): void {
    if (this.current !== request) return;
    clearTimeout(request.timer);
    this.current = undefined;
    this.consumer?.pause([{ topic: this.topic, partitions: [request.partition] }]);
    if (error) request.reject(error);
    else request.resolve(request.records);
    this.pump();
  }

  private failAll(error: Error): void {
    if (this.current) this.finish(this.current, error);
    for (const request of this.queue.splice(0)) request.reject(error);
  }

  private consumer_(): Promise<Consumer> {
    if (this.consumer) return Promise.resolve(this.consumer);
    this.starting ??= this.start().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async start(): Promise<Consumer> {
    const consumer = this.kafka.consumer({
      groupId: `${this.settings.clientId}-read-${randomUUID()}`,
      // With every partition paused, kafkajs sleeps this long before it looks again (no request is
      // sent): short, so that a read starts at once. Reads stop at the high-water mark, so a fetch
      // is never held waiting for new records either.
      maxWaitTimeInMs: READ_IDLE_MS,
      // Small fetches: after a seek only the first few records of a fetch are usually wanted.
      maxBytesPerPartition: 256 * 1024,
      allowAutoTopicCreation: false,
      retry: { initialRetryTime: 100, maxRetryTime: 1_000, retries: 3, restartOnFailure: async () => false },
    });
    const joined = deferred();
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      // Every (re)join assigns all partitions afresh: paused but the one a read is on, sought again.
      this.assigned = payload.memberAssignment[this.topic] ?? [];
      consumer.pause([{ topic: this.topic, partitions: this.assigned }]);
      const request = this.current;
      if (request && this.assigned.includes(request.partition) && request.next < request.offsets.length) {
        consumer.seek({ topic: this.topic, partition: request.partition, offset: String(request.offsets[request.next]) });
        consumer.resume([{ topic: this.topic, partitions: [request.partition] }]);
      }
      joined.resolve();
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (this.consumer === consumer) this.consumer = undefined;
      void consumer.disconnect().catch(() => undefined);
      this.failAll(
        new LogUnavailableError(`the reader of ${this.topic} stopped: ${payload.error.message}`, { cause: payload.error }),
      );
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: this.topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        // The batch is resolved after this handler (the next fetch starts after it); a seek made in
        // the handler is applied at that next fetch, after the resolve, so it wins.
        eachBatch: async ({ batch }) => this.onBatch(consumer, batch),
      });
      await withTimeout(
        joined.promise,
        this.settings.timeoutMs,
        () => new LogUnavailableError(`the reader of ${this.topic} did not join its group within ${this.settings.timeoutMs} ms`),
      );
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await consumer.disconnect().catch(() => undefined);
      throw closedLogError();
    }
    this.consumer = consumer;
    return consumer;
  }

  private onBatch(consumer: Consumer, batch: EachBatchPayload['batch']): void {
    const request = this.current;
    if (!request || batch.partition !== request.partition) return;
    const { offsets } = request;
    for (const message of batch.messages) {
      const offset = Number(message.offset);
      // Offsets compaction removed are passed over.
      while (request.next < offsets.length && offsets[request.next]! < offset) request.next++;
      if (request.next < offsets.length && offsets[request.next] === offset) {
        request.records.push(toLogRecord(this.topic, request.partition, message));
        request.next++;
      }
    }
    const readUpTo = Number(batch.lastOffset()) + 1;
    if (request.next >= offsets.length || readUpTo >= Number(batch.highWatermark)) return this.finish(request);
    if (offsets[request.next]! - readUpTo > READ_SEEK_GAP)
      consumer.seek({ topic: this.topic, partition: request.partition, offset: String(offsets[request.next]) });
  }
}
