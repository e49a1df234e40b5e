import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { EventEmitter } from 'node:events';
import Database from 'better-sqlite3';
import { createEmbeddedSnapshotStore } from '../snapshot/embedded-store.ts';
import { partitionFor } from './partitioner.ts';
import {
  LogDamagedError,
  LogUnavailableError,
  type AppendResult,
  type EventLog,
  type FollowOptions,
  type Follower,
  type LogRecord,
  type OutgoingRecord,
  type PartitionOffsets,
  type TopicSpec,
} from './port.ts';

export interface EmbeddedLogOptions {
  /** SQLite file; `:memory:` for a throw-away log. */
  readonly file: string;
  /**
   * How often followers look for records appended by another process, in ms. Records appended
   * through this instance are delivered at once; polling only covers other writers. Default 250.
   */
  readonly pollIntervalMs?: number;
  /** Most records handed to a follower's `onBatch` at once. Default 2000. */
  readonly maxBatchSize?: number;
}

interface Row {
  partition: number;
  offset: number;
  key: string | null;
  value: Buffer | null;
  headers: string;
  timestamp_ms: number;
}

interface PendingAppend {
  readonly topic: string;
  readonly records: readonly OutgoingRecord[];
  readonly resolve: (results: AppendResult[]) => void;
  readonly reject: (error: Error) => void;
}

/**
 * The embedded event log: a durable, crash-safe stand-in for Kafka topic partitions in one SQLite
 * file (WAL, `synchronous=FULL`: an acknowledged append survives `kill -9` and power loss).
 *
 * Appends made in the same tick are committed in one transaction (group commit), so concurrent
 * mutations share one fsync. Several processes may open the same file; `BEGIN IMMEDIATE` serializes
 * their writers and followers poll for records written elsewhere.
 */
export function createEmbeddedLog({ file, pollIntervalMs = 250, maxBatchSize = 2000 }: EmbeddedLogOptions): EventLog {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  /** An SQLite error, said as what it means for the log when the file is damaged. */
  const explained = (error: unknown): Error => {
    const code = String((error as { code?: unknown }).code ?? '');
    if (code !== 'SQLITE_CORRUPT' && code !== 'SQLITE_NOTADB') return error as Error;
    return new LogDamagedError(
      `the embedded event log ${file} is damaged (${(error as Error).message}): restore it from a backup, or move it away to start with an empty log`,
      { cause: error },
    );
  };
  let db: Database.Database;
  try {
    db = openDatabase(file);
  } catch (error) {
    throw explained(error);
  }
  return embeddedLogOn(db, { pollIntervalMs, maxBatchSize, explained });
}

function openDatabase(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec(`
    CREATE TABLE IF NOT EXISTS topics (
      name TEXT PRIMARY KEY,
      partitions INTEGER NOT NULL,
      config TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS records (
      topic TEXT NOT NULL,
      partition INTEGER NOT NULL,
      offset INTEGER NOT NULL,
      key TEXT,
      value BLOB,
      headers TEXT NOT NULL,
      timestamp_ms INTEGER NOT NULL,
      PRIMARY KEY (topic, partition, offset)
    ) WITHOUT ROWID;
  `);
  return db;
}

