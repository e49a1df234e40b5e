import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventLog, LogRecord, PartitionOffsets } from '../log/port.ts';

/** Collects what a follower delivers and lets a test wait for a count. */
export function collector() {
  const records: LogRecord[] = [];
  let wake: (() => void) | undefined;
  return {
    records,
    onBatch: (batch: readonly LogRecord[]) => {
      records.push(...batch);
      wake?.();
    },
    async waitFor(count: number, timeoutMs = 15_000): Promise<LogRecord[]> {
      const deadline = Date.now() + timeoutMs;
      while (records.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} records, got ${records.length}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
      return records;
    },
  };
}

const values = (records: readonly LogRecord[]): string[] => records.map((r) => r.value?.toString('utf8') ?? '');

/**
 * The event-log contract: what both adapters promise. `makeLog` is called once per suite; every
 * test uses its own topics, so the suite can run against a shared broker.
 */
export function describeEventLogContract(name: string, makeLog: () => Promise<EventLog>, { timeoutMs = 20_000 } = {}): void {
  describe(`event log contract: ${name}`, { timeout: timeoutMs * 2 }, () => {
    let log: EventLog;
    const topicName = (label: string): string => `contract.${label}.${randomUUID().slice(0, 8)}`;

    beforeAll(async () => {
      log = await makeLog();
    }, 120_000);
    afterAll(async () => {
      await log?.close();
    });

    it('gives dense offsets from 0 in append order', async () => {
      const topic = topicName('dense');
      await log.provision([{ topic }]);
      const first = await log.append(topic, [
        { key: 'a', value: 'one' },
        { key: 'b', value: 'two' },
      ]);
      const second = await log.append(topic, [{ key: 'a', value: 'three' }]);
      expect([...first, ...second].map((r) => r.offset)).toEqual([0, 1, 2]);
      expect(await log.highWaterMarks(topic)).toEqual({ 0: 3 });
    });

    it('reports a high-water mark of 0 for a new topic', async () => {
      const topic = topicName('empty');
      await log.provision([{ topic, partitions: 2 }]);
      expect(await log.highWaterMarks(topic)).toEqual({ 0: 0, 1: 0 });
    });

    it('provisions idempotently and keeps existing records', async () => {
      const topic = topicName('idem');
      await log.provision([{ topic, config: { 'cleanup.policy': 'compact' } }]);
      await log.append(topic, [{ key: 'k', value: 'v' }]);
      await log.provision([{ topic, config: { 'cleanup.policy': 'compact' } }]);
      expect(await log.highWaterMarks(topic)).toEqual({ 0: 1 });
    });

    it('replays a topic from the beginning in order, with keys, values and headers', async () => {
      const topic = topicName('replay');
      await log.provision([{ topic }]);
      await log.append(topic, [
        { key: 'x', value: 'first', headers: { 'event-type': 'A' } },
        { key: 'y', value: Buffer.from('second') },
        { key: 'x', value: 'third' },
      ]);
      const seen = collector();
      const follower = await log.follow(topic, { onBatch: seen.onBatch });
      const records = await seen.waitFor(3);
      await follower.close();
      expect(values(records)).toEqual(['first', 'second', 'third']);
      expect(records.map((r) => [r.topic, r.partition, r.offset, r.key])).toEqual([
        [topic, 0, 0, 'x'],
        [topic, 0, 1, 'y'],
        [topic, 0, 2, 'x'],
      ]);
      expect(records[0]!.headers['event-type']).toBe('A');
      expect(records[0]!.timestampMs).toBeGreaterThan(Date.now() - 60 * 60_000);
    });

    it('replays from a position, skipping what came before it', async () => {
      const topic = topicName('from');
      await log.provision([{ topic }]);
      await log.append(
        topic,
        ['a', 'b', 'c', 'd'].map((v) => ({ key: 'k', value: v })),
      );
      const seen = collector();
      const from: PartitionOffsets = { 0: 2 };
      const follower = await log.follow(topic, { from, onBatch: seen.onBatch });
      const records = await seen.waitFor(2);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await follower.close();
      expect(values(records)).toEqual(['c', 'd']);
      expect(records[0]!.offset).toBe(2);
    });

    it('follows live: records appended after the follower started arrive once, in order', async () => {
      const topic = topicName('live');
      await log.provision([{ topic }]);
      await log.append(topic, [{ key: 'k', value: 'before' }]);
      const seen = collector();
      const follower = await log.follow(topic, { onBatch: seen.onBatch });
      await seen.waitFor(1);
      for (const value of ['l1', 'l2', 'l3']) await log.append(topic, [{ key: 'k', value }]);
      await Promise.all(['c1', 'c2'].map((value) => log.append(topic, [{ key: 'k', value }])));
      const records = await seen.waitFor(6);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await follower.close();
      expect(values(records).slice(0, 4)).toEqual(['before', 'l1', 'l2', 'l3']);
      expect(values(records).slice(4).sort()).toEqual(['c1', 'c2']);
      expect(records.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5]);
    });

    it('keeps every key in one partition, in order, across several partitions', async () => {
      const topic = topicName('parts');
      await log.provision([{ topic, partitions: 3 }]);
      const keys = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'];
      const appended = [];
      for (let round = 0; round < 3; round++) {
        appended.push(
          ...(await log.append(
            topic,
            keys.map((key) => ({ key, value: `${key}:${round}` })),
          )),
        );
      }
      const partitionOf = new Map<string, number>();
      appended.forEach((result, i) => {
        const key = keys[i % keys.length]!;
        expect(partitionOf.get(key) ?? result.partition).toBe(result.partition);
        partitionOf.set(key, result.partition);
      });
      const marks = await log.highWaterMarks(topic);
      expect(Object.keys(marks)).toHaveLength(3);
      expect(Object.values(marks).reduce((a, b) => a + b, 0)).toBe(18);

      const seen = collector();
      const follower = await log.follow(topic, { onBatch: seen.onBatch });
      const records = await seen.waitFor(18);
      await follower.close();
      for (const key of keys) {
        const mine = records.filter((r) => r.key === key);
        expect(values(mine)).toEqual([0, 1, 2].map((round) => `${key}:${round}`));
        expect(new Set(mine.map((r) => r.partition))).toEqual(new Set([partitionOf.get(key)]));
      }
    });

    it('stops delivering once a follower is closed', async () => {
      const topic = topicName('close');
      await log.provision([{ topic }]);
      const seen = collector();
      const follower = await log.follow(topic, { onBatch: seen.onBatch });
      await log.append(topic, [{ key: 'k', value: 'one' }]);
      await seen.waitFor(1);
      await follower.close();
      await log.append(topic, [{ key: 'k', value: 'two' }]);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(values(seen.records)).toEqual(['one']);
    });

    it('waits for an async batch handler before delivering the next batch', async () => {
      const topic = topicName('backpressure');
      await log.provision([{ topic }]);
      let inFlight = 0;
      let maxInFlight = 0;
      const seen: string[] = [];
      const follower = await log.follow(topic, {
        onBatch: async (batch) => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 20));
          seen.push(...values(batch));
          inFlight--;
        },
      });
      for (let i = 0; i < 5; i++) await log.append(topic, [{ key: 'k', value: `v${i}` }]);
      const deadline = Date.now() + timeoutMs;
      while (seen.length < 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      await follower.close();
      expect(seen).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
      expect(maxInFlight).toBe(1);
    });

    it('reads the records at given offsets on demand: in offset order, each once', async () => {
      const topic = topicName('read');
      await log.provision([{ topic }]);
      await log.append(
        topic,
        ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((value, i) => ({
          key: `k${i % 3}`,
          value,
          headers: { 'event-type': value.toUpperCase() },
        })),
      );
      const records = await log.read(topic, 0, [7, 2, 5, 2]);
      expect(records.map((r) => [r.offset, r.key, r.value?.toString('utf8'), r.headers['event-type']])).toEqual([
        [2, 'k2', 'c', 'C'],
        [5, 'k2', 'f', 'F'],
        [7, 'k1', 'h', 'H'],
      ]);
      expect(records.every((r) => r.topic === topic && r.partition === 0 && r.timestampMs > 0)).toBe(true);
    });

    it('reads nothing for offsets that hold no record, and nothing for no offsets', async () => {
      const topic = topicName('read-missing');
      await log.provision([{ topic }]);
      await log.append(topic, [{ key: 'k', value: 'only' }]);
      expect(values(await log.read(topic, 0, [0, 1, 1000]))).toEqual(['only']);
      expect(await log.read(topic, 0, [])).toEqual([]);
      expect(await log.read(topic, 0, [5])).toEqual([]);
    });

    it('reads far-apart offsets of one partition without the records between them mixed in', async () => {
      const topic = topicName('read-far');
      await log.provision([{ topic, partitions: 2 }]);
      const results = await log.append(
        topic,
        Array.from({ length: 1500 }, (_, i) => ({ key: 'same-key', value: `v${i}` })),
      );
      const partition = results[0]!.partition;
      expect(new Set(results.map((r) => r.partition))).toEqual(new Set([partition]));
      await log.append(topic, [
        { key: 'another-key', value: 'elsewhere' },
        { key: 'yet-another', value: 'elsewhere' },
      ]);
      const records = await log.read(topic, partition, [1499, 3, 1200, 700]);
      expect(records.map((r) => [r.partition, r.offset, r.value?.toString('utf8')])).toEqual([
        [partition, 3, 'v3'],
        [partition, 700, 'v700'],
        [partition, 1200, 'v1200'],
        [partition, 1499, 'v1499'],
      ]);
    });

    it('reads a long run of offsets that takes many fetches', async () => {
      const topic = topicName('read-long');
      await log.provision([{ topic }]);
      const padding = 'x'.repeat(1000);
      // Appends below the broker's 1 MiB batch limit; 2.5 MB in all, far more than one fetch returns.
      for (let chunk = 0; chunk < 5; chunk++) {
        await log.append(
          topic,
          Array.from({ length: 500 }, (_, i) => ({ key: 'k', value: `${chunk * 500 + i}:${padding}` })),
        );
      }
      const offsets = Array.from({ length: 2500 }, (_, i) => i);
      const records = await log.read(topic, 0, offsets);
      expect(records.map((r) => r.offset)).toEqual(offsets);
      expect(records.every((r) => r.value?.toString('utf8').startsWith(`${r.offset}:`))).toBe(true);
    });

    it('refuses to append to a topic that was never provisioned', async () => {
      await expect(log.append(topicName('missing'), [{ key: 'k', value: 'v' }])).rejects.toThrow();
    });

    it('says it is healthy while open', async () => {
      expect(await log.healthy()).toBe(true);
    });
  });
}
