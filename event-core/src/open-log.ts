import { join } from 'node:path';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import { createEmbeddedLog } from './log/embedded.ts';
import { createKafkaLog } from './log/kafka.ts';
import type { EventLog } from './log/port.ts';

/** The log the configuration asks for: Kafka when `KAFKA_BROKERS` is set, else the embedded log in `DATA_DIR`. */
export function openEventLog(config: Pick<Config, 'KAFKA_BROKERS' | 'DATA_DIR'>, logger: Logger, clientId: string): EventLog {
  if (config.KAFKA_BROKERS) {
    logger.info({ brokers: config.KAFKA_BROKERS }, 'event log: Kafka');
    return createKafkaLog({ brokers: config.KAFKA_BROKERS, clientId, logger: logger.child({ module: 'kafka' }) });
  }
  const file = join(config.DATA_DIR, 'events.sqlite');
  logger.info({ file }, 'event log: embedded');
  return createEmbeddedLog({ file });
}
