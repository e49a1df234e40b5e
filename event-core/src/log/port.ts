/**
 * The event-log port: everything a service needs from Kafka, and nothing more.
 *
 * Semantics follow a Kafka topic partition: each partition is a dense, ordered sequence of
 * offsets starting at 0; a record once acknowledged by {@link EventLog.append} is durable and is
 * delivered to every reader in offset order. Both adapters (Kafka and embedded) pass the same
 * contract suite in `src/testing/contract.ts`.
 */
import type { SnapshotStore, SnapshotStoreOptions } from '../snapshot/store.ts';

/** A record as stored in a topic partition. */
export interface LogRecord {
  readonly topic: string;
  readonly partition: number;
  /** Dense offset inside its partition, starting at 0. */
  readonly offset: number;
  /** Record key; the entity id for every event topic. `null` for keyless records. */
  readonly key: string | null;
  /** Raw value; `null` for tombstones. Decoding is the codec's job, not the log's. */
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
  /** Append time, milliseconds since the epoch. */
  readonly timestampMs: number;
}

/** A record to append. */
export interface OutgoingRecord {
  readonly key: string;
  readonly value: Buffer | string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Where an appended record landed. */
export interface AppendResult {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** Next offset to read per partition of one topic: `{ [partition]: offset }`. */
export type PartitionOffsets = Readonly<Record<number, number>>;

/** Settings of a topic created by {@link EventLog.provision}. */
export interface TopicSpec {
  readonly topic: string;
  /** Default 1. Records with the same key always go to the same partition. */
  readonly partitions?: number;
  /** Extra topic configuration, e.g. `{ 'cleanup.policy': 'compact' }`. Ignored by the embedded log. */
  readonly config?: Readonly<Record<string, string>>;
}

/** Called with each batch of records, in offset order per partition. May be async: the next batch waits. */
export type BatchHandler = (records: readonly LogRecord[]) => void | Promise<void>;

export interface FollowOptions {
  /** Next offset to read per partition; partitions not listed start at 0. */
  readonly from?: PartitionOffsets;
  readonly onBatch: BatchHandler;
  /** Called when the follower stops because of an error it cannot recover from. */
  readonly onError?: (error: Error) => void;
}

export interface ReplayOptions {
  /** Next offset to read per partition; partitions not listed start at 0. */
  readonly from?: PartitionOffsets;
  /** Where to stop, per partition (exclusive): the high-water marks taken before. Partitions not listed are not read. */
  readonly until: PartitionOffsets;
  /** Called with each batch, in offset order per partition; the next batch waits for a returned promise. */
  readonly onBatch: BatchHandler;
  /** Ends the replay early: the promise resolves once no handler runs any more. */
  readonly signal?: AbortSignal;
}

/** A live reader; {@link Follower.close} stops it and resolves once no handler runs any more. */
export interface Follower {
  close(): Promise<void>;
}

export interface EventLog {
  /** Short name for logs and metrics: `kafka` or `embedded`. */
  readonly kind: string;
  /** Creates the topics that do not exist yet; existing topics are left as they are. */
  provision(topics: readonly TopicSpec[]): Promise<void>;
  /**
   * Appends records to one topic and resolves once every one is durable (Kafka: acks=all).
   * Results are in the order of `records`.
   */
  append(topic: string, records: readonly OutgoingRecord[]): Promise<AppendResult[]>;
  /** The offset the next appended record would get, per partition. */
  highWaterMarks(topic: string): Promise<PartitionOffsets>;
  /** Reads a topic from `from` (default: the beginning), then keeps delivering new records. */
  follow(topic: string, options: FollowOptions): Promise<Follower>;
  /**
   * Reads a topic from `from` up to `until` and resolves once every record below `until` was
   * handed to `onBatch` (or `signal` ended it): the replay at start, read off the main thread
   * where the adapter can (Kafka: a worker thread fetches the records and takes kafkajs' protocol
   * apart; decoding the events stays with the caller). Optional: a log without it
   * replays through {@link EventLog.follow}. Rejects when the read fails; records handed over
   * until then stay handed over, so the caller can go on from where it got.
   */
  replay?(topic: string, options: ReplayOptions): Promise<void>;
  /**
   * Reads the records at the given offsets of one partition, on demand (history, time travel), and
   * resolves once all of them are read: in offset order, each once, however `offsets` is ordered.
   * Offsets that hold no record (removed by compaction or retention, or at or past the
   * high-water mark) are left out of the result, not an error.
   */
  read(topic: string, partition: number, offsets: readonly number[]): Promise<LogRecord[]>;
  /** Is the log reachable right now? Cheap enough for a readiness probe. */
  healthy(): Promise<boolean>;
  /**
   * The store of read-model snapshots kept next to this log's events, where a brand-new instance
   * finds them (see `snapshot/store.ts`). Optional: a log without it keeps no snapshots, and its
   * services replay from the beginning. The store needs no closing of its own, and refuses every
   * operation once the log is closed.
   */
  snapshotStore?(options?: SnapshotStoreOptions): SnapshotStore;
  close(): Promise<void>;
}

/**
 * Raised when the log's own storage is damaged (a cut or overwritten embedded log file): not a
 * defect of the program, and nothing a retry fixes. Its message says what to do.
 */
export class LogDamagedError extends Error {
  override readonly name = 'LogDamagedError';
}

/** Raised when the log cannot take or serve a request (broker down, closed log). */
export class LogUnavailableError extends Error {
  override readonly name = 'LogUnavailableError';
  /**
   * For a failed append: true when none of its records was stored and none ever will be (it never
   * reached the log, and the adapter will not send it later), so the caller can say "nothing
   * changed". False when the log may have stored it: a request went out and no answer came back.
   */
  readonly notStored: boolean;

  constructor(message: string, { notStored = false, ...options }: ErrorOptions & { readonly notStored?: boolean } = {}) {
    super(message, options);
    this.notStored = notStored;
  }
}
