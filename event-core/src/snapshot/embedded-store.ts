/**
 * The embedded log's adapter of the snapshot-store port: two tables of the log's own SQLite file,
 * on the log's own connection (WAL, `synchronous=FULL`), created when missing.
 *
 * - `snapshot_chunks` holds each snapshot's bytes in pieces of at most `maxChunkBytes`, each
 *   written in a short transaction of its own. better-sqlite3 is synchronous: a 200 MB snapshot
 *   written in one transaction would stop the event loop, and hold the file's write lock (every
 *   other process's appends) for seconds; piece by piece, with the event loop turning in between,
 *   each step takes a few milliseconds.
 * - `snapshots` holds one row per complete snapshot. One transaction inserts it and deletes the
 *   rows of the snapshots older than the newest {@link KEPT_SNAPSHOTS}: that is the moment a
 *   snapshot becomes complete, and older ones stop being returned, all at once. A process killed
 *   before it commits leaves the previous snapshots as they were and the new one absent (its
 *   pieces, without a row, are never read).
 * - After that commit, the pieces of snapshots older than the oldest one kept (removed ones, and
 *   leftovers of saves cut short) are deleted a few at a time; a crash meanwhile leaves them for
 *   the next save.
 *
 * A load checks every piece of a snapshot against its row (count and size) before it returns it,
 * since another process's `drop` or clean-up may remove pieces of a save it has not committed yet.
 */
import type Database from 'better-sqlite3';
import { LogUnavailableError } from '../log/port.ts';
import {
  checkSnapshotModel,
  KEPT_SNAPSHOTS,
  loadedSnapshot,
  snapshotStoreSettings,
  type SnapshotStore,
  type SnapshotStoreOptions,
  type StoredSnapshot,
} from './store.ts';

/** What the embedded log hands its snapshot store, besides the store's own options. */
export interface EmbeddedSnapshotStoreSettings extends SnapshotStoreOptions {
  /** Whether the log is closed (its connection with it): a closed log's store refuses every operation. */
  readonly isClosed: () => boolean;
  /** The log's reading of an SQLite error (a damaged file says what to do). */
  readonly explained?: (error: unknown) => Error;
}

interface SnapshotRow {
  id: string;
  saved_at_ms: number;
  chunks: number;
  size_bytes: number;
}

/** Pieces deleted per clean-up transaction: a few MB at the default piece size. */
const CHUNKS_DELETED_PER_STEP = 8;

