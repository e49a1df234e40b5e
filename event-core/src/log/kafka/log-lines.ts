/** Where kafkajs' own log lines go: the adapter's logger, one step quieter where kafkajs is loud. */
import { logLevel, type KafkaConfig, type LogEntry } from 'kafkajs';
import { ABANDONED } from './errors.ts';

/** The logger methods the adapter uses, in pino's `(object, message)` form. */
export interface KafkaLogLogger {
  debug(object: object, message?: string): void;
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

export type KafkaLogLevel = 'error' | 'warn' | 'info' | 'debug';

const KAFKAJS_LEVELS = {
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
} as const;

/** The kafkajs client settings that send its lines from `level` up to `logger`; none without a logger. */
export function kafkaLogSettings(
  logger: KafkaLogLogger | undefined,
  level: KafkaLogLevel,
): Required<Pick<KafkaConfig, 'logLevel' | 'logCreator'>> {
  return {
    logLevel: logger ? KAFKAJS_LEVELS[level] : logLevel.NOTHING,
    logCreator: () => (entry) => forwardKafkaLog(logger, entry),
  };
}

/**
 * Routes kafkajs' log lines to the adapter's logger, one step quieter where kafkajs is loud about
 * what is handled anyway. kafkajs logs every failed connection attempt and every protocol error
 * reply as an error, before it retries, and a crashed consumer before the follower restarts it: a
 * broker restart would write hundreds of error lines. What cannot be handled reaches the caller as
 * a rejected promise (`LogUnavailableError`) or `onError`, and the caller logs it once.
 */
function forwardKafkaLog(logger: KafkaLogLogger | undefined, { namespace, level, log }: LogEntry): void {
  if (!logger) return;
  const { message, timestamp: _timestamp, logger: _source, ...fields } = log;
  const entry = { kafkajs: namespace, ...fields };
  if (namespace === 'Connection' || namespace === 'BrokerPool' || isHandledElsewhere(message)) {
    return logger.debug(entry, message);
  }
  switch (level) {
    case logLevel.NOTHING:
    case logLevel.ERROR:
    case logLevel.WARN:
      return logger.warn(entry, message);
    case logLevel.INFO:
      return logger.info(entry, message);
    case logLevel.DEBUG:
      return logger.debug(entry, message);
    default: {
      const unknown: never = level;
      return logger.warn(entry, `${message} (kafkajs log level ${String(unknown)})`);
    }
  }
}

/**
 * - A consumer's crash: the follower logs it, with its restart delay.
 * - kafkajs warns that limiting the idempotent producer's retries "may invalidate EoS guarantees":
 *   once it gives up, a record may or may not have been written. That is the documented outcome of
 *   a failed append here (the caller retries with its idempotency key), the price of failing fast.
 * - The deadline fence stopping a send (see the producer's partitioner): the caller has its error already.
 */
function isHandledElsewhere(message: string): boolean {
  return (
    message.startsWith('Crash: ') || message.startsWith('Limiting retries for the idempotent producer') || message === ABANDONED
  );
}
