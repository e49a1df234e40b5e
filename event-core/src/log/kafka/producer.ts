/**
 * The sending side of the Kafka log: one idempotent kafkajs producer, acknowledged by all in-sync
 * replicas (`acks=-1`), so that kafkajs' own retries cannot duplicate or reorder records within a
 * partition. It sends what the group commit hands it, one send at a time (see `group-commit.ts`),
 * and its partitioner is the deadline fence that keeps an abandoned send from being sent again.
 */
import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { offsetAssigner, type GroupSend, type SendRecords } from './group-commit.ts';
import { connected } from './client.ts';
import { ABANDONED } from './errors.ts';

export interface KafkaProducer {
  /** The group commit's send; a failed one drops the producer, and the next send starts a new one. */
  readonly send: SendRecords;
  disconnect(): Promise<void>;
}

/** Creates the producer side; the kafkajs producer connects on the first send. */
export function createKafkaProducer(kafka: Kafka, { appendTimeoutMs }: { readonly appendTimeoutMs: number }): KafkaProducer {
  let producer: Promise<Producer> | undefined;
  /** The partition kafkajs' partitioner chose for each message sent. */
  const partitionOf = new WeakMap<Message, number>();
  /** The send each message travels in, for the partitioner's deadline check. */
  const sendOf = new WeakMap<Message, GroupSend>();

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

  /** Drops the producer after a failed send, so the next send starts with a fresh producer id. */
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
        const p = await getProducer();
        const metadata = await p.sendBatch({ acks: -1, timeout: appendTimeoutMs, topicMessages: [{ topic, messages }] });
        const offsets = offsetAssigner(metadata);
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
