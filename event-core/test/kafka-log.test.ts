import { randomUUID } from 'node:crypto';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startPrivateKafka, type PrivateKafka } from '../../e2e/support/private-kafka.ts';
import { createKafkaLog } from '../src/log/kafka/log.ts';
import { LogUnavailableError, type EventLog, type LogRecord } from '../src/log/port.ts';
import { collector } from '../src/testing/index.ts';

// What the Kafka adapter promises beyond the shared contract (kafka-log.contract.test.ts): the
// group-commit queue, failing fast when the broker is down, and followers that outlive a broker
// restart. The integration project's global setup provides the brokers.
const brokers = inject('kafkaBrokers').split(',');
const topicName = (label: string): string => `kafka-log.${label}.${randomUUID().slice(0, 8)}`;

describe('kafka event log', () => {
  let log: EventLog;
  beforeAll(() => {
    log = createKafkaLog({ brokers, clientId: 'kafka-log-test' });
  });
  afterAll(async () => {
    await log.close();
  });

  it('creates topics with the requested partitions and config', async () => {
    const topic = topicName('config');
    await log.provision([{ topic, partitions: 2, config: { 'cleanup.policy': 'compact', 'retention.ms': '-1' } }]);
    const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy', 'retention.ms'] }],
      });
      const config = Object.fromEntries(resources[0]!.configEntries.map((entry) => [entry.configName, entry.configValue]));
      expect(config).toEqual({ 'cleanup.policy': 'compact', 'retention.ms': '-1' });
    } finally {
      await admin.disconnect();
    }
    expect(await log.highWaterMarks(topic)).toEqual({ 0: 0, 1: 0 });
  });

  it('gives each of many concurrent appends the offsets its own records got', async () => {
    const topic = topicName('group-commit');
    await log.provision([{ topic, partitions: 3 }]);
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        log.append(topic, [
          { key: `k${i % 11}`, value: `a${i}` },
          { key: `k${(i + 4) % 11}`, value: `b${i}` },
        ]),
      ),
    );
    const seen = collector();
    const follower = await log.follow(topic, { onBatch: seen.onBatch });
    const records = await seen.waitFor(600);
    await follower.close();

    const valueAt = new Map(records.map((r) => [`${r.partition}/${r.offset}`, r.value?.toString()]));
    results.forEach(([a, b], i) => {
      expect(valueAt.get(`${a!.partition}/${a!.offset}`)).toBe(`a${i}`);
      expect(valueAt.get(`${b!.partition}/${b!.offset}`)).toBe(`b${i}`);
    });
    const marks = await log.highWaterMarks(topic);
    expect(Object.values(marks).reduce((sum, mark) => sum + mark, 0)).toBe(600);
  });

  it('fails an append to a missing topic without failing concurrent appends to others', async () => {
    const topic = topicName('neighbour');
    await log.provision([{ topic }]);
    const [missing, ...fine] = await Promise.allSettled([
      log.append(topicName('missing'), [{ key: 'k', value: 'nowhere' }]),
      ...Array.from({ length: 5 }, (_, i) => log.append(topic, [{ key: 'k', value: `v${i}` }])),
    ]);
    expect(missing).toMatchObject({ status: 'rejected', reason: { message: expect.stringMatching(/does not exist/) } });
    expect(fine.map((result) => result.status)).toEqual(Array(5).fill('fulfilled'));
    expect(await log.highWaterMarks(topic)).toEqual({ 0: 5 });
  });

  it('stops a follower and reports the error when its handler throws', async () => {
    const topic = topicName('handler-error');
    await log.provision([{ topic }]);
    await log.append(topic, [
      { key: 'k', value: 'one' },
      { key: 'k', value: 'two' },
    ]);
    const failure = new Error('projection bug');
    let calls = 0;
    const reported = new Promise<Error>((resolve) => {
      void log.follow(topic, {
        onBatch: () => {
          calls++;
          throw failure;
        },
        onError: resolve,
      });
    });
    expect(await reported).toBe(failure);
    await log.append(topic, [{ key: 'k', value: 'three' }]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(calls).toBe(1);
  });
});

