import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.ts';
import type { EventLog, LogRecord } from '../log/port.ts';
import type { Position } from '../position.ts';
import {
  decodeSnapshot,
  encodeSnapshot,
  fingerprintOf,
  SnapshotError,
  type RecordFingerprint,
  type SnapshotHeader,
  type SnapshotProblem,
} from './format.ts';
import { createPacer, type Pacer } from './pacer.ts';
import type { SnapshotStore, StoredSnapshot } from './store.ts';

/** A read model that can be saved as a snapshot and started from one. */
export interface Snapshottable {
  /** The model's name in the store (`purchases`); one per read model, whatever its instances. */
  readonly snapshotModel: string;
  /** The version of its state's shape: raise it when `toSnapshot` changes, and older snapshots are ignored. */
  readonly snapshotVersion: number;
  /** The state as plain data, copied: it must not change when the model goes on applying events. */
  toSnapshot(): unknown;
  /** Takes a snapshot's state into this new, empty model. */
  restore(state: unknown): void;
}

export const isSnapshottable = (value: object): value is Snapshottable =>
  'snapshotModel' in value && 'toSnapshot' in value && 'restore' in value;

/** When snapshots are written (see docs/snapshots.md for the defaults and why). */
export interface SnapshotSettings {
  readonly store: SnapshotStore;
  /** After this many events applied since the last snapshot. Default 100,000. */
  readonly everyEvents?: number;
  /** After this long with events applied since the last snapshot, in ms. Default 10 minutes. */
  readonly everyMs?: number;
  /** Right after a replay at start that applied at least this many events. Default 10,000. */
  readonly afterReplayEvents?: number;
  /**
   * The share of the thread's time a snapshot's encoding and writing may take while the service
   * works, from 0 (exclusive) to 1 (as fast as it can). Default 0.1: a snapshot takes about ten
   * times its own work to be stored, and writes and reads keep most of the CPU meanwhile. A
   * graceful stop saves at full speed.
   */
  readonly cpuShare?: number;
}

export const SNAPSHOT_DEFAULTS = {
  everyEvents: 100_000,
  everyMs: 10 * 60_000,
  afterReplayEvents: 10_000,
  cpuShare: 0.1,
} as const;

/** What the projector knows of where it stands when it takes a snapshot. */
export interface SnapshotPoint {
  readonly positions: Position;
  /** The last record applied per topic and partition. */
  readonly lastRecords: Readonly<Record<string, Readonly<Record<number, Pick<LogRecord, 'key' | 'value'>>>>>;
  readonly events: number;
}

export interface SnapshotStats {
  /** The snapshot this instance started from, if any. */
  readonly startedFrom?: { readonly createdAt: string; readonly events: number; readonly positions: Position };
  /** The last snapshot this instance wrote. */
  readonly last?: {
    readonly savedAtMs: number;
    readonly bytes: number;
    /** From capture to stored, in ms. */
    readonly durationMs: number;
    /** The part that held the event loop: taking the state's copy, in ms. */
    readonly captureMs: number;
    /**
     * The CPU time of that part, in ms: on a busy machine the thread can wait for a core in the
     * middle of it, and `captureMs` counts the wait too. (The process's CPU: other threads' work
     * in the same moment counts as well.)
     */
    readonly captureCpuMs: number;
    readonly positions: Position;
  };
  /** Stored snapshots that were not used, by why. */
  readonly ignored: Readonly<Record<SnapshotProblem, number>>;
  readonly failedSaves: number;
}

/**
 * Loads and saves the snapshots of one read model. Loading checks everything before the model is
 * touched: the container format, the checksum, the model's state version, and that the log still
 * holds the records the snapshot was taken after (a topic deleted and created again holds others,
 * or fewer). A snapshot that fails any check is logged, counted, and the next older one tried; with
 * none left, the projector replays from the start. Saving copies the state synchronously (the only
 * part that holds the event loop), then encodes and stores it in the background.
 */
