/** Topic administration of the Kafka log: creating topics, their high-water marks, the health probe. */
import type { Admin, Kafka } from 'kafkajs';
import type { PartitionOffsets, TopicSpec } from '../port.ts';
import { connected } from './client.ts';
import { untilBrokerReady, withTimeout } from './waiting.ts';

export interface TopicAdminSettings {
  /** Replication factor of the topics `provision` creates. */
  readonly replicationFactor: number;
  /** `min.insync.replicas` of the topics `provision` creates, unless a topic's own config says otherwise. */
  readonly minInsyncReplicas: number;
}

export interface TopicAdmin {
  /** As `EventLog.provision`. */
  provision(topics: readonly TopicSpec[]): Promise<void>;
  /** As `EventLog.highWaterMarks`. */
  highWaterMarks(topic: string): Promise<PartitionOffsets>;
  /** How many partitions a topic has, asked once. Fails as kafkajs does. */
  partitionCount(topic: string): Promise<number>;
  /** One partition's high-water mark, asked once; undefined when the topic has no such partition. Fails as kafkajs does. */
  highWaterMark(topic: string, partition: number): Promise<number | undefined>;
  /** Does the cluster answer within `timeoutMs`? */
  reachable(timeoutMs: number): Promise<boolean>;
  disconnect(): Promise<void>;
}

/** Creates the topic admin; its kafkajs admin connects on first use, and again after a failed connect. */
export function createTopicAdmin(kafka: Kafka, { replicationFactor, minInsyncReplicas }: TopicAdminSettings): TopicAdmin {
  let admin: Promise<Admin> | undefined;
  const getAdmin = (): Promise<Admin> => {
    admin ??= connected(kafka.admin(), () => (admin = undefined));
    return admin;
  };

  return {
    async provision(topics) {
      const names = topics.map((spec) => spec.topic).join(', ');
      // Services started together provision the same topics at once: the loser's
      // `waitForLeaders` can ask for the metadata of a topic the winner created before the broker
      // serves it (UNKNOWN_TOPIC_OR_PARTITION, retriable).
      await untilBrokerReady(names, 30_000, async () => {
        const a = await getAdmin();
        // Create only what is missing: asking to create an existing topic makes kafkajs log an
        // error for an outcome that is fine here.
        const existing = new Set(await a.listTopics());
        const missing = topics.filter((spec) => !existing.has(spec.topic));
        if (missing.length > 0)
          await a.createTopics({
            waitForLeaders: true,
            timeout: 30_000,
            topics: missing.map((spec) => ({
              topic: spec.topic,
              numPartitions: spec.partitions ?? 1,
              replicationFactor,
              configEntries: Object.entries({ 'min.insync.replicas': String(minInsyncReplicas), ...spec.config }).map(
                ([name, value]) => ({ name, value }),
              ),
            })),
          });
        // `waitForLeaders` asks the controller; the broker that serves a partition can learn of it
        // a moment later. Provisioned means usable: every partition answers for its offsets.
        for (const spec of topics) await a.fetchTopicOffsets(spec.topic);
      });
    },

    async highWaterMarks(topic) {
      // Just after a topic was created (by this instance or another), a partition can still be
      // without a leader the broker knows of (NOT_LEADER_FOR_PARTITION, retriable).
      const offsets = await untilBrokerReady(topic, 15_000, async () => (await getAdmin()).fetchTopicOffsets(topic));
      return Object.fromEntries(offsets.map(({ partition, high }) => [partition, Number(high)]));
    },

    async partitionCount(topic) {
      const { topics } = await (await getAdmin()).fetchTopicMetadata({ topics: [topic] });
      const count = topics.find((t) => t.name === topic)?.partitions.length ?? 0;
      if (count === 0) throw new Error(`Kafka reported no partitions for ${topic}`);
      return count;
    },

    async highWaterMark(topic, partition) {
      const marks = await (await getAdmin()).fetchTopicOffsets(topic);
      const mark = marks.find((m) => m.partition === partition);
      return mark ? Number(mark.high) : undefined;
    },

    async reachable(timeoutMs) {
      const probe = getAdmin().then((a) => a.describeCluster());
      try {
        await withTimeout(probe, timeoutMs);
        return true;
      } catch {
        return false;
      }
    },

    async disconnect() {
      await admin?.then((a) => a.disconnect()).catch(() => undefined);
    },
  };
}
