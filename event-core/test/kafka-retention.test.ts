import { randomUUID } from 'node:crypto';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createKafkaLog } from '../src/log/kafka/log.ts';
import { provisionEventTopics, type TopicRetention } from '../src/topics.ts';

// The retention policies as a real broker takes them: `full` must be a configuration Kafka accepts
// and keeps (delete with no limit), not just a name. The integration project provides the brokers.
const brokers = inject('kafkaBrokers').split(',');
const log = createKafkaLog({ brokers, clientId: 'kafka-retention-test' });
afterAll(() => log.close());

describe('event topics on Kafka by TOPIC_RETENTION', () => {
  it.each<[TopicRetention, string]>([
    ['compact', 'compact'],
    ['full', 'delete'],
  ])('creates %s topics with cleanup.policy=%s and no time or size limit', async (retention, policy) => {
    const topic = `retention.${retention}.${randomUUID().slice(0, 8)}`;
    await provisionEventTopics(log, [topic], 1, retention);
    const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [
          { type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy', 'retention.ms', 'retention.bytes'] },
        ],
      });
      const config = Object.fromEntries(resources[0]!.configEntries.map((entry) => [entry.configName, entry.configValue]));
      expect(config).toEqual({ 'cleanup.policy': policy, 'retention.ms': '-1', 'retention.bytes': '-1' });
    } finally {
      await admin.disconnect();
    }
  });
});
