import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import type { EventLog, TopicSpec } from '../src/log/port.ts';
import { eventTopicConfig, provisionEventTopics } from '../src/topics.ts';

describe('topic retention (TOPIC_RETENTION)', () => {
  it('compacts by default, as the original did: the latest record of each entity, never deleted by age or size', () => {
    expect(eventTopicConfig('compact')).toEqual({ 'cleanup.policy': 'compact', 'retention.ms': '-1', 'retention.bytes': '-1' });
    expect(loadConfig({}).TOPIC_RETENTION).toBe('compact');
  });

  it('keeps every event forever with full: deletion by a policy that has no limit', () => {
    expect(eventTopicConfig('full')).toEqual({ 'cleanup.policy': 'delete', 'retention.ms': '-1', 'retention.bytes': '-1' });
    expect(loadConfig({ TOPIC_RETENTION: 'full' }).TOPIC_RETENTION).toBe('full');
  });

  it('refuses any other value at start, naming the variable', () => {
    expect(() => loadConfig({ TOPIC_RETENTION: 'forever' })).toThrow(/TOPIC_RETENTION/);
  });

  it('creates the services’ topics with the configuration of the chosen policy', async () => {
    const asked: TopicSpec[] = [];
    const log = { provision: async (specs: readonly TopicSpec[]) => void asked.push(...specs) } as unknown as EventLog;
    await provisionEventTopics(log, ['a', 'b'], 3, 'full');
    expect(asked).toEqual([
      { topic: 'a', partitions: 3, config: eventTopicConfig('full') },
      { topic: 'b', partitions: 3, config: eventTopicConfig('full') },
    ]);
  });
});
