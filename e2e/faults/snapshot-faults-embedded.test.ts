import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll } from 'vitest';
import { createEmbeddedLog } from '@shop/event-core';
import { describeSnapshotFaults } from '../support/snapshot-faults.ts';

// Snapshot faults on the embedded log: its snapshot tables in the log's own SQLite file.

const dir = mkdtempSync(join(tmpdir(), 'shop-snapshot-faults-'));
const file = join(dir, 'events.sqlite');
/** A read-only connection of the test's own: WAL readers see every commit and never wait for a writer. */
let reader: Database.Database | undefined;
const read = <T>(sql: string, ...params: string[]): T => {
  reader ??= new Database(file, { readonly: true });
  return reader.prepare<string[], T>(sql).get(...params)!;
};
afterAll(() => {
  reader?.close();
  rmSync(dir, { recursive: true, force: true });
});

describeSnapshotFaults({
  name: 'the embedded log',
  openLog: () => createEmbeddedLog({ file }),
  env: () => ({ DATA_DIR: dir }),
  // Every chunk is a row of its own, inserted in a transaction of its own: row ids only grow.
  recordsPerAppend: 20_000,
  chunkMark: async (topicPrefix, model) =>
    read<{ mark: number }>(
      'SELECT coalesce(max(rowid), 0) AS mark FROM snapshot_chunks WHERE topic_prefix = ? AND model = ?',
      topicPrefix,
      model,
    ).mark,
  // A snapshot is complete once its row in `snapshots` is committed; chunks without one are a save not finished.
  unfinishedSaves: async (topicPrefix, model) =>
    read<{ saves: number }>(
      `SELECT count(DISTINCT c.id) AS saves FROM snapshot_chunks c
       WHERE c.topic_prefix = ? AND c.model = ?
         AND NOT EXISTS (SELECT 1 FROM snapshots s WHERE s.topic_prefix = c.topic_prefix AND s.model = c.model AND s.id = c.id)`,
      topicPrefix,
      model,
    ).saves,
});
