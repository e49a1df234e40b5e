import type { EventLog, LogRecord } from '../log/port.ts';

export interface RecordReaderOptions {
  readonly log: EventLog;
  readonly topic: string;
  /** Records kept after reading, newest used first out; 0 keeps none. Default 1000. */
  readonly cacheSize?: number;
}

interface Pending {
  readonly offsets: Set<number>;
  readonly waiters: { readonly resolve: (records: Map<number, LogRecord>) => void; readonly reject: (error: Error) => void }[];
}

/**
 * Reads records of one topic on demand, for history and time travel. Reads asked for in the same
 * turn of the event loop share one `EventLog.read` per partition: GraphQL resolves the items of a
 * list (the products of 50 purchases) one by one, and on Kafka every read costs a consumer join.
 * A small cache keeps the records read last: a record at an offset never changes.
 */
export class RecordReader {
  private readonly log: EventLog;
  readonly topic: string;
  private readonly cacheSize: number;
  private readonly cache = new Map<string, LogRecord>();
  private pending = new Map<number, Pending>();
  private scheduled = false;
  private readonly counters = { reads: 0, records: 0, cacheHits: 0 };

  constructor({ log, topic, cacheSize = 1000 }: RecordReaderOptions) {
    this.log = log;
    this.topic = topic;
    this.cacheSize = cacheSize;
  }

  /** The records at `offsets` of `partition` that exist, by offset. */
  read(partition: number, offsets: readonly number[]): Promise<Map<number, LogRecord>> {
    const found = new Map<number, LogRecord>();
    const missing: number[] = [];
    for (const offset of offsets) {
      const cached = this.cached(partition, offset);
      if (cached) found.set(offset, cached);
      else missing.push(offset);
    }
    this.counters.cacheHits += found.size;
    if (missing.length === 0) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      let batch = this.pending.get(partition);
      if (!batch) this.pending.set(partition, (batch = { offsets: new Set(), waiters: [] }));
      for (const offset of missing) batch.offsets.add(offset);
      batch.waiters.push({
        resolve: (records) => {
          for (const offset of missing) {
            const record = records.get(offset);
            if (record) found.set(offset, record);
          }
          resolve(found);
        },
        reject,
      });
      if (!this.scheduled) {
        this.scheduled = true;
        // After the current turn: every resolver GraphQL starts for this level has asked by then.
        setImmediate(() => this.flush());
      }
    });
  }

  /** Log reads made, records they returned, and records served from the cache. */
  stats(): { readonly reads: number; readonly records: number; readonly cacheHits: number } {
    return { ...this.counters };
  }

  private flush(): void {
    this.scheduled = false;
    const batches = this.pending;
    this.pending = new Map();
    for (const [partition, batch] of batches) {
      this.counters.reads++;
      this.log.read(this.topic, partition, [...batch.offsets]).then(
        (records) => {
          this.counters.records += records.length;
          const byOffset = new Map(records.map((record) => [record.offset, record]));
          for (const record of records) this.remember(record);
          for (const waiter of batch.waiters) waiter.resolve(byOffset);
        },
        (error: unknown) => {
          for (const waiter of batch.waiters) waiter.reject(error as Error);
        },
      );
    }
  }

  private cached(partition: number, offset: number): LogRecord | undefined {
    const key = `${partition}:${offset}`;
    const record = this.cache.get(key);
    if (record) {
      // Map keeps insertion order: re-inserting marks it as used last.
      this.cache.delete(key);
      this.cache.set(key, record);
    }
    return record;
  }

  private remember(record: LogRecord): void {
    if (this.cacheSize === 0) return;
    this.cache.set(`${record.partition}:${record.offset}`, record);
    while (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
  }
}