export class Snapshotter {
  private saving: Promise<void> | undefined;
  /** The pace of the snapshot being saved. */
  private pace: Pacer | undefined;
  /** Saves go at full speed from now on (the service is stopping). */
  private hurried = false;
  private readonly ignored: Record<SnapshotProblem, number> = { corrupt: 0, format: 0, model: 0, topics: 0 };
  private failedSaves = 0;
  private startedFrom: SnapshotStats['startedFrom'];
  private last: SnapshotStats['last'];

  constructor(
    private readonly name: string,
    private readonly log: EventLog,
    private readonly model: Snapshottable,
    readonly settings: SnapshotSettings,
    private readonly logger: Logger,
  ) {}

  /**
   * Restores the newest usable snapshot into the model; returns where it stands, or undefined when
   * there is none to use (the model is untouched then).
   */
  async load(): Promise<{ readonly positions: Position; readonly events: number } | undefined> {
    const candidates = this.candidates();
    for (;;) {
      let snapshot: StoredSnapshot | undefined;
      try {
        snapshot = (await candidates.next()).value;
      } catch (error) {
        this.logger.warn({ projector: this.name, err: error }, 'could not read the snapshots; replaying from the start');
        return undefined;
      }
      if (!snapshot) return undefined;
      let decoded: { header: SnapshotHeader; state: unknown };
      try {
        decoded = decodeSnapshot(snapshot.pieces ?? snapshot.bytes);
        this.checkModel(decoded.header);
        await this.checkTopics(decoded.header);
      } catch (error) {
        if (!(error instanceof SnapshotError)) throw error;
        this.ignored[error.problem]++;
        this.logger.warn(
          { projector: this.name, snapshot: snapshot.id, problem: error.problem, reason: error.message },
          `ignored a snapshot: ${error.message}`,
        );
        continue;
      }
      const { header, state } = decoded;
      const startedAt = Date.now();
      try {
        this.model.restore(state);
      } catch (error) {
        // The model may hold part of the state now: it cannot go on. The snapshot passed every
        // check, so this is a defect of the model's restore; drop the snapshots so that the
        // restart replays from the log instead of failing the same way again (no crash loop).
        await this.settings.store.drop(this.model.snapshotModel).catch(() => undefined);
        throw new Error(
          `the ${this.name} read model could not take its snapshot (${(error as Error).message}); the snapshots were dropped, restart to replay from the log`,
          { cause: error },
        );
      }
      this.startedFrom = { createdAt: header.createdAt, events: header.events, positions: header.positions };
      this.logger.info(
        {
          projector: this.name,
          snapshot: snapshot.id,
          events: header.events,
          createdAt: header.createdAt,
          restoreMs: Date.now() - startedAt,
        },
        `started from a snapshot of ${header.events} events taken ${header.createdAt}`,
      );
      return { positions: header.positions, events: header.events };
    }
  }

  /**
   * The stored snapshots to try, newest first: the newest alone (the store reads no other), then,
   * only if that one is refused, the others that `load` lists.
   */
  private async *candidates(): AsyncGenerator<StoredSnapshot, undefined> {
    const { store } = this.settings;
    const newest = await store.loadNewest(this.model.snapshotModel);
    if (!newest) return undefined;
    yield newest;
    for (const snapshot of await store.load(this.model.snapshotModel)) if (snapshot.id !== newest.id) yield snapshot;
    return undefined;
  }

