import type { EventLog } from './log/port.ts';

/**
 * What the services ask of an event topic they create (`TOPIC_RETENTION`):
 * - `compact`: the original's policy. Each key keeps at least its latest record, which holds the
 *   whole entity, so every current state survives; older records of a key may be removed, and
 *   with them that entity's history and past states.
 * - `full`: nothing is ever removed, so history and time travel reach back to the first event.
 */
export type TopicRetention = 'compact' | 'full';

/**
 * Settings of every event topic, as the original's `init-topics.sh` had them: compacted (each key
 * keeps at least its latest record, which holds the whole entity) and never deleted by age or size.
 */
export const EVENT_TOPIC_CONFIG: Readonly<Record<string, string>> = {
  'cleanup.policy': 'compact',
  'retention.ms': '-1',
  'retention.bytes': '-1',
};

/** Every record kept forever: `delete` with no time or size limit never deletes. */
export const FULL_HISTORY_TOPIC_CONFIG: Readonly<Record<string, string>> = {
  'cleanup.policy': 'delete',
  'retention.ms': '-1',
  'retention.bytes': '-1',
};

/** The topic configuration for a retention policy. */
export function eventTopicConfig(retention: TopicRetention): Readonly<Record<string, string>> {
  switch (retention) {
    case 'compact':
      return EVENT_TOPIC_CONFIG;
    case 'full':
      return FULL_HISTORY_TOPIC_CONFIG;
    default: {
      const unknown: never = retention;
      throw new Error(`unknown topic retention ${String(unknown)}`);
    }
  }
}

/**
 * Creates the given event topics if they do not exist yet; safe to call at every start. An
 * existing topic keeps its configuration: changing the policy of a topic is an operator's
 * `kafka-configs --alter` (see docs/history.md).
 */
export async function provisionEventTopics(
  log: EventLog,
  topics: readonly string[],
  partitions = 1,
  retention: TopicRetention = 'compact',
): Promise<void> {
  await log.provision(topics.map((topic) => ({ topic, partitions, config: eventTopicConfig(retention) })));
}
