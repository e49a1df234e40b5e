import type { EventLog } from './log/port.ts';

/**
 * Settings of every event topic, as the original's `init-topics.sh` had them: compacted (each key
 * keeps at least its latest record, which holds the whole entity) and never deleted by age or size.
 */
export const EVENT_TOPIC_CONFIG: Readonly<Record<string, string>> = {
  'cleanup.policy': 'compact',
  'retention.ms': '-1',
  'retention.bytes': '-1',
};

/** Creates the given event topics if they do not exist yet; safe to call at every start. */
export async function provisionEventTopics(log: EventLog, topics: readonly string[], partitions = 1): Promise<void> {
  await log.provision(topics.map((topic) => ({ topic, partitions, config: EVENT_TOPIC_CONFIG })));
}