function embeddedLogOn(
  db: Database.Database,
  {
    pollIntervalMs,
    maxBatchSize,
    explained,
  }: { readonly pollIntervalMs: number; readonly maxBatchSize: number; readonly explained: (error: unknown) => Error },
): EventLog {
  const insertTopic = db.prepare('INSERT OR IGNORE INTO topics (name, partitions, config) VALUES (?, ?, ?)');
  const selectTopic = db.prepare<[string], { partitions: number }>('SELECT partitions FROM topics WHERE name = ?');
  const selectNext = db.prepare<[string, number], { next: number | null }>(
    'SELECT MAX(offset) + 1 AS next FROM records WHERE topic = ? AND partition = ?',
  );
  const insertRecord = db.prepare(
    'INSERT INTO records (topic, partition, offset, key, value, headers, timestamp_ms) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const selectRange = db.prepare<[string, number, number, number], Row>(
    `SELECT partition, offset, key, value, headers, timestamp_ms FROM records
     WHERE topic = ? AND partition = ? AND offset >= ? ORDER BY offset LIMIT ?`,
  );

  const selectOne = db.prepare<[string, number, number], Row>(
    `SELECT partition, offset, key, value, headers, timestamp_ms FROM records WHERE topic = ? AND partition = ? AND offset = ?`,
  );

  const appended = new EventEmitter().setMaxListeners(0);
  let closed = false;
  let pending: PendingAppend[] = [];
  const followers = new Set<Follower>();

  const partitionsOf = (topic: string): number => {
    const row = selectTopic.get(topic);
    if (!row) throw new Error(`topic "${topic}" does not exist: provision it first`);
    return row.partitions;
  };

  // One transaction for every append queued in this tick: one fsync however many callers.
  const commitGroup = db.transaction((batch: PendingAppend[]) => {
    const now = Date.now();
    const next = new Map<string, number>();
    return batch.map(({ topic, records }) => {
      const partitions = partitionsOf(topic);
      return records.map((record) => {
        const partition = partitionFor(record.key, partitions);
        const slot = `${topic}\u0000${partition}`;
        const offset = next.get(slot) ?? selectNext.get(topic, partition)?.next ?? 0;
        next.set(slot, offset + 1);
        const value = typeof record.value === 'string' ? Buffer.from(record.value, 'utf8') : record.value;
        insertRecord.run(topic, partition, offset, record.key, value, JSON.stringify(record.headers ?? {}), now);
        return { topic, partition, offset };
      });
    });
  });
  // IMMEDIATE takes the write lock up front, so two processes never compute the same offset.
  const commit = (batch: PendingAppend[]): AppendResult[][] => commitGroup.immediate(batch);

  const flush = (): void => {
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    try {
      const results = commit(batch);
      batch.forEach((entry, i) => entry.resolve(results[i]!));
      for (const topic of new Set(batch.map((entry) => entry.topic))) appended.emit(topic);
    } catch (error) {
      // A failed group fails every caller in it: SQLite rolled the transaction back, so none of
      // their records was stored (busy past busy_timeout, disk full). An I/O error while
      // committing is the exception: SQLite cannot say whether the commit reached the disk.
      const code = String((error as { code?: unknown }).code ?? '');
      const failure = new LogUnavailableError(`the embedded log could not store the append: ${(error as Error).message}`, {
        cause: error,
        notStored: !code.startsWith('SQLITE_IOERR'),
      });
      for (const entry of batch) entry.reject(failure);
    }
  };

  const ensureOpen = (): void => {
    // Nothing is taken once closed, so an append refused here was not stored.
    if (closed) throw new LogUnavailableError('the embedded log is closed', { notStored: true });
  };

  const highWaterMarks = (topic: string): PartitionOffsets => {
    const marks: Record<number, number> = {};
    for (let partition = 0; partition < partitionsOf(topic); partition++) {
      marks[partition] = selectNext.get(topic, partition)?.next ?? 0;
    }
    return marks;
  };

  const toRecord = (topic: string, row: Row): LogRecord => ({
    topic,
    partition: row.partition,
    offset: row.offset,
    key: row.key,
    value: row.value,
    headers: headersOf(row.headers),
    timestampMs: row.timestamp_ms,
  });

  return {
    kind: 'embedded',

    async provision(topics: readonly TopicSpec[]) {
      ensureOpen();
      for (const spec of topics) {
        insertTopic.run(spec.topic, spec.partitions ?? 1, JSON.stringify(spec.config ?? {}));
      }
    },

    append(topic, records) {
      try {
        ensureOpen();
        partitionsOf(topic);
      } catch (error) {
        return Promise.reject(error as Error);
      }
      return new Promise<AppendResult[]>((resolve, reject) => {
        if (pending.length === 0) setImmediate(flush);
        pending.push({ topic, records, resolve, reject });
      });
    },

    async highWaterMarks(topic) {
      ensureOpen();
      try {
        return highWaterMarks(topic);
      } catch (error) {
        throw explained(error);
      }
    },

    async follow(topic: string, { from = {}, onBatch, onError }: FollowOptions) {
      ensureOpen();
      const partitions = partitionsOf(topic);
      const next: number[] = Array.from({ length: partitions }, (_, p) => from[p] ?? 0);
      let stopped = false;
      let running: Promise<void> | undefined;
      let again = false;

      const drain = async (): Promise<void> => {
        let delivered = true;
        while (delivered && !stopped && !closed) {
          delivered = false;
          for (let partition = 0; partition < partitions && !stopped; partition++) {
            const rows = selectRange.all(topic, partition, next[partition]!, maxBatchSize);
            if (rows.length === 0) continue;
            next[partition] = rows[rows.length - 1]!.offset + 1;
            delivered = true;
            await onBatch(rows.map((row) => toRecord(topic, row)));
          }
        }
      };

      // One drain at a time; a wake-up during a drain schedules one more pass.
      const wake = (): void => {
        if (stopped || closed) return;
        if (running) {
          again = true;
          return;
        }
        running = drain()
          .catch((error: unknown) => {
            stopped = true;
            onError?.(explained(error));
          })
          .finally(() => {
            running = undefined;
            if (again) {
              again = false;
              wake();
            }
          });
      };

      appended.on(topic, wake);
      const poll = setInterval(wake, pollIntervalMs);
      poll.unref();
      wake();

      const follower: Follower = {
        async close() {
          stopped = true;
          clearInterval(poll);
          appended.off(topic, wake);
          followers.delete(follower);
          await running;
        },
      };
      followers.add(follower);
      return follower;
    },

    async read(topic, partition, offsets) {
      ensureOpen();
      partitionsOf(topic);
      // Point lookups on the primary key: a few microseconds each, however long the topic.
      const wanted = [...new Set(offsets)].sort((a, b) => a - b);
      const records: LogRecord[] = [];
      for (const offset of wanted) {
        const row = selectOne.get(topic, partition, offset);
        if (row) records.push(toRecord(topic, row));
      }
      return records;
    },

    async healthy() {
      return !closed;
    },

    snapshotStore(options = {}) {
      ensureOpen();
      return createEmbeddedSnapshotStore(db, { ...options, isClosed: () => closed, explained });
    },

    async close() {
      if (closed) return;
      flush();
      await Promise.all([...followers].map((follower) => follower.close()));
      closed = true;
      db.close();
    },
  };
}

/**
 * A record's headers. They only describe the value (content type, event type, trace context), so
 * a damaged headers column costs the record its headers, not the record: a damaged value is the
 * decoder's to find, and goes the bad-record path like any other.
 */
function headersOf(column: string): Record<string, string> {
  try {
    const headers = JSON.parse(column) as unknown;
    if (headers !== null && typeof headers === 'object' && !Array.isArray(headers)) {
      return Object.fromEntries(
        Object.entries(headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
      );
    }
  } catch {
    // Damaged: see above.
  }
  return {};
}
