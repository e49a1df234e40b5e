import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, inject } from 'vitest';
import { createKafkaLog, snapshotTopicName } from '@shop/event-core';
import { describeSnapshotFaults } from '../support/snapshot-faults.ts';

// Snapshot faults on Kafka: snapshots as chunk records of a compacted topic per read model.

const brokers = inject('kafkaBrokers');
const kafka = new Kafka({
  brokers: brokers.split(','),
  clientId: `snapshot-faults-${randomUUID().slice(0, 8)}`,
  logLevel: logLevel.NOTHING,
});
let admin: Admin | undefined;
const connected = async (): Promise<Admin> => {
  if (!admin) {
    admin = kafka.admin();
    await admin.connect();
  }
  return admin;
};
afterAll(async () => {
  await admin?.disconnect();
});

/** The snapshot topic's offsets, summed: every chunk (and tombstone) written moves it. */
async function topicMark(topic: string): Promise<number> {
  const client = await connected();
  if (!(await client.listTopics()).includes(topic)) return 0;
  return (await client.fetchTopicOffsets(topic)).reduce((sum, { high }) => sum + Number(high), 0);
}

/**
 * Reads the snapshot topic to its end and counts the snapshots that have chunks left but fewer
 * than they declare: each chunk is keyed `<id>/<n>` and says in its `snapshot-chunks` header how
 * many the snapshot has; a tombstone removes a key.
 */
async function unfinishedSaves(topic: string): Promise<number> {
  const total = await topicMark(topic);
  if (total === 0) return 0;
  const chunks = new Map<string, { id: string; of: number }>();
  const consumer = kafka.consumer({ groupId: `snapshot-faults-${randomUUID()}`, maxWaitTimeInMs: 100 });
  let read = 0;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${read} of ${total} records of ${topic}`)), 60_000);
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ message }) => {
          if (Number(message.offset) >= total) return;
          read++;
          const key = message.key!.toString();
          if (message.value === null) chunks.delete(key);
          else
            chunks.set(key, {
              id: key.slice(0, key.lastIndexOf('/')),
              of: Number(message.headers?.['snapshot-chunks']?.toString()),
            });
          if (Number(message.offset) + 1 >= total) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  const bySnapshot = new Map<string, { stored: number; of: number }>();
  for (const { id, of } of chunks.values()) {
    const entry = bySnapshot.get(id) ?? { stored: 0, of };
    entry.stored++;
    bySnapshot.set(id, entry);
  }
  return [...bySnapshot.values()].filter(({ stored, of }) => stored < of).length;
}

describeSnapshotFaults({
  name: 'Kafka',
  openLog: () => createKafkaLog({ brokers: brokers.split(','), clientId: `snapshot-faults-${randomUUID().slice(0, 8)}` }),
  env: () => ({ KAFKA_BROKERS: brokers }),
  recordsPerAppend: 1_000,
  chunkMark: (topicPrefix, model) => topicMark(snapshotTopicName(topicPrefix, model)),
  unfinishedSaves: (topicPrefix, model) => unfinishedSaves(snapshotTopicName(topicPrefix, model)),
});
