import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DecodeError, encodeEvent, type Decoded } from '../src/codec.ts';
import { createEmbeddedLog } from '../src/log/embedded.ts';
import type { EventLog, LogRecord } from '../src/log/port.ts';
import { silentLogger } from '../src/logger.ts';
import { metricsText, registerProjectionMetrics } from '../src/metrics.ts';
import { applied, createProjector, type ApplyOutcome, type Projection, type Projector } from '../src/projector.ts';
import { decodeSnapshot, encodeSnapshot, readSnapshotHeader } from '../src/snapshot/format.ts';
import type { Snapshottable } from '../src/snapshot/snapshotter.ts';
import type { SnapshotStore } from '../src/snapshot/store.ts';

const A = 'snap.a';
const B = 'snap.b';
const dir = mkdtempSync(join(tmpdir(), 'shop-snapshots-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** Sums the numbers of each entity and keeps the order events came in: enough to tell any two states apart. */
class Tally implements Projection, Snapshottable {
  readonly topics = [A, B];
  readonly snapshotModel = 'tally';
  snapshotVersion = 1;
  sums = new Map<string, number>();
  seen: string[] = [];
  restores = 0;
  failRestore = false;

  apply(_topic: string, decoded: Decoded, _record: LogRecord): ApplyOutcome {
    if (decoded.format !== 'envelope') throw new DecodeError('no legacy records here');
    const { entityId, data } = decoded.event;
    this.sums.set(entityId, (this.sums.get(entityId) ?? 0) + (data as { n: number }).n);
    this.seen.push(decoded.event.id);
    return applied(entityId);
  }

  toSnapshot() {
    // Large enough to be written in several parts.
    return { sums: [...this.sums], seen: this.seen.slice() };
  }

  restore(state: unknown): void {
    this.restores++;
    const { sums, seen } = state as { sums: [string, number][]; seen: string[] };
    this.sums = new Map(sums);
    if (this.failRestore) throw new Error('a defect in restore');
    this.seen = seen;
  }
}

let events = 0;
async function write(log: EventLog, count: number, topic = A): Promise<void> {
  const records = Array.from({ length: count }, () => {
    const n = events++;
    return encodeEvent({
      id: `e${n}`,
      type: 'Counted',
      entityId: `x${n % 7}`,
      version: 1,
      occurredAt: new Date(0).toISOString(),
      data: { n },
      meta: {},
    });
  });
  await log.append(topic, records);
}

async function started(
  log: EventLog,
  store: SnapshotStore,
  model = new Tally(),
  everyEvents = 1_000_000,
): Promise<{ model: Tally; projector: Projector }> {
  const projector = createProjector({
    name: 'tally',
    log,
    projection: model,
    logger: silentLogger,
    snapshots: { store, everyEvents },
  });
  await projector.start();
  return { model, projector };
}

async function caughtUp(log: EventLog, projector: Projector): Promise<void> {
  await projector.waitFor({ [A]: await log.highWaterMarks(A), [B]: await log.highWaterMarks(B) }, 60_000);
}

/** A log with both topics, and its snapshot store. */
async function freshLog(): Promise<{ log: EventLog; store: SnapshotStore; file: string }> {
  const file = join(dir, `events-${files++}.sqlite`);
  const log = createEmbeddedLog({ file });
  await log.provision([{ topic: A, partitions: 2 }, { topic: B }]);
  return { log, store: log.snapshotStore!({ topicPrefix: 'snap.' }), file };
}

/** The state a full replay of `log` gives. */
async function replayed(log: EventLog): Promise<Tally> {
  const model = new Tally();
  const projector = createProjector({ name: 'full', log, projection: model, logger: silentLogger });
  await projector.start();
  await projector.stop();
  return model;
}

describe('read-model snapshots', () => {
  it('starts from the snapshot a graceful stop saved, and replays only what came after it', async () => {
    const { log, store } = await freshLog();
    await write(log, 150_000);
    await write(log, 10, B);
    const first = await started(log, store);
    await first.projector.stop();
    expect(await store.load('tally')).toHaveLength(1);

    await write(log, 25);
    const second = await started(log, store);
    expect(second.model.restores).toBe(1);
    expect(second.projector.stats().applied).toBe(25);
    expect(second.projector.snapshotStats()?.startedFrom?.events).toBe(150_010);
    // Operators see where the snapshot stands, and once one is saved, its age, size and cost.
    const unregister = registerProjectionMetrics({ service: 'tally', projector: second.projector, log });
    await second.projector.snapshot();
    const { body } = await metricsText();
    unregister();
    expect(body).toMatch(/^shop_snapshot_offset\{service="tally",topic="snap.a",partition="\d"\} \d+/m);
    expect(body).toMatch(/^shop_snapshot_bytes\{service="tally"\} \d+/m);
    expect(body).toMatch(/^shop_snapshot_age_seconds\{service="tally"\} [\d.e-]+/m);
    expect(body).toMatch(/^shop_snapshot_capture_seconds\{service="tally"\} [\d.e-]+/m);
    expect(body).toMatch(/^shop_snapshots_ignored_total\{service="tally",reason="corrupt"\} 0/m);
    const full = await replayed(log);
    expect(second.model.sums).toEqual(full.sums);
    expect(second.model.seen.sort()).toEqual(full.seen.sort());
    await second.projector.stop();
    await log.close();
  });

  it('saves a snapshot every N events while events flow, and one right after a long replay', async () => {
    const { log, store } = await freshLog();
    await write(log, 12_000);
    const { model, projector } = await started(log, store, new Tally(), 500);
    // The replay applied 12,000 events: its snapshot is saved in the background, paced. Events
    // go on flowing; once it is stored, the next 500 bring the next one.
    let written = 12_000;
    while ((await store.load('tally')).length < 2) {
      if (written >= 200_000) throw new Error('no second snapshot after 188,000 more events');
      await write(log, 300);
      written += 300;
      await caughtUp(log, projector);
    }
    const newest = readSnapshotHeader((await store.load('tally'))[0]!.bytes).header;
    expect(newest.events).toBeGreaterThan(12_000 + 500);
    expect(model.seen).toHaveLength(written);
    await projector.stop();
    await log.close();
  });

  it('ignores a snapshot with a flipped bit, or cut short, counts it, and replays the log instead', async () => {
    const damages = [
      (bytes: Buffer) => {
        bytes[bytes.length - 10]! ^= 1;
        return bytes;
      },
      (bytes: Buffer) => bytes.subarray(0, bytes.length - 100),
    ];
    for (const damage of damages) {
      const { log, store } = await freshLog();
      await write(log, 2_000);
      await (await started(log, store)).projector.stop();
      const [good] = await store.load('tally');
      const damaged = damage(Buffer.from(good!.bytes));
      await store.drop('tally');
      await store.save({ ...good!, id: 'damaged', bytes: damaged });
      const { model, projector } = await started(log, store);
      expect(model.restores).toBe(0);
      expect(projector.snapshotStats()?.ignored.corrupt).toBe(1);
      expect(model.sums).toEqual((await replayed(log)).sums);
      await projector.stop();
      await log.close();
    }
  });

  it('ignores a snapshot of another state version, and one of topics that were recreated', async () => {
    const { log, store } = await freshLog();
    await write(log, 1_000);
    await (await started(log, store)).projector.stop();
    const newer = new Tally();
    newer.snapshotVersion = 2;
    const afterUpgrade = await started(log, store, newer);
    expect(afterUpgrade.model.restores).toBe(0);
    expect(afterUpgrade.projector.snapshotStats()?.ignored.model).toBe(1);
    await afterUpgrade.projector.stop();

    // The same topic names, other records: the snapshot of the first log is not of this one.
    const other = await freshLog();
    await write(other.log, 1_500);
    for (const snapshot of await store.load('tally')) await other.store.save(snapshot);
    const recreated = await started(other.log, other.store);
    expect(recreated.model.restores).toBe(0);
    expect(recreated.projector.snapshotStats()?.ignored.topics).toBeGreaterThan(0);
    expect(recreated.model.sums).toEqual((await replayed(other.log)).sums);
    await recreated.projector.stop();
    // Fewer records than the snapshot was taken at: recreated too.
    const shorter = await freshLog();
    await write(shorter.log, 10);
    for (const snapshot of await store.load('tally')) await shorter.store.save(snapshot);
    const cut = await started(shorter.log, shorter.store);
    expect(cut.model.restores).toBe(0);
    await cut.projector.stop();
    await Promise.all([log.close(), other.log.close(), shorter.log.close()]);
  });

  it('drops the snapshots and fails the start when a restore breaks, so that the next start replays (no crash loop)', async () => {
    const { log, store } = await freshLog();
    await write(log, 500);
    await (await started(log, store)).projector.stop();
    const broken = new Tally();
    broken.failRestore = true;
    await expect(started(log, store, broken)).rejects.toThrow(/could not take its snapshot.*restart to replay/);
    expect(await store.load('tally')).toEqual([]);
    const next = await started(log, store);
    expect(next.model.restores).toBe(0);
    expect(next.model.sums).toEqual((await replayed(log)).sums);
    await next.projector.stop();
    await log.close();
  });

  it('encodes large states in parts and decodes them back exactly', async () => {
    const state = {
      big: Array.from({ length: 123_457 }, (_, i) => [`id${i}`, i]),
      typed: new Float64Array([1.5, Number.NaN, -0]),
      small: [1, 2],
    };
    const bytes = await encodeSnapshot(
      { model: 'm', modelVersion: 1, positions: {}, fingerprints: {}, events: 0, createdAt: '' },
      state,
    );
    expect(decodeSnapshot(bytes).state).toEqual(state);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length >> 1]! ^= 0x40;
    expect(() => decodeSnapshot(flipped)).toThrow(/checksum|cut short|not a snapshot|header/);
  });

  it('writes large typed arrays as their bytes, views of a larger buffer included, and leaves the state as it was', async () => {
    const wide = Float64Array.from({ length: 200_001 }, (_, i) => (i % 7 === 0 ? Number.NaN : i % 5 === 0 ? -0 : i / 3));
    const backing = Int32Array.from({ length: 400_003 }, (_, i) => i * 7 - 1_000_000);
    const state = {
      rows: { wide, view: backing.subarray(3, 300_001), small: new Int32Array([4, 5]) },
      lists: [{ orders: Uint8Array.from({ length: 300_000 }, (_, i) => i & 0xff) }, { ids: ['a', 'b'] }],
    };
    const before = structuredClone(state);
    const bytes = await encodeSnapshot(
      { model: 'm', modelVersion: 1, positions: {}, fingerprints: {}, events: 0, createdAt: '' },
      state,
    );
    expect(state).toEqual(before);
    const decoded = decodeSnapshot(bytes).state as typeof state;
    expect(decoded).toEqual(state);
    expect(decoded.rows.view).toBeInstanceOf(Int32Array);
    expect(Object.is(decoded.rows.wide[5], -0)).toBe(true);
    const cut = bytes.subarray(0, bytes.length - 1000);
    expect(() => decodeSnapshot(cut)).toThrow(/body is|checksum/);
  });

  it('packs whole-number columns slice by slice, where it saves, and keeps every other slice as its bytes', async () => {
    // Offsets that count up (packed), then a slice with a fraction in it (its bytes), then large jumps.
    const offsets = Float64Array.from({ length: 300_000 }, (_, i) => 1e12 + i);
    offsets[100_000] = 0.5;
    const rows = Int32Array.from({ length: 300_000 }, (_, i) => i);
    const random = Int32Array.from({ length: 300_000 }, (_, i) => Math.imul(i + 1, 0x9e3779b1));
    const state = { offsets, rows, random };
    const bytes = await encodeSnapshot(
      { model: 'm', modelVersion: 1, positions: {}, fingerprints: {}, events: 0, createdAt: '' },
      state,
    );
    // About a byte a value where packed (two of three offset slices, every row slice), four or eight elsewhere.
    expect(bytes.length).toBeLessThan(offsets.byteLength / 3 + 300_000 + random.byteLength + 100_000);
    const decoded = decodeSnapshot(bytes).state as typeof state;
    expect(decoded.offsets).toEqual(offsets);
    expect(decoded.rows).toEqual(rows);
    expect(decoded.random).toEqual(random);
  });

  it('decodes a snapshot from the pieces a store kept it in, cut anywhere, without joining them', async () => {
    const state = {
      rows: Int32Array.from({ length: 200_000 }, (_, i) => i * 3),
      names: ['a', 'b'],
      wide: new Float64Array(70_000).fill(0.25),
    };
    const bytes = await encodeSnapshot(
      { model: 'm', modelVersion: 1, positions: {}, fingerprints: {}, events: 0, createdAt: '' },
      state,
    );
    const cutAt = (points: number[]): Buffer[] => {
      const sorted = [0, ...points.map((p) => Math.floor(p * bytes.length)).sort((a, b) => a - b), bytes.length];
      return sorted.slice(1).map((end, i) => bytes.subarray(sorted[i], end));
    };
    for (const points of [
      [],
      [0.5],
      [1e-6, 2e-6, 3e-6],
      [0.1, 0.1, 0.3, 0.31, 0.9],
      Array.from({ length: 40 }, (_, i) => ((i * 37) % 101) / 101),
    ]) {
      expect(decodeSnapshot(cutAt(points)).state).toEqual(state);
    }
    const pieces = cutAt([0.25, 0.5, 0.75]);
    expect(() => decodeSnapshot(pieces.slice(0, 3))).toThrow(/body is/);
    expect(() => decodeSnapshot([pieces[0]!.subarray(0, 10)])).toThrow(/cut short|not a snapshot/);
  });
});
