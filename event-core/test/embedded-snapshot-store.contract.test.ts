import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmbeddedLog } from '../src/log/embedded.ts';
import type { StoredSnapshot } from '../src/snapshot/store.ts';
import { describeSnapshotStoreContract } from '../src/testing/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'embedded-snapshots-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The ids of a model's snapshots that still hold rows in `file`, complete or not. */
function retainedIds(file: string, topicPrefix: string, model: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare<[string, string, string, string], { id: string }>(
        `SELECT id FROM snapshot_chunks WHERE topic_prefix = ? AND model = ?
         UNION SELECT id FROM snapshots WHERE topic_prefix = ? AND model = ?`,
      )
      .all(topicPrefix, model, topicPrefix, model)
      .map(({ id }) => id);
  } finally {
    db.close();
  }
}

describeSnapshotStoreContract('embedded', async () => {
  const file = join(dir, 'contract.sqlite');
  const log = createEmbeddedLog({ file });
  return {
    store: (topicPrefix) => log.snapshotStore!({ topicPrefix }),
    retainedIds: async (topicPrefix, model) => retainedIds(file, topicPrefix, model),
    // Every piece is written; the transaction that would make it complete fails after its insert
    // (as a process killed before its commit): SQLite rolls back the row and the removal of the
    // older snapshots with it.
    async saveCutShort(topicPrefix, snapshot) {
      const other = new Database(file);
      const trigger = `cut_${randomUUID().replaceAll('-', '')}`;
      other.exec(
        `CREATE TRIGGER ${trigger} AFTER INSERT ON snapshots WHEN NEW.id = '${snapshot.id}'
         BEGIN SELECT RAISE(ABORT, 'cut short by the test'); END`,
      );
      try {
        await expect(log.snapshotStore!({ topicPrefix }).save(snapshot)).rejects.toThrow(/not saved.*cut short by the test/);
      } finally {
        other.exec(`DROP TRIGGER ${trigger}`);
        other.close();
      }
    },
    close: () => log.close(),
  };
});

describe('embedded snapshot store', () => {
  const snapshot = (savedAtMs: number, text: string): StoredSnapshot => ({
    id: randomUUID(),
    model: 'orders',
    savedAtMs,
    bytes: Buffer.from(text),
  });

  it('keeps the previous snapshots, and never returns the new one, when its process is killed mid-save', async () => {
    /** Is the snapshot `id` complete in `file` (its row written)? */
    const complete = (file: string, id: string): boolean => {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare('SELECT 1 FROM snapshots WHERE id = ?').get(id) !== undefined;
      } finally {
        db.close();
      }
    };
    // A fast machine may finish the save before the lock below is taken: then the kill is not
    // mid-save, and the scenario runs again on a fresh file (it always caught the save at once so far).
    for (let attempt = 1; ; attempt++) {
      const file = join(dir, `killed-${attempt}.sqlite`);
      const log = createEmbeddedLog({ file });
      const store = log.snapshotStore!();
      await store.save(snapshot(1_000, 'first'));
      await store.save(snapshot(2_000, 'second'));

      const id = randomUUID();
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'event-core/test/fixtures/save-snapshot.ts', file, '', id, String(64 * 1024 * 1024)],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      // Once some of its pieces are stored, take the file's write lock: the child is stuck in the
      // middle of its save (waiting for the lock) when it is killed, whatever the machine's speed.
      const lock = new Database(file);
      const deadline = Date.now() + 30_000;
      while (!retainedIds(file, '', 'orders').includes(id)) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the child never began its save: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      lock.exec('BEGIN IMMEDIATE');
      // Holding the lock, nothing can complete the save any more: was it complete already?
      const tooLate = complete(file, id);
      child.kill('SIGKILL');
      const signal = await exited;
      lock.exec('ROLLBACK');
      lock.close();
      if (tooLate && attempt < 5) {
        await log.close();
        continue;
      }
      expect(tooLate).toBe(false);
      expect(signal).toBe('SIGKILL');
      expect(retainedIds(file, '', 'orders')).toContain(id);
      const restarted = createEmbeddedLog({ file });
      expect((await restarted.snapshotStore!().load('orders')).map((s) => s.bytes.toString())).toEqual(['second', 'first']);
      await Promise.all([log.close(), restarted.close()]);
      return;
    }
  }, 120_000);

  it('refuses every operation once its log is closed', async () => {
    const log = createEmbeddedLog({ file: ':memory:' });
    const store = log.snapshotStore!();
    await log.close();
    await expect(store.save(snapshot(1, 'x'))).rejects.toThrow(/closed/);
    await expect(store.load('orders')).rejects.toThrow(/closed/);
  });
});
