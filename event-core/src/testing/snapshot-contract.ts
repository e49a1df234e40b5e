import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEPT_SNAPSHOTS, type SnapshotStore, type StoredSnapshot } from '../snapshot/store.ts';

/** What the snapshot-store contract needs of an adapter, besides the store. */
export interface SnapshotStoreSubject {
  /** A store of the log under test, for topics named with `topicPrefix`. */
  store(topicPrefix: string): SnapshotStore;
  /**
   * The ids of the snapshots of `model` that still hold data in the log's storage, complete or
   * not: what has been neither deleted nor tombstoned.
   */
  retainedIds(topicPrefix: string, model: string): Promise<string[]>;
  /**
   * Saves `snapshot` as a process that dies part-way would: some of it is stored, and the step
   * that makes it complete never happens.
   */
  saveCutShort(topicPrefix: string, snapshot: StoredSnapshot): Promise<void>;
  close(): Promise<void>;
}

/** More than several chunks of the default size (512 KiB). */
const LARGE_BYTES = 3 * 1024 * 1024 + 12_345;

/**
 * The snapshot-store contract: what both adapters promise. `makeSubject` is called once per
 * suite; every test uses a topic prefix of its own, so the suite can run against a shared broker.
 */
export function describeSnapshotStoreContract(
  name: string,
  makeSubject: () => Promise<SnapshotStoreSubject>,
  { timeoutMs = 60_000 } = {},
): void {
  describe(`snapshot store contract: ${name}`, { timeout: timeoutMs }, () => {
    let subject: SnapshotStoreSubject;
    const prefix = (label: string): string => `snap-${label}-${randomUUID().slice(0, 8)}.`;
    let clock = Date.UTC(2025, 0, 1);
    const snapshot = (model: string, bytes: Buffer | string = randomBytes(64)): StoredSnapshot => ({
      id: randomUUID(),
      model,
      savedAtMs: (clock += 1_000),
      bytes: typeof bytes === 'string' ? Buffer.from(bytes) : bytes,
    });
    const summary = (snapshots: readonly StoredSnapshot[]) => snapshots.map(({ id, savedAtMs }) => ({ id, savedAtMs }));
    /** What a store must give back of a snapshot: all of it, however it kept the bytes. */
    const whole = (snapshots: readonly StoredSnapshot[]) =>
      snapshots.map(({ id, model, savedAtMs, bytes, pieces }) => {
        if (pieces) expect(Buffer.concat(pieces).equals(bytes)).toBe(true);
        return { id, model, savedAtMs, bytes: bytes.toString('base64') };
      });
    /** `load`, checking that `loadNewest` gives its first snapshot, byte for byte, or none when it has none. */
    const loadBoth = async (store: SnapshotStore, model: string): Promise<StoredSnapshot[]> => {
      const newest = await store.loadNewest(model);
      const all = await store.load(model);
      expect(whole(newest ? [newest] : [])).toEqual(whole(all.slice(0, 1)));
      return all;
    };

    beforeAll(async () => {
      subject = await makeSubject();
    }, 180_000);
    afterAll(async () => {
      await subject?.close();
    });

    it('loads nothing for a model that has no snapshot', async () => {
      expect(await loadBoth(subject.store(prefix('none')), 'orders')).toEqual([]);
    });

    it('gives back a small snapshot byte for byte, with its id, model and time', async () => {
      const store = subject.store(prefix('small'));
      const saved = snapshot('orders', 'a small state');
      await store.save(saved);
      expect(whole(await loadBoth(store, 'orders'))).toEqual(whole([saved]));
    });

    it('gives back an empty snapshot', async () => {
      const store = subject.store(prefix('empty'));
      const saved = snapshot('orders', Buffer.alloc(0));
      await store.save(saved);
      const [loaded] = await loadBoth(store, 'orders');
      expect(loaded?.id).toBe(saved.id);
      expect(loaded?.bytes.length).toBe(0);
    });

    it('gives back a multi-megabyte snapshot, stored in several pieces, byte for byte', async () => {
      const store = subject.store(prefix('large'));
      const saved = snapshot('orders', randomBytes(LARGE_BYTES));
      await store.save(saved);
      const [loaded] = await loadBoth(store, 'orders');
      expect(loaded?.id).toBe(saved.id);
      expect(loaded?.bytes.length).toBe(LARGE_BYTES);
      expect(loaded?.bytes.equals(saved.bytes)).toBe(true);
    });

    it('is found by a store made afterwards, as a brand-new instance would', async () => {
      const topicPrefix = prefix('fresh');
      const saved = snapshot('orders');
      await subject.store(topicPrefix).save(saved);
      expect(summary(await loadBoth(subject.store(topicPrefix), 'orders'))).toEqual(summary([saved]));
    });

    it(`returns the newest first, at most ${KEPT_SNAPSHOTS}`, async () => {
      const store = subject.store(prefix('newest'));
      const saved = [];
      for (let i = 0; i < KEPT_SNAPSHOTS + 2; i++) {
        saved.push(snapshot('orders', `state ${i}`));
        await store.save(saved[i]!);
      }
      const loaded = await loadBoth(store, 'orders');
      expect(summary(loaded)).toEqual(summary(saved.slice(-KEPT_SNAPSHOTS).reverse()));
      expect(loaded.map((s) => s.bytes.toString())).toEqual(
        saved
          .slice(-KEPT_SNAPSHOTS)
          .reverse()
          .map((s) => s.bytes.toString()),
      );
    });

    it('orders by the time a snapshot was taken, not by when it was saved', async () => {
      const store = subject.store(prefix('order'));
      const older = snapshot('orders');
      const newer = snapshot('orders');
      await store.save(newer);
      await store.save(older);
      expect(summary(await loadBoth(store, 'orders'))).toEqual(summary([newer, older]));
    });

    it('never returns a snapshot whose save was cut short, and keeps the ones before it', async () => {
      const topicPrefix = prefix('cut');
      const store = subject.store(topicPrefix);
      const first = snapshot('orders', 'first');
      const second = snapshot('orders', 'second');
      await store.save(first);
      await store.save(second);
      const cut = snapshot('orders', randomBytes(LARGE_BYTES));
      await subject.saveCutShort(topicPrefix, cut);

      expect(summary(await loadBoth(store, 'orders'))).toEqual(summary([second, first]));
      expect(summary(await loadBoth(subject.store(topicPrefix), 'orders'))).toEqual(summary([second, first]));
      const third = snapshot('orders', 'third');
      await store.save(third);
      expect(summary(await loadBoth(store, 'orders'))).toEqual(summary([third, second]));
    });

    it('removes what is left of a save cut short once newer snapshots are kept', async () => {
      const topicPrefix = prefix('leftover');
      const store = subject.store(topicPrefix);
      await store.save(snapshot('orders'));
      const cut = snapshot('orders', randomBytes(LARGE_BYTES));
      await subject.saveCutShort(topicPrefix, cut);
      expect(await subject.retainedIds(topicPrefix, 'orders')).toContain(cut.id);
      // A brand-new instance: it learns of the leftover when it loads at its start.
      const restarted = subject.store(topicPrefix);
      await loadBoth(restarted, 'orders');
      const newer = [snapshot('orders'), snapshot('orders')];
      for (const saved of newer) await restarted.save(saved);
      expect((await subject.retainedIds(topicPrefix, 'orders')).sort()).toEqual(newer.map(({ id }) => id).sort());
    });

    it('does not grow with the number of saves: only the kept snapshots stay stored', async () => {
      const topicPrefix = prefix('bounded');
      const store = subject.store(topicPrefix);
      const saved = [];
      for (let i = 0; i < 12; i++) {
        saved.push(snapshot('orders', randomBytes(i % 3 === 0 ? 700 * 1024 : 100)));
        await store.save(saved[i]!);
      }
      const kept = saved.slice(-KEPT_SNAPSHOTS).map(({ id }) => id);
      expect((await subject.retainedIds(topicPrefix, 'orders')).sort()).toEqual([...kept].sort());
    });

    it('drops every snapshot of one model, and only of that model', async () => {
      const topicPrefix = prefix('drop');
      const store = subject.store(topicPrefix);
      await store.save(snapshot('orders', randomBytes(LARGE_BYTES)));
      await store.save(snapshot('orders'));
      const other = snapshot('people');
      await store.save(other);
      await store.drop('orders');
      expect(await loadBoth(store, 'orders')).toEqual([]);
      expect(await subject.retainedIds(topicPrefix, 'orders')).toEqual([]);
      expect(summary(await loadBoth(store, 'people'))).toEqual(summary([other]));
      const after = snapshot('orders');
      await store.save(after);
      expect(summary(await loadBoth(store, 'orders'))).toEqual(summary([after]));
    });

    it('drops nothing, without failing, when a model has no snapshot', async () => {
      const store = subject.store(prefix('drop-none'));
      await store.drop('orders');
      expect(await loadBoth(store, 'orders')).toEqual([]);
    });

    it('keeps models apart', async () => {
      const store = subject.store(prefix('models'));
      const orders = [snapshot('orders'), snapshot('orders'), snapshot('orders')];
      const people = snapshot('people');
      await store.save(orders[0]!);
      await store.save(people);
      await store.save(orders[1]!);
      await store.save(orders[2]!);
      expect(summary(await loadBoth(store, 'orders'))).toEqual(summary([orders[2]!, orders[1]!]));
      expect(summary(await loadBoth(store, 'people'))).toEqual(summary([people]));
    });

    it('keeps topic prefixes apart', async () => {
      const one = subject.store(prefix('one'));
      const two = subject.store(prefix('two'));
      const mine = snapshot('orders');
      const theirs = snapshot('orders');
      await one.save(mine);
      await two.save(theirs);
      await two.save(snapshot('orders'));
      await two.save(snapshot('orders'));
      await two.drop('orders');
      expect(summary(await loadBoth(one, 'orders'))).toEqual(summary([mine]));
      expect(await loadBoth(two, 'orders')).toEqual([]);
    });

    it('refuses a model name that cannot name a topic, saying what is allowed', async () => {
      const store = subject.store(prefix('names'));
      await expect(store.save(snapshot('orders/2'))).rejects.toThrow(/letters, digits/);
      await expect(store.load('')).rejects.toThrow(/letters, digits/);
      await expect(store.loadNewest('')).rejects.toThrow(/letters, digits/);
    });
  });
}
