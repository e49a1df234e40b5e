import { Partitioners, type Kafka, type Message, type ProducerBatch, type RecordMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createKafkaProducer } from '../src/log/kafka/producer.ts';

// kafkajs retries a sendBatch that spans brokers by grouping its partitions again by their
// leaders at the time of the retry: after a leader change it can send a partition a broker had
// already stored to its new leader, a duplicate in the log. So the producer never hands kafkajs
// a batch of more than one partition.

const TOPIC = 'shop.eventbus.purchases';
const PARTITIONS = 6;

/** A kafkajs stand-in: records every sendBatch, places messages by the partitioner kafkajs calls, numbers them per partition. */
function fakeKafka(fail?: (batch: ProducerBatch) => Error | undefined) {
  const batches: ProducerBatch[] = [];
  const next = new Map<number, number>();
  const kafka = {
    producer: ({ createPartitioner }: { createPartitioner: () => (args: unknown) => number }) => {
      const partitioner = createPartitioner();
      const partitionMetadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({
        partitionId,
        leader: partitionId % 3,
      }));
      return {
        connect: async () => undefined,
        disconnect: async () => undefined,
        sendBatch: async (batch: ProducerBatch): Promise<RecordMetadata[]> => {
          batches.push(batch);
          const error = fail?.(batch);
          if (error) throw error;
          const counts = new Map<number, number>();
          for (const { topic, messages } of batch.topicMessages!) {
            for (const message of messages) {
              const partition = partitioner({ topic, partitionMetadata, message });
              counts.set(partition, (counts.get(partition) ?? 0) + 1);
            }
          }
          return [...counts].map(([partition, count]) => {
            const baseOffset = next.get(partition) ?? 0;
            next.set(partition, baseOffset + count);
            return { topicName: TOPIC, partition, errorCode: 0, baseOffset: String(baseOffset) } as RecordMetadata;
          });
        },
      };
    },
  } as unknown as Kafka;
  return { kafka, batches };
}

const records = (count: number) => Array.from({ length: count }, (_, i) => ({ key: `purchase-${i}`, value: `{"n":${i}}` }));
const send = () => ({ attempted: false, abandoned: false });
const murmur = Partitioners.DefaultPartitioner();
const partitionOfKey = (key: string) =>
  murmur({
    topic: TOPIC,
    partitionMetadata: Array.from({ length: PARTITIONS }, (_, partitionId) => ({ partitionId, leader: 0 })) as never,
    message: { key, value: '' } as Message,
  });

describe('the Kafka producer', () => {
  it('sends each partition of a group in a sendBatch of its own, where kafkajs would have put each key, numbered in order', async () => {
    const { kafka, batches } = fakeKafka();
    const producer = createKafkaProducer(kafka, { appendTimeoutMs: 1_000, partitionCount: async () => PARTITIONS });
    const sent = records(40);
    const positions = await producer.send(TOPIC, sent, send());

    expect(batches.length).toBeGreaterThan(1);
    for (const batch of batches) {
      const partitions = new Set(batch.topicMessages!.flatMap(({ messages }) => messages.map((m) => m.partition)));
      expect(partitions.size).toBe(1);
    }
    // Each record where murmur2 of its key puts it, numbered on per partition in the order sent.
    const seen = new Map<number, number>();
    sent.forEach((record, i) => {
      const partition = partitionOfKey(record.key);
      const offset = seen.get(partition) ?? 0;
      seen.set(partition, offset + 1);
      expect(positions[i]).toEqual({ partition, offset });
    });
  });

  it('fails the whole send when one partition fails, and goes on with a new producer and the partitions it knows', async () => {
    let failOnce = true;
    const { kafka } = fakeKafka((batch) => {
      if (!failOnce || batch.topicMessages![0]!.messages[0]!.partition !== partitionOfKey('purchase-0')) return undefined;
      failOnce = false;
      return new Error('This server is not the leader for that topic-partition');
    });
    let asked = 0;
    const producer = createKafkaProducer(kafka, {
      appendTimeoutMs: 1_000,
      partitionCount: async () => (asked++, PARTITIONS),
    });
    await expect(producer.send(TOPIC, records(12), send())).rejects.toThrow(/not the leader/);
    await producer.send(TOPIC, records(12), send());
    // Not asked again: the broker that failed may be one that answers nothing.
    expect(asked).toBe(1);
  });
});
