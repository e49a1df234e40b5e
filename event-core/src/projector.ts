import { decodeRecord, DecodeError, type Decoded } from './codec.ts';
import type { EventEnvelope } from './envelope.ts';
import { DomainError } from './errors.ts';
import type { Logger } from './logger.ts';
import type { EventLog, Follower, LogRecord } from './log/port.ts';
import { hasReached, positionAfter, type Position } from './position.ts';
import { inSpan, SpanKind, tracingOn } from './tracing.ts';
import {
  isSnapshottable,
  SNAPSHOT_DEFAULTS,
  Snapshotter,
  type SnapshotSettings,
  type SnapshotStats,
} from './snapshot/snapshotter.ts';

/**
 * What applying one event did. A rejection is deterministic: every replica rejects the same event.
 * `entityId` is the entity a writer should read back: the event's own, or for a retried
 * idempotency key, the entity of the first event with that key.
 */
export type ApplyOutcome =
  | { readonly ok: true; readonly entityId: string; readonly duplicate?: boolean }
  | { readonly ok: false; readonly error: DomainError };

export const applied = (entityId: string): ApplyOutcome => ({ ok: true, entityId });
/** A retry that raced its first attempt: nothing changed; the writer reads `entityId` back. */
export const duplicateOf = (entityId: string): ApplyOutcome => ({ ok: true, entityId, duplicate: true });
export const rejected = (error: DomainError): ApplyOutcome => ({ ok: false, error });

/**
 * A read model fed by the log. `apply` mutates the model in place and must be deterministic:
 * the same records in the same order give the same state on every replica. It throws
 * {@link DecodeError} for an event it cannot understand; the projector logs and skips it.
 */
export interface Projection {
  /** Topics this read model follows. */
  readonly topics: readonly string[];
  apply(topic: string, decoded: Decoded, record: LogRecord): ApplyOutcome;
  /**
   * Called before a replay from the start of the log (no snapshot to start from): the read model
   * may keep only what deciding needs while it runs, and derive the rest in bulk at
   * {@link caughtUp} — nothing reads it before then (the projector is not ready).
   */
  replayingFromStart?(): void;
  /**
   * Called once when the replay at start has caught up, before the projector is ready: a read
   * model builds in bulk here what it deferred while the replay ran (sorted indexes).
   */
  caughtUp?(): void;
}

/** Outcome of an awaited event, with the position a reader must reach to see it. */
export interface EventOutcome {
  readonly outcome: ApplyOutcome;
  readonly position: Position;
}

export interface Expectation {
  readonly promise: Promise<EventOutcome>;
  cancel(): void;
}

export interface ProjectorStats {
  readonly applied: number;
  readonly rejected: number;
  readonly skipped: number;
  /** The same three counts per topic. */
  readonly byTopic: Readonly<Record<string, { readonly applied: number; readonly rejected: number; readonly skipped: number }>>;
  /** How long the replay at start took, in seconds; undefined while it runs. */
  readonly replaySeconds?: number;
}

export interface Projector {
  readonly name: string;
  /** Replays every topic from the start and resolves once caught up with the high-water marks seen now. */
  start(): Promise<void>;
  /** True once the replay at start has caught up. */
  isReady(): boolean;
  /** Everything applied so far, as a position. */
  position(): Position;
  /**
   * Resolves once every topic this projector follows has applied `position` (topics it does not
   * follow are ignored). Rejects with `CONSISTENCY_TIMEOUT` after `timeoutMs`.
   */
  waitFor(position: Position, timeoutMs: number): Promise<void>;
  /** Call before appending an event: resolves when this projector applies (or rejects) it. */
  expect(eventId: string): Expectation;
  stats(): ProjectorStats;
  /** Snapshots loaded, saved and ignored; undefined when the projector takes none. */
  snapshotStats(): SnapshotStats | undefined;
  /** Takes a snapshot now (and waits until it is stored); a no-op without snapshots. */
  snapshot(): Promise<void>;
  /** Stops following; with snapshots, saves one of what was applied since the last (`snapshotOnStop`). */
  stop(): Promise<void>;
}

