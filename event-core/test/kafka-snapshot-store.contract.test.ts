import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createKafkaLog } from '../src/log/kafka/log.ts';
import type { LogRecord } from '../src/log/port.ts';
import { chunkRecords, NEWEST_KEY, newestRecord, parseNewest, TopicSnapshots } from '../src/snapshot/kafka-chunks.ts';
import { SNAPSHOT_TOPIC_CONFIG, snapshotTopicName } from '../src/snapshot/kafka-store.ts';
import { DEFAULT_MAX_CHUNK_BYTES, type StoredSnapshot } from '../src/snapshot/store.ts';
import { describeSnapshotStoreContract } from '../src/testing/index.ts';

// The integration project's global setup provides the brokers: KAFKA_BROKERS, or the local broker
// it started. Every contract test uses a topic prefix of its own.
describeSnapshotStoreContract('kafka', async () => {
  const log = createKafkaLog({ brokers: inject('kafkaBrokers').split(','), clientId: 'snapshot-contract-test' });
  return {
    store: (topicPrefix) => log.snapshotStore!({ topicPrefix }),

    // What compaction will leave: the last record of each key, tombstones removing theirs.
    async retainedIds(topicPrefix, model) {
      const topic = snapshotTopicName(topicPrefix, model);
      await log.provision([{ topic, config: SNAPSHOT_TOPIC_CONFIG }]);
      const { 0: high = 0 } = await log.highWaterMarks(topic);
      const records = await log.read(
        topic,
        0,
        Array.from({ length: high }, (_, offset) => offset),
      );
      const snapshots = new TopicSnapshots(model);
      for (const record of records) snapshots.add(record);
      return snapshots.known().map(({ id }) => id);
    },

    // A process killed part-way through its save: the first half of the chunks reached the topic.
    async saveCutShort(topicPrefix, snapshot) {
      const topic = snapshotTopicName(topicPrefix, snapshot.model);
      await log.provision([{ topic, config: SNAPSHOT_TOPIC_CONFIG }]);
      const chunks = chunkRecords(snapshot, DEFAULT_MAX_CHUNK_BYTES);
      if (chunks.length < 2) throw new Error('a save cut short needs a snapshot of several chunks');
      // One chunk per append: two would not fit in one record batch.
      for (const chunk of chunks.slice(0, Math.floor(chunks.length / 2))) await log.append(topic, [chunk]);
    },

    close: () => log.close(),
  };
});

describe('the Kafka snapshot store: the record naming the newest snapshot', { timeout: 120_000 }, () => {
  const log = createKafkaLog({ brokers: inject('kafkaBrokers').split(','), clientId: 'snapshot-newest-test' });
  afterAll(() => log.close());
  let clock = Date.UTC(2025, 0, 1);
  const snapshot = (bytes = randomBytes(DEFAULT_MAX_CHUNK_BYTES * 2 + 100)): StoredSnapshot => ({
    id: randomUUID(),
    model: 'orders',
    savedAtMs: (clock += 1_000),
    bytes,
  });
  /** A store with two snapshots saved, and its topic's records. */
  const twoSaved = async () => {
    const topicPrefix = `snap-newest-${randomUUID().slice(0, 8)}.`;
    const store = log.snapshotStore!({ topicPrefix });
    const older = snapshot();
    const newer = snapshot();
    await store.save(older);
    await store.save(newer);
    const topic = snapshotTopicName(topicPrefix, 'orders');
    const { 0: high = 0 } = await log.highWaterMarks(topic);
    const records = await log.read(
      topic,
      0,
      Array.from({ length: high }, (_, offset) => offset),
    );
    return { topicPrefix, topic, store, older, newer, records };
  };
  const rangeOf = (records: readonly LogRecord[], id: string) => {
    const offsets = records.filter((r) => r.key?.startsWith(`${id}/`)).map((r) => r.offset);
    return { first: Math.min(...offsets), last: Math.max(...offsets) };
  };

  it('ends each save with it: the newest complete snapshot and the offsets its chunks lie between', async () => {
    const { records, newer } = await twoSaved();
    const last = records.at(-1)!;
    expect(last.key).toBe(NEWEST_KEY);
    expect(parseNewest({ ...last, headers: {} })).toEqual({ id: newer.id, ...rangeOf(records, newer.id) });
  });

  it('reads only the offsets it names: a record naming the older snapshot gives the older', async () => {
    const { topic, store, older, records } = await twoSaved();
    await log.append(topic, [newestRecord({ id: older.id, ...rangeOf(records, older.id) })]);
    const loaded = await log.snapshotStore!({ topicPrefix: topic.slice(0, -'snapshots.orders'.length) }).loadNewest('orders');
    expect(loaded?.id).toBe(older.id);
    expect(loaded?.bytes.equals(older.bytes)).toBe(true);
    // `load` reads everything and still says which is newest.
    expect((await store.load('orders')).map(({ id }) => id)[0]).not.toBe(older.id);
  });

  it('reads every kept snapshot instead when the last record names nothing usable', async () => {
    const { topicPrefix, topic, newer, records } = await twoSaved();
    const bad = [
      { key: NEWEST_KEY, value: Buffer.from('not json') },
      newestRecord({ id: randomUUID(), ...rangeOf(records, newer.id) }),
      newestRecord({ id: newer.id, first: records.length + 10, last: records.length + 20 }),
      { key: 'something-else', value: Buffer.from('?') },
    ];
    for (const record of bad) {
      await log.append(topic, [record]);
      const loaded = await log.snapshotStore!({ topicPrefix }).loadNewest('orders');
      expect(loaded?.id).toBe(newer.id);
      expect(loaded?.bytes.equals(newer.bytes)).toBe(true);
    }
  });

  it('is removed with the snapshots when they are dropped', async () => {
    const { topicPrefix, store, topic } = await twoSaved();
    await store.drop('orders');
    const { 0: high = 0 } = await log.highWaterMarks(topic);
    const [last] = await log.read(topic, 0, [high - 1]);
    expect(last).toMatchObject({ key: NEWEST_KEY, value: null });
    expect(await log.snapshotStore!({ topicPrefix }).loadNewest('orders')).toBeUndefined();
  });
});
