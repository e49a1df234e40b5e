import { join } from 'node:path';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import { createEmbeddedLog } from './log/embedded.ts';
import { createKafkaLog } from './log/kafka/log.ts';
import type { EventLog } from './log/port.ts';
import type { SnapshotSettings } from './snapshot/snapshotter.ts';
import type { SASLOptions } from 'kafkajs';

/**
 * How long an append to Kafka may take before it fails: 5 s, or half the mutation timeout when that
 * is shorter, so that the adapter knows whether an append was stored before the mutation has to
 * answer (else a short `MUTATION_TIMEOUT_MS` would answer `MAYBE` where `NO` was known soon after).
 */
export function appendTimeoutFor(mutationTimeoutMs: number): number {
  return Math.min(5_000, Math.max(1, Math.floor(mutationTimeoutMs / 2)));
}

/** The log the configuration asks for: Kafka when `KAFKA_BROKERS` is set, else the embedded log in `DATA_DIR`. */
export function openEventLog(
  config: Pick<
    Config,
    | 'KAFKA_BROKERS'
    | 'MUTATION_TIMEOUT_MS'
    | 'DATA_DIR'
    | 'TOPIC_REPLICATION_FACTOR'
    | 'TOPIC_MIN_INSYNC_REPLICAS'
    | 'KAFKA_SSL'
    | 'KAFKA_SASL_MECHANISM'
    | 'KAFKA_SASL_USERNAME'
    | 'KAFKA_SASL_PASSWORD'
  >,
  logger: Logger,
  clientId: string,
): EventLog {
  if (config.KAFKA_BROKERS) {
    const { KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = config;
    logger.info({ brokers: config.KAFKA_BROKERS, ssl: config.KAFKA_SSL, sasl: mechanism ?? 'none' }, 'event log: Kafka');
    return createKafkaLog({
      brokers: config.KAFKA_BROKERS,
      clientId,
      logger: logger.child({ module: 'kafka' }),
      replicationFactor: config.TOPIC_REPLICATION_FACTOR,
      ...(config.TOPIC_MIN_INSYNC_REPLICAS ? { minInsyncReplicas: config.TOPIC_MIN_INSYNC_REPLICAS } : {}),
      appendTimeoutMs: appendTimeoutFor(config.MUTATION_TIMEOUT_MS),
      ...(config.KAFKA_SSL ? { ssl: true } : {}),
      ...(mechanism && username && password ? { sasl: saslOptions(mechanism, username, password) } : {}),
    });
  }
  const file = join(config.DATA_DIR, 'events.sqlite');
  logger.info({ file }, 'event log: embedded');
  return createEmbeddedLog({ file });
}

/**
 * Where and how often the services keep read-model snapshots, as the configuration says: in the
 * log's own store (a table of the embedded log, compacted topics on Kafka); undefined when
 * `SNAPSHOTS=false` or the log keeps none.
 */
export function snapshotSettingsFrom(
  config: Pick<
    Config,
    'SNAPSHOTS' | 'SNAPSHOT_EVERY_EVENTS' | 'SNAPSHOT_EVERY_MINUTES' | 'SNAPSHOT_CPU_PERCENT' | 'TOPIC_PREFIX'
  >,
  log: EventLog,
): SnapshotSettings | undefined {
  const store = config.SNAPSHOTS ? log.snapshotStore?.({ topicPrefix: config.TOPIC_PREFIX }) : undefined;
  if (!store) return undefined;
  return {
    store,
    everyEvents: config.SNAPSHOT_EVERY_EVENTS,
    everyMs: config.SNAPSHOT_EVERY_MINUTES * 60_000,
    cpuShare: config.SNAPSHOT_CPU_PERCENT / 100,
  };
}

/** kafkajs types each SASL mechanism apart; one switch keeps that out of the wiring. */
function saslOptions(mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512', username: string, password: string): SASLOptions {
  switch (mechanism) {
    case 'plain':
      return { mechanism, username, password };
    case 'scram-sha-256':
      return { mechanism, username, password };
    case 'scram-sha-512':
      return { mechanism, username, password };
    default: {
      const unknown: never = mechanism;
      throw new Error(`unknown SASL mechanism ${String(unknown)}`);
    }
  }
}