export interface ProjectorOptions {
  readonly name: string;
  readonly log: EventLog;
  readonly projection: Projection;
  readonly logger: Logger;
  /** How often replay progress is logged, in ms. Default 2000. */
  readonly progressIntervalMs?: number;
  /**
   * Start from the newest usable snapshot, and save snapshots, when the projection can be saved
   * (`Snapshottable`). Without it, every start replays from offset 0.
   */
  readonly snapshots?: SnapshotSettings;
  /**
   * Fewest events a topic must have to catch up on for its replay to go through the log's
   * `replay` (off the main thread where the log can: ADR 0019); a shorter tail is read by the
   * follower, since starting a worker costs more than reading it. Default 20,000.
   */
  readonly replayOffThreadMinEvents?: number;
}

interface Counts {
  applied: number;
  rejected: number;
  skipped: number;
}

interface Waiter {
  readonly position: Position;
  readonly resolve: () => void;
}

/**
 * Follows the projection's topics from offset 0 and applies every event in log order.
 * A record that cannot be decoded or applied is logged with topic/partition/offset, counted and
 * skipped: one bad record never stops the read model.
 */
export function createProjector({
  name,
  log,
  projection,
  logger,
  progressIntervalMs = 2000,
  snapshots,
  replayOffThreadMinEvents = 20_000,
}: ProjectorOptions): Projector {
  const topics = new Set(projection.topics);
  const applied: Record<string, Record<number, number>> = {};
  const snapshotter =
    snapshots && isSnapshottable(projection) ? new Snapshotter(name, log, projection, snapshots, logger) : undefined;
  const everyEvents = snapshots?.everyEvents ?? SNAPSHOT_DEFAULTS.everyEvents;
  /** The last record applied per topic and partition: a snapshot's fingerprint of where it stands. */
  const lastRecords: Record<string, Record<number, LogRecord>> = {};
  /** Events the model holds: those of the snapshot it started from, and every one applied since. */
  let eventsHeld = 0;
  let eventsAtSnapshot = 0;
  let snapshotTimer: NodeJS.Timeout | undefined;
  const expectations = new Map<string, (outcome: EventOutcome) => void>();
  let waiters: Waiter[] = [];
  const followers: Follower[] = [];
  const counts: Counts = { applied: 0, rejected: 0, skipped: 0 };
  const byTopic: Record<string, Counts> = {};
  let replaySeconds: number | undefined;
  let ready = false;
  /** Ends a replay still running when the projector is stopped. */
  const replays = new AbortController();

  const settleWaiters = (): void => {
    if (waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const waiter of waiters) {
      if (hasReached(applied, waiter.position, topics)) waiter.resolve();
      else still.push(waiter);
    }
    waiters = still;
  };

  /** Applies one record and counts it; runs for every record of a replay, so it allocates as little as it can. */
  const applyRecord = (record: LogRecord, topicCounts: Counts): void => {
    let decoded: Decoded | undefined;
    let outcome: ApplyOutcome;
    try {
      decoded = decodeRecord(record);
      outcome = projection.apply(record.topic, decoded, record);
    } catch (error) {
      counts.skipped++;
      topicCounts.skipped++;
      const reason = error instanceof DecodeError ? error.message : `apply failed: ${(error as Error).message}`;
      logger.warn(
        { topic: record.topic, partition: record.partition, offset: record.offset, key: record.key, reason },
        'skipped a record that is not a valid event',
      );
      outcome = { ok: false, error: new DomainError('BAD_USER_INPUT', `the event could not be applied: ${reason}`) };
      settleExpectation(decoded, record, outcome);
      return;
    }
    if (outcome.ok) {
      counts.applied++;
      topicCounts.applied++;
    } else {
      counts.rejected++;
      topicCounts.rejected++;
    }
    settleExpectation(decoded, record, outcome);
  };

  /** Tells a writer waiting for this event how it went. Nobody waits during a replay: no lookup then. */
  const settleExpectation = (decoded: Decoded | undefined, record: LogRecord, outcome: ApplyOutcome): void => {
    if (expectations.size === 0 || decoded?.format !== 'envelope') return;
    const settle = expectations.get(decoded.event.id);
    if (!settle) return;
    expectations.delete(decoded.event.id);
    settle({ outcome, position: positionAfter(record.topic, record.partition, record.offset) });
  };

  const applyTraced = (record: LogRecord, topicCounts: Counts): void =>
    inSpan(
      `apply ${record.topic}`,
      {
        kind: SpanKind.CONSUMER,
        continues: record.headers,
        attributes: {
          'shop.projector': name,
          'messaging.destination.name': record.topic,
          'messaging.destination.partition.id': String(record.partition),
          'messaging.kafka.offset': record.offset,
        },
      },
      () => applyRecord(record, topicCounts),
    );

  const onBatch = (records: readonly LogRecord[]): void => {
    // A batch is normally one partition of one topic: look its counters up once, not per record.
    let topic: string | undefined;
    let topicCounts!: Counts;
    let offsets!: Record<number, number>;
    let last!: Record<number, LogRecord>;
    for (const record of records) {
      if (record.topic !== topic) {
        topic = record.topic;
        topicCounts = byTopic[topic] ??= { applied: 0, rejected: 0, skipped: 0 };
        offsets = applied[topic] ??= {};
        last = lastRecords[topic] ??= {};
      }
      // Live events written with tracing on continue their trace; a replay is not traced per record.
      if (ready && tracingOn() && record.headers.traceparent !== undefined) applyTraced(record, topicCounts);
      else applyRecord(record, topicCounts);
      offsets[record.partition] = record.offset + 1;
      last[record.partition] = record;
    }
    eventsHeld += records.length;
    settleWaiters();
    if (snapshotter && ready && eventsHeld - eventsAtSnapshot >= everyEvents) setImmediate(saveSnapshot);
  };

  /** Saves a snapshot of what is applied right now (in the background; one at a time). */
  const saveSnapshot = (): Promise<void> => {
    if (!snapshotter) return Promise.resolve();
    // Nothing new since the last one: wait for that one, if it is still being saved.
    if (eventsHeld === eventsAtSnapshot) return snapshotter.settled();
    eventsAtSnapshot = eventsHeld;
    return snapshotter.save({ positions: applied, lastRecords, events: eventsHeld });
  };

  /**
   * Reads every topic that is far enough behind up to `targets` through the log's replay (off the
   * main thread where it can), all topics at once, as followers would. A replay that fails is not
   * fatal: it logs, and the follower started next reads on from where it got.
   */
  const replayEach = async (replay: NonNullable<EventLog['replay']>, targets: Position): Promise<void> => {
    await Promise.all(
      [...topics].map(async (topic) => {
        const behind = Object.entries(targets[topic] ?? {}).reduce(
          (sum, [partition, end]) => sum + Math.max(0, end - (applied[topic]?.[Number(partition)] ?? 0)),
          0,
        );
        if (behind < replayOffThreadMinEvents) return;
        try {
          await replay(topic, { from: applied[topic], until: targets[topic] ?? {}, onBatch, signal: replays.signal });
        } catch (error) {
          logger.warn({ projector: name, topic, err: error }, 'the replay failed; a follower reads on from where it got');
        }
      }),
    );
  };

  const waitFor = (position: Position, timeoutMs: number): Promise<void> => {
    if (hasReached(applied, position, topics)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      // Timers above 2^31-1 ms fire at once; "no timeout" is simply no timer.
      const timer =
        timeoutMs < 2 ** 31
          ? setTimeout(() => {
              waiters = waiters.filter((w) => w !== waiter);
              reject(
                new DomainError(
                  'CONSISTENCY_TIMEOUT',
                  `the ${name} read model did not reach the requested position within ${timeoutMs} ms; retry later`,
                ),
              );
            }, timeoutMs)
          : undefined;
      const waiter: Waiter = {
        position,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      waiters.push(waiter);
    });
  };

  return {
    name,

    async start() {
      const startedAt = Date.now();
      const fromSnapshot = await snapshotter?.load();
      if (fromSnapshot) {
        for (const [topic, partitions] of Object.entries(fromSnapshot.positions)) {
          if (topics.has(topic)) applied[topic] = { ...partitions };
        }
        eventsHeld = eventsAtSnapshot = fromSnapshot.events;
      } else {
        projection.replayingFromStart?.();
      }
      const targets: Record<string, Record<number, number>> = {};
      const marksOf = await Promise.all([...topics].map((topic) => log.highWaterMarks(topic)));
      [...topics].forEach((topic, i) => {
        const marks = marksOf[i]!;
        targets[topic] = { ...marks };
        const current = (applied[topic] ??= {});
        for (const partition of Object.keys(marks)) current[Number(partition)] ??= 0;
      });
      const total = Object.values(targets).reduce((sum, marks) => sum + Object.values(marks).reduce((a, b) => a + b, 0), 0);
      const done = (): number =>
        Object.entries(targets).reduce(
          (sum, [topic, marks]) =>
            sum + Object.entries(marks).reduce((a, [p, hw]) => a + Math.min(hw, applied[topic]?.[Number(p)] ?? 0), 0),
          0,
        );
      logger.info({ projector: name, topics: [...topics], events: total }, `replaying ${total} events`);
      const progress = setInterval(() => {
        const n = done();
        const seconds = (Date.now() - startedAt) / 1000;
        logger.info(
          {
            projector: name,
            events: n,
            total,
            percent: total ? Math.floor((n / total) * 100) : 100,
            eventsPerSecond: Math.round(n / seconds),
          },
          `replay ${n}/${total}`,
        );
      }, progressIntervalMs);
      progress.unref();
      // A follower that stops for good during the replay would leave it waiting forever: the start fails instead.
      let failStart: (error: Error) => void = () => undefined;
      const stoppedForGood = new Promise<never>((_, reject) => (failStart = reject));
      stoppedForGood.catch(() => undefined);
      try {
        if (log.replay) await replayEach(log.replay.bind(log), targets);
        if (replays.signal.aborted) throw new Error(`the ${name} projector was stopped during its replay`);
        // All at once: on Kafka each waits for its consumer to join a group, tens to hundreds of ms.
        const opened = await Promise.allSettled(
          [...topics].map((topic) =>
            log.follow(topic, {
              from: applied[topic],
              onBatch,
              onError: (error) => {
                logger.error({ projector: name, topic, err: error }, 'follower stopped');
                if (!ready)
                  failStart(new Error(`the ${name} projector could not read ${topic}: ${error.message}`, { cause: error }));
              },
            }),
          ),
        );
        for (const result of opened) if (result.status === 'fulfilled') followers.push(result.value);
        const failed = opened.find((result) => result.status === 'rejected');
        if (failed) throw failed.reason;
        await Promise.race([waitFor(targets, Number.MAX_SAFE_INTEGER), stoppedForGood]);
      } catch (error) {
        await Promise.all(followers.splice(0).map((follower) => follower.close()));
        throw error;
      } finally {
        clearInterval(progress);
      }
      projection.caughtUp?.();
      ready = true;
      const seconds = (Date.now() - startedAt) / 1000;
      replaySeconds = seconds;
      logger.info({ projector: name, events: total, seconds, ...counts }, `replayed ${total} events in ${seconds.toFixed(2)} s`);
      if (snapshotter) {
        // A long replay is not paid twice: the next start begins where this one ended.
        if (eventsHeld - eventsAtSnapshot >= (snapshots?.afterReplayEvents ?? SNAPSHOT_DEFAULTS.afterReplayEvents))
          void saveSnapshot();
        snapshotTimer = setInterval(() => void saveSnapshot(), snapshots?.everyMs ?? SNAPSHOT_DEFAULTS.everyMs);
        snapshotTimer.unref();
      }
    },

    isReady: () => ready,

    position: () => structuredClone(applied),

    waitFor,

    expect(eventId) {
      let cancel = (): void => {};
      const promise = new Promise<EventOutcome>((resolve) => {
        expectations.set(eventId, resolve);
        cancel = () => expectations.delete(eventId);
      });
      return { promise, cancel };
    },

    stats: () => ({ ...counts, byTopic: structuredClone(byTopic), ...(replaySeconds === undefined ? {} : { replaySeconds }) }),

    snapshotStats: () => snapshotter?.stats(),

    snapshot: () => saveSnapshot(),

    async stop() {
      clearInterval(snapshotTimer);
      replays.abort();
      const wasReady = ready;
      await Promise.all(followers.splice(0).map((follower) => follower.close()));
      // A graceful stop leaves a snapshot of everything applied, so the next start replays nothing;
      // at full speed, the one being saved as well: the stop waits for them.
      snapshotter?.hurry();
      if (wasReady) await saveSnapshot();
    },
  };
}

/** Convenience for projections: the current envelope, or the legacy record it came from. */
export type { Decoded, EventEnvelope };
