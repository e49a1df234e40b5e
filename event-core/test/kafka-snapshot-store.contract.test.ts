import { inject } from 'vitest';
import { createKafkaLog } from '../src/log/kafka/log.ts';
import { chunkRecords, TopicSnapshots } from '../src/snapshot/kafka-chunks.ts';
import { SNAPSHOT_TOPIC_CONFIG, snapshotTopicName } from '../src/snapshot/kafka-store.ts';
import { DEFAULT_MAX_CHUNK_BYTES } from '../src/snapshot/store.ts';
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