describe('kafka event log without a broker', () => {
  // Nothing listens on port 1: every connection attempt is refused at once.
  const log = createKafkaLog({ brokers: ['127.0.0.1:1'], clientId: 'kafka-log-test', appendTimeoutMs: 3_000 });
  afterAll(() => log.close());

  it('fails an append with LogUnavailableError, not after the retries of kafkajs', async () => {
    const startedAt = Date.now();
    await expect(log.append('any', [{ key: 'k', value: 'v' }])).rejects.toBeInstanceOf(LogUnavailableError);
    // The append timeout is 3 s; kafkajs's own retries of a refused connection take over 30 s.
    // The bound tells the two apart with room for a loaded machine.
    expect(Date.now() - startedAt).toBeLessThan(15_000);
  });

  it('fails provision, highWaterMarks and follow with LogUnavailableError', async () => {
    await expect(log.provision([{ topic: 'any' }])).rejects.toBeInstanceOf(LogUnavailableError);
    await expect(log.highWaterMarks('any')).rejects.toBeInstanceOf(LogUnavailableError);
    await expect(log.follow('any', { onBatch: () => {} })).rejects.toBeInstanceOf(LogUnavailableError);
  });

  it('says it is unhealthy without waiting for the retries of kafkajs', async () => {
    const startedAt = Date.now();
    expect(await log.healthy()).toBe(false);
    // About a second on an idle machine; a probe that waited for retries would take over 30 s.
    expect(Date.now() - startedAt).toBeLessThan(15_000);
  });
});

// Restarting needs a broker this test may stop and start: its own, never the shared one other
// test files use at the same time.
describe('kafka event log across a broker restart', () => {
  let kafka: PrivateKafka;
  beforeAll(async () => {
    kafka = await startPrivateKafka();
  }, 150_000);
  afterAll(async () => {
    await kafka?.dispose();
  });

  it('keeps following from where it was, delivering each record once', async () => {
    const log = createKafkaLog({ brokers: kafka.brokers, clientId: 'kafka-log-restart-test', appendTimeoutMs: 3_000 });
    const topic = topicName('restart');
    await log.provision([{ topic, partitions: 2 }]);
    await log.append(
      topic,
      ['a', 'b', 'c', 'd'].map((key) => ({ key, value: `before-${key}` })),
    );
    const delivered: LogRecord[] = [];
    const errors: Error[] = [];
    const follower = await log.follow(topic, {
      onBatch: (batch) => void delivered.push(...batch),
      onError: (e) => errors.push(e),
    });
    await waitUntil(() => delivered.length === 4);

    await kafka.stop();
    try {
      await expect(log.append(topic, [{ key: 'a', value: 'lost' }])).rejects.toBeInstanceOf(LogUnavailableError);
      expect(await log.healthy()).toBe(false);
    } finally {
      await kafka.start();
    }
    await log.append(
      topic,
      ['a', 'b', 'c', 'd'].map((key) => ({ key, value: `after-${key}` })),
    );
    await waitUntil(() => delivered.length >= 8, 30_000);
    // Sentinels on every key (so both partitions): anything delivered twice comes before them.
    await log.append(
      topic,
      ['a', 'b', 'c', 'd'].map((key) => ({ key, value: `sentinel-${key}` })),
    );
    await waitUntil(() => delivered.filter((r) => r.value?.toString().startsWith('sentinel-')).length === 4, 30_000);
    await follower.close();
    await log.close();

    const values = delivered.map((r) => r.value?.toString());
    expect(values.filter((v) => v?.startsWith('before-')).sort()).toEqual(['before-a', 'before-b', 'before-c', 'before-d']);
    expect(values.filter((v) => v?.startsWith('after-')).sort()).toEqual(['after-a', 'after-b', 'after-c', 'after-d']);
    expect(values).not.toContain('lost');
    expect(values).toHaveLength(12);
    expect(new Set(delivered.map((r) => `${r.partition}/${r.offset}`)).size).toBe(delivered.length);
    expect(errors).toEqual([]);
  }, 180_000);
});

async function waitUntil(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