  /**
   * Takes a snapshot at `point` (what the model has applied right now) and stores it in the
   * background; resolves once it is stored or has failed (logged and counted). At most one at a
   * time: a request while one is being saved gets that one.
   */
  save(point: SnapshotPoint): Promise<void> {
    if (this.saving) return this.saving;
    const startedAt = performance.now();
    const cpuAtStart = process.cpuUsage();
    const state = this.model.toSnapshot();
    const fingerprints: Record<string, Record<number, RecordFingerprint>> = {};
    for (const [topic, partitions] of Object.entries(point.lastRecords)) {
      fingerprints[topic] = {};
      for (const [partition, record] of Object.entries(partitions))
        fingerprints[topic][Number(partition)] = fingerprintOf(record.key, record.value);
    }
    const captureMs = performance.now() - startedAt;
    const { user, system } = process.cpuUsage(cpuAtStart);
    const captureCpuMs = (user + system) / 1000;
    const positions = structuredClone(point.positions);
    const pace = (this.pace = createPacer(this.hurried ? 1 : (this.settings.cpuShare ?? SNAPSHOT_DEFAULTS.cpuShare)));
    const run = async () => {
      try {
        const bytes = await encodeSnapshot(
          {
            model: this.model.snapshotModel,
            modelVersion: this.model.snapshotVersion,
            positions,
            fingerprints,
            events: point.events,
            createdAt: new Date().toISOString(),
          },
          state,
          pace,
        );
        const savedAtMs = Date.now();
        await this.settings.store.save({ id: randomUUID(), model: this.model.snapshotModel, savedAtMs, bytes }, { pace });
        this.last = {
          savedAtMs,
          bytes: bytes.length,
          durationMs: performance.now() - startedAt,
          captureMs,
          captureCpuMs,
          positions,
        };
        this.logger.info(
          {
            projector: this.name,
            events: point.events,
            bytes: bytes.length,
            durationMs: Math.round(this.last.durationMs),
            captureMs: Math.round(captureMs),
          },
          `saved a snapshot of ${point.events} events`,
        );
      } catch (error) {
        this.failedSaves++;
        this.logger.warn({ projector: this.name, err: error }, 'could not save a snapshot; the next one will try again');
      } finally {
        this.saving = undefined;
        this.pace = undefined;
      }
    };
    this.saving = run();
    return this.saving;
  }

  /** The snapshot being saved, if any, and every later one go at full speed: someone waits for them. */
  hurry(): void {
    this.hurried = true;
    this.pace?.hurry();
  }

  /** Resolves once the snapshot being saved, if any, is stored (or has failed). */
  async settled(): Promise<void> {
    await this.saving;
  }

  stats(): SnapshotStats {
    return {
      ...(this.startedFrom ? { startedFrom: this.startedFrom } : {}),
      ...(this.last ? { last: this.last } : {}),
      ignored: { ...this.ignored },
      failedSaves: this.failedSaves,
    };
  }

  private checkModel(header: SnapshotHeader): void {
    if (header.model !== this.model.snapshotModel || header.modelVersion !== this.model.snapshotVersion) {
      throw new SnapshotError(
        'model',
        `it holds ${header.model} state version ${header.modelVersion}, this version keeps ${this.model.snapshotModel} version ${this.model.snapshotVersion}`,
      );
    }
  }

  /** The log must still hold, at each partition's position, the record the snapshot was taken after. */
  private async checkTopics(header: SnapshotHeader): Promise<void> {
    for (const [topic, partitions] of Object.entries(header.positions)) {
      const marks = await this.log.highWaterMarks(topic);
      for (const [p, next] of Object.entries(partitions)) {
        const partition = Number(p);
        if (next === 0) continue;
        if ((marks[partition] ?? 0) < next) {
          throw new SnapshotError(
            'topics',
            `${topic} partition ${partition} ends at ${marks[partition] ?? 0}, the snapshot was taken at ${next}: the topic was recreated`,
          );
        }
        const expected = header.fingerprints[topic]?.[partition];
        const [record] = await this.log.read(topic, partition, [next - 1]);
        // A record compaction has removed since cannot be compared: the high-water mark is all there is.
        if (!record || !expected) continue;
        const found = fingerprintOf(record.key, record.value);
        if (found.key !== expected.key || found.sha256 !== expected.sha256) {
          throw new SnapshotError(
            'topics',
            `${topic} partition ${partition} holds another record at offset ${next - 1} than when the snapshot was taken: the topic was recreated`,
          );
        }
      }
    }
  }
}
