/**
 * The sending side of the Kafka log: one idempotent kafkajs producer, acknowledged by all in-sync
 * replicas (`acks=-1`), so that kafkajs' own retries cannot duplicate or reorder records within a
 * partition. It sends what the group commit hands it, one send at a time (see `group-commit.ts`),
 * each partition's records in a `sendBatch` of their own, and its partitioner is the deadline
 * fence that keeps an abandoned send from being sent again.
 *
 * One partition per `sendBatch`, because of how kafkajs retries one that spans brokers: it
 * remembers which brokers answered, then groups the partitions again by their leaders *now*. After
 * a leader change, a partition whose records one broker had already stored (and whose sequence
 * number kafkajs had already advanced) can be sent again to its new leader, which takes it as new
 * records: a duplicate in the log (seen in the three-broker fault suite during a rolling restart).
 * The other way round, a partition that failed can move to a broker that answered and never be
 * sent. With one partition, an attempt goes to one leader, succeeds or fails whole, and a failed
 * one is retried with the same sequence numbers, which the broker deduplicates.
 */
import { Partitioners, type Kafka, type Message, type PartitionMetadata, type Producer } from 'kafkajs';
import { offsetAssigner, type GroupSend, type SendRecords } from './group-commit.ts';
import { connected } from './client.ts';
import { ABANDONED } from './errors.ts';

export interface KafkaProducer {
  /** The group commit's send; a failed one drops the producer, and the next send starts a new one. */
  readonly send: SendRecords;
  disconnect(): Promise<void>;
}

/** Creates the producer side; the kafkajs producer connects on the first send. */
export function createKafkaProducer(
  kafka: Kafka,
  {
    appendTimeoutMs,
    partitionCount,
  }: {
    readonly appendTimeoutMs: number;
    /**
     * How many partitions a topic has, asked once per topic (again only if asking failed): keys
     * keep their partition for the life of the process, even if partitions are added meanwhile.
     */
    readonly partitionCount: (topic: string) => Promise<number>;
  },
): KafkaProducer {
  let producer: Promise<Producer> | undefined;
  /** The partition kafkajs' partitioner chose for each message sent. */
  const partitionOf = new WeakMap<Message, number>();
  /** The send each message travels in, for the partitioner's deadline check. */
  const sendOf = new WeakMap<Message, GroupSend>();
  /** kafkajs' own choice of partition for a key (murmur2, as the Java client), made before sending. */
  const choosePartition = Partitioners.DefaultPartitioner();
  const partitionsOf = new Map<string, Promise<PartitionMetadata[]>>();
  /** The topic's partitions, as the partitioner needs them to place a key. */
  const partitionsFor = (topic: string): Promise<PartitionMetadata[]> => {
    let partitions = partitionsOf.get(topic);
    if (!partitions) {
      partitions = partitionCount(topic).then((count) =>
        Array.from({ length: count }, (_, partitionId) => ({
          partitionId,
          leader: 0,
          partitionErrorCode: 0,
          replicas: [],
          isr: [],
          offlineReplicas: [],
        })),
      );
      partitions.catch(() => partitionsOf.delete(topic));
      partitionsOf.set(topic, partitions);
    }
    return partitions;
  };

  const getProducer = (): Promise<Producer> => {
    if (!producer) {
      producer = connected(
        kafka.producer({
          idempotent: true,
          // With `idempotent`, kafkajs requires at most one request in flight per broker.
          maxInFlightRequests: 1,
          allowAutoTopicCreation: false,
          // kafkajs' default partitioner (murmur2 of the key, as the Java client), named explicitly
          // to silence its warning about the v2 default change. Wrapped to learn where each record
          // went: sendBatch reports one base offset per partition, not one offset per record.
          //
          // It is also the deadline fence. kafkajs retries a failed produce on its own (an
          // idempotent producer must allow retries), and a retry that started after the append
          // had failed for its caller could store records the caller was told were not stored: a
          // phantom write once the broker answers again. kafkajs calls the partitioner at the
          // start of every attempt, before it writes the request, so an abandoned send fails
          // here with a non-retriable error and kafkajs gives up instead of sending it again.
          createPartitioner: () => {
            const choose = Partitioners.DefaultPartitioner();
            return (args) => {
              const send = sendOf.get(args.message);
              if (send?.abandoned) throw Object.assign(new Error(ABANDONED), { retriable: false });
              if (send) send.attempted = true;
              const partition = choose(args);
              partitionOf.set(args.message, partition);
              return partition;
            };
          },
        }),
        () => (producer = undefined),
      );
    }
    return producer;
  };

  /**
   * Drops the producer after a failed send, so the next send starts with a fresh producer id. The
   * partition counts stay: a leader change does not change them, and asking again would wait on
   * the same broker that just failed (a frozen one answers nothing).
   */
  const discardProducer = (): void => {
    const old = producer;
    producer = undefined;
    void old?.then((p) => p.disconnect()).catch(() => undefined);
  };

  return {
    async send(topic, records, send) {
      const messages = records.map((record): Message => {
        const message: Message = { key: record.key, value: record.value, headers: { ...record.headers } };
        sendOf.set(message, send);
        return message;
      });
      try {
        const partitionMetadata = await partitionsFor(topic);
        const byPartition = new Map<number, Message[]>();
        for (const message of messages) {
          const partition = choosePartition({ topic, partitionMetadata, message });
          message.partition = partition;
          const group = byPartition.get(partition);
          if (group) group.push(message);
          else byPartition.set(partition, [message]);
        }
        const p = await getProducer();
        // Partitions on different brokers are sent at once; kafkajs sends one request at a time per broker.
        const sent = await Promise.allSettled(
          [...byPartition.values()].map((group) =>
            p.sendBatch({ acks: -1, timeout: appendTimeoutMs, topicMessages: [{ topic, messages: group }] }),
          ),
        );
        const failed = sent.find((result) => result.status === 'rejected');
        if (failed) throw failed.reason;
        const offsets = offsetAssigner(sent.flatMap((result) => (result.status === 'fulfilled' ? result.value : [])));
        return messages.map((message) => {
          const partition = partitionOf.get(message);
          if (partition === undefined) throw new Error('kafkajs did not report the partition of a record it sent');
          return { partition, offset: offsets(partition) };
        });
      } catch (error) {
        // kafkajs may have left the idempotent producer's sequence numbers out of step with the
        // broker's. A new producer id starts clean; callers retry with their own idempotency keys.
        discardProducer();
        throw error;
      }
    },

    async disconnect() {
      await producer?.then((p) => p.disconnect()).catch(() => undefined);
    },
  };
}