export function createEmbeddedSnapshotStore(
  db: Database.Database,
  { isClosed, explained = (error) => error as Error, ...options }: EmbeddedSnapshotStoreSettings,
): SnapshotStore {
  const { topicPrefix, maxChunkBytes } = snapshotStoreSettings(options);
  db.exec(`
    CREATE TABLE IF NOT EXISTS snapshot_chunks (
      topic_prefix TEXT NOT NULL,
      model TEXT NOT NULL,
      id TEXT NOT NULL,
      chunk INTEGER NOT NULL,
      saved_at_ms INTEGER NOT NULL,
      bytes BLOB NOT NULL,
      PRIMARY KEY (topic_prefix, model, id, chunk)
    );
    CREATE TABLE IF NOT EXISTS snapshots (
      topic_prefix TEXT NOT NULL,
      model TEXT NOT NULL,
      id TEXT NOT NULL,
      saved_at_ms INTEGER NOT NULL,
      chunks INTEGER NOT NULL,
      size_bytes INTEGER NOT NULL,
      PRIMARY KEY (topic_prefix, model, id)
    );
  `);
  const insertChunk = db.prepare(
    'INSERT OR REPLACE INTO snapshot_chunks (topic_prefix, model, id, chunk, saved_at_ms, bytes) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const insertSnapshot = db.prepare(
    'INSERT INTO snapshots (topic_prefix, model, id, saved_at_ms, chunks, size_bytes) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const selectSnapshots = db.prepare<[string, string], SnapshotRow>(
    `SELECT id, saved_at_ms, chunks, size_bytes FROM snapshots WHERE topic_prefix = ? AND model = ?
     ORDER BY saved_at_ms DESC, id DESC`,
  );
  const deleteOlderSnapshots = db.prepare(
    `DELETE FROM snapshots WHERE topic_prefix = ? AND model = ? AND (saved_at_ms < ? OR (saved_at_ms = ? AND id < ?))`,
  );
  const deleteSnapshots = db.prepare('DELETE FROM snapshots WHERE topic_prefix = ? AND model = ?');
  const deleteOlderChunks = db.prepare(
    `DELETE FROM snapshot_chunks WHERE rowid IN (
       SELECT rowid FROM snapshot_chunks WHERE topic_prefix = ? AND model = ? AND (saved_at_ms < ? OR (saved_at_ms = ? AND id < ?))
       LIMIT ${CHUNKS_DELETED_PER_STEP})`,
  );
  const deleteChunks = db.prepare(
    `DELETE FROM snapshot_chunks WHERE rowid IN (
       SELECT rowid FROM snapshot_chunks WHERE topic_prefix = ? AND model = ? LIMIT ${CHUNKS_DELETED_PER_STEP})`,
  );
  const selectChunk = db.prepare<[string, string, string, number], { bytes: Buffer }>(
    'SELECT bytes FROM snapshot_chunks WHERE topic_prefix = ? AND model = ? AND id = ? AND chunk = ?',
  );

  /** Runs one step on the log's connection: refused once the log is closed, SQLite's damage explained. */
  const step = <T>(run: () => T): T => {
    if (isClosed()) throw new LogUnavailableError('the embedded log is closed', { notStored: true });
    try {
      return run();
    } catch (error) {
      throw explained(error);
    }
  };

  // IMMEDIATE takes the write lock up front, as the log's appends do (no deadlock upgrading a read).
  const writeChunk = db.transaction((model: string, snapshot: StoredSnapshot, chunk: number) => {
    const start = chunk * maxChunkBytes;
    const bytes = snapshot.bytes.subarray(start, Math.min(snapshot.bytes.length, start + maxChunkBytes));
    insertChunk.run(topicPrefix, model, snapshot.id, chunk, snapshot.savedAtMs, bytes);
  });

  /** Makes `snapshot` complete and removes the rows of older ones beyond the kept; returns the oldest kept. */
  const commit = db.transaction((snapshot: StoredSnapshot, chunks: number): SnapshotRow | undefined => {
    insertSnapshot.run(topicPrefix, snapshot.model, snapshot.id, snapshot.savedAtMs, chunks, snapshot.bytes.length);
    const boundary = selectSnapshots.all(topicPrefix, snapshot.model)[KEPT_SNAPSHOTS - 1];
    if (boundary) {
      deleteOlderSnapshots.run(topicPrefix, snapshot.model, boundary.saved_at_ms, boundary.saved_at_ms, boundary.id);
    }
    return boundary;
  });

  /** Deletes pieces a few at a time, the event loop turning in between, until `deleteSome` finds none. */
  const deleteInSteps = async (deleteSome: () => number): Promise<void> => {
    while (step(deleteSome) > 0) await turn();
  };

  return {
    async save(snapshot, { pace = turn } = {}) {
      const { model } = snapshot;
      checkSnapshotModel(model);
      const chunks = Math.max(1, Math.ceil(snapshot.bytes.length / maxChunkBytes));
      let boundary: SnapshotRow | undefined;
      try {
        for (let chunk = 0; chunk < chunks; chunk++) {
          step(() => writeChunk.immediate(model, snapshot, chunk));
          await pace();
        }
        boundary = step(() => commit.immediate(snapshot, chunks));
      } catch (error) {
        throw unstored(error, `the snapshot ${snapshot.id} of ${model} was not saved`);
      }
      if (!boundary) return;
      const { saved_at_ms: savedAtMs, id } = boundary;
      // Saved: a failed clean-up leaves pieces no row points to, for the next save to delete.
      await deleteInSteps(() => deleteOlderChunks.run(topicPrefix, model, savedAtMs, savedAtMs, id).changes).catch(
        () => undefined,
      );
    },

    load: (model) => newestComplete(model, KEPT_SNAPSHOTS),

    loadNewest: async (model) => (await newestComplete(model, 1))[0],

    async drop(model) {
      checkSnapshotModel(model);
      try {
        step(() => deleteSnapshots.run(topicPrefix, model));
        await deleteInSteps(() => deleteChunks.run(topicPrefix, model).changes);
      } catch (error) {
        throw unstored(error, `the snapshots of ${model} could not be dropped`);
      }
    },
  };

  /** The newest `count` complete snapshots of `model`, each read only once the ones before it are. */
  async function newestComplete(model: string, count: number): Promise<StoredSnapshot[]> {
    checkSnapshotModel(model);
    const found: StoredSnapshot[] = [];
    try {
      for (const row of step(() => selectSnapshots.all(topicPrefix, model))) {
        const pieces = await readChunks(model, row);
        if (pieces) found.push(loadedSnapshot({ id: row.id, model, savedAtMs: row.saved_at_ms }, pieces));
        if (found.length === count) break;
      }
    } catch (error) {
      throw unstored(error, `the snapshots of ${model} could not be read`);
    }
    return found;
  }

  /** A snapshot's pieces, or undefined when one is missing or the sizes disagree with its row. */
  async function readChunks(model: string, row: SnapshotRow): Promise<Buffer[] | undefined> {
    const pieces: Buffer[] = [];
    let size = 0;
    for (let chunk = 0; chunk < row.chunks; chunk++) {
      const piece = step(() => selectChunk.get(topicPrefix, model, row.id, chunk));
      if (!piece) return undefined;
      pieces.push(piece.bytes);
      size += piece.bytes.length;
      if (chunk + 1 < row.chunks) await turn();
    }
    return size === row.size_bytes ? pieces : undefined;
  }
}

/** Lets the event loop run (requests, applies, appends) between two steps. */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function unstored(error: unknown, what: string): Error {
  if (error instanceof LogUnavailableError) return error;
  return new LogUnavailableError(`${what}: ${(error as Error).message}`, { cause: error, notStored: true });
}
