import {
  createProjector,
  DecodeError,
  decodeRecord,
  positionAfter,
  subscriptionFieldsOf,
  topicOf,
  tracingOn,
  type ApplyOutcome,
  type ChangeReader,
  type Decoded,
  type EntityChange,
  type EventLog,
  type Logger,
  type LogRecord,
  type Position,
  type Projection,
  type Projector,
  type Snapshottable,
  type SnapshotSettings,
  type SubgraphManifest,
  type SubscriptionFields,
  type TopicNames,
} from '@shop/event-core';
import { SUBGRAPHS } from '@shop/schema';

export type ChangeKind = EntityChange['kind'];

/** One applied change, as subscriptions see it. Rejected events (lost races, retries) are never changes. */
export interface Change extends EntityChange {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** The position just after this change: a payload's `position`, and a client's `after` to resume. */
  readonly position: Position;
  readonly occurredAt: string;
  /** The trace context of the record (`traceparent`), kept when tracing is on: its payloads continue the trace. */
  readonly trace?: Readonly<Record<string, string>>;
}

export type ChangeListener = (change: Change) => void;

/** The change feed's snapshots: their name in the store, and the version of the shape of its state (raise it when that changes). */
export const CHANGE_FEED_SNAPSHOTS = { model: 'gateway-changes', version: 4 } as const;

/** The feed's state as data: what a snapshot of it holds ({@link ChangeFeed.toSnapshot}). */
export interface ChangeFeedSnapshot {
  /** Each subgraph's reader's state, by the subgraph's name. */
  readonly readers: Readonly<Record<string, unknown>>;
  readonly notChanges: readonly string[];
}

/** The reader of one topic, and the subgraph it belongs to. */
interface TopicReader {
  readonly subgraph: string;
  readonly reader: ChangeReader;
}

/**
 * The gateway's own reading of the subgraphs' topics, each by the reader its manifest gives
 * (`changes`), with the same rules as the subgraphs, so that a subscriber is told exactly about the
 * events the subgraphs applied. It keeps the least it needs: what those readers keep, and the
 * offsets it rejected so that a replay from `after` can skip them without rebuilding state.
 *
 * With snapshot settings it starts from its newest snapshot and reads only the tail, as the
 * subgraphs do. The rejected offsets are part of the snapshot: a subscriber may resume from an
 * `after` older than the snapshot, and its replay must skip the same records as before the restart.
 */
export class ChangeFeed implements Projection, Snapshottable {
  readonly topics: readonly string[];
  readonly snapshotModel = CHANGE_FEED_SNAPSHOTS.model;
  readonly snapshotVersion = CHANGE_FEED_SNAPSHOTS.version;
  /** The subscription fields the feed's subgraphs declare. */
  readonly fields: SubscriptionFields;
  private readonly readers = new Map<string, TopicReader>();
  /** "topic partition offset" of every record that is not a change. Rejections are rare, so this stays small. */
  private readonly notChanges = new Set<string>();
  private readonly listeners = new Set<ChangeListener>();
  /** The feed's own projector (exposed for metrics). */
  readonly projector: Projector;

  /**
   * `names`: the topic of each subgraph; `subgraphs`: their manifests (default the shop's), whose
   * topics it reads when they have `changes`.
   */
  constructor(
    names: TopicNames,
    private readonly log: EventLog,
    logger: Logger,
    snapshots?: SnapshotSettings,
    subgraphs: readonly SubgraphManifest[] = SUBGRAPHS,
  ) {
    for (const subgraph of subgraphs)
      if (subgraph.changes)
        this.readers.set(topicOf(names, subgraph.name), { subgraph: subgraph.name, reader: subgraph.changes() });
    this.topics = [...this.readers.keys()];
    this.fields = subscriptionFieldsOf(subgraphs);
    this.projector = createProjector({
      name: 'gateway-subscriptions',
      log,
      projection: this,
      logger,
      ...(snapshots ? { snapshots } : {}),
    });
  }

  /** The feed's state as data, copied. */
  toSnapshot(): ChangeFeedSnapshot {
    return {
      readers: Object.fromEntries([...this.readers.values()].map(({ subgraph, reader }) => [subgraph, reader.toSnapshot()])),
      notChanges: [...this.notChanges],
    };
  }

  /** Takes a snapshot's state ({@link toSnapshot}) into this new feed, before it starts. */
  restore(state: unknown): void {
    const snapshot = state as ChangeFeedSnapshot;
    for (const { subgraph, reader } of this.readers.values()) {
      const kept = snapshot.readers[subgraph];
      if (kept !== undefined) reader.restore(kept);
    }
    for (const record of snapshot.notChanges) this.notChanges.add(record);
  }

  start(): Promise<void> {
    return this.projector.start();
  }

  stop(): Promise<void> {
    return this.projector.stop();
  }

  isReady(): boolean {
    return this.projector.isReady();
  }

  /** Everything this feed has dispatched so far. */
  position(): Position {
    return this.projector.position();
  }

  /** Calls `listener` for every change applied from now on; returns the unsubscribe function. */
  listen(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  apply(topic: string, decoded: Decoded, record: LogRecord): ApplyOutcome {
    let change: Change | undefined;
    let outcome: ApplyOutcome;
    try {
      ({ change, outcome } = this.toChange(topic, decoded, record));
    } catch (error) {
      this.notChanges.add(key(record));
      throw error;
    }
    if (!change) {
      this.notChanges.add(key(record));
      return outcome;
    }
    for (const listener of this.listeners) listener(change);
    return outcome;
  }

  /**
   * Reads the changes of one topic between two positions straight from the log (a replay for
   * `after`), skipping what this feed did not count as a change. Only valid up to `position()`.
   * Paced by `onChange`: the log reads no further while the promise it returns is pending, so a
   * replay holds no more than its subscriber takes. Ends at once, without error, when `signal` aborts.
   */
  async replay(
    topic: string,
    from: Position,
    until: Position,
    onChange: (change: Change) => void | Promise<void>,
    signal?: AbortSignal,
  ): Promise<void> {
    const start = from[topic] ?? {};
    const end = until[topic] ?? {};
    const pending = Object.entries(end).filter(([p, stop]) => (start[Number(p)] ?? 0) < stop);
    if (pending.length === 0 || signal?.aborted) return;
    const left = new Map(pending.map(([p, stop]) => [Number(p), stop]));
    await new Promise<void>((resolve, reject) => {
      let follower: Awaited<ReturnType<EventLog['follow']>> | undefined;
      let done = false;
      const finish = (error?: Error) => {
        if (done) return;
        done = true;
        signal?.removeEventListener('abort', onAbort);
        void follower?.close();
        if (error) reject(error);
        else resolve();
      };
      const onAbort = () => finish();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.log
        .follow(topic, {
          from: start,
          onError: finish,
          // Async, so the follower waits for it before it reads the next batch.
          onBatch: async (records) => {
            for (const record of records) {
              if (done) return;
              const stop = left.get(record.partition);
              if (stop === undefined || record.offset >= stop) continue;
              if (!this.notChanges.has(key(record))) {
                const change = this.describe(topic, record);
                if (change) await onChange(change);
              }
              if (record.offset + 1 >= stop) left.delete(record.partition);
            }
            if (left.size === 0) finish();
          },
        })
        .then((f) => {
          follower = f;
          if (done) void f.close();
        }, finish);
    });
  }

  /** A change from a record already accepted by this feed (no state needed, nor changed). */
  private describe(topic: string, record: LogRecord): Change | undefined {
    try {
      const change = this.readerOf(topic).describe(decodeRecord(record), record);
      return located(topic, record, change);
    } catch {
      return undefined;
    }
  }

  private toChange(topic: string, decoded: Decoded, record: LogRecord): { change?: Change; outcome: ApplyOutcome } {
    const { outcome, change } = this.readerOf(topic).apply(decoded, record);
    return change ? { outcome, change: located(topic, record, change) } : { outcome };
  }

  private readerOf(topic: string): ChangeReader {
    const found = this.readers.get(topic);
    if (!found) throw new DecodeError(`not a topic of the change feed: ${topic}`);
    return found.reader;
  }
}

const key = (record: Pick<LogRecord, 'topic' | 'partition' | 'offset'>): string =>
  `${record.topic} ${record.partition} ${record.offset}`;

/** A change where it is in the log; `occurredAt` defaults to the record's timestamp (the original's records carry none). */
function located(topic: string, record: LogRecord, change: EntityChange): Change {
  return {
    ...change,
    topic,
    partition: record.partition,
    offset: record.offset,
    position: positionAfter(topic, record.partition, record.offset),
    occurredAt: change.occurredAt ?? new Date(record.timestampMs).toISOString(),
    ...(tracingOn() && record.headers.traceparent !== undefined ? { trace: record.headers } : {}),
  };
}
