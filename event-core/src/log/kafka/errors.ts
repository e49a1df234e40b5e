/**
 * Reading kafkajs' errors, and turning them into what the event-log port promises: one place for
 * the adapter, its follower, its reader and the snapshot store.
 */
import { LogUnavailableError } from '../port.ts';

/** What kafkajs' errors carry that the adapters read. */
export interface KafkaJSErrorLike {
  readonly name?: string;
  readonly type?: string;
  readonly retriable?: boolean;
  readonly cause?: unknown;
}

/** kafkajs wraps the error that made it give up (`KafkaJSNumberOfRetriesExceeded.cause`). */
export function rootCause(error: unknown): KafkaJSErrorLike {
  let current = error as KafkaJSErrorLike;
  while (current?.cause) current = current.cause as KafkaJSErrorLike;
  return current ?? {};
}

/** The broker answered with a retriable protocol error (coordinator loading, leader election): it is up, not ready. */
export function brokerNotReady(error: unknown): boolean {
  const cause = rootCause(error);
  return cause.name === 'KafkaJSProtocolError' && cause.retriable === true;
}

/**
 * The rule kafkajs applies before restarting a crashed consumer, plus this adapter's own timeouts,
 * plus a missing group coordinator: kafkajs calls that final, but it is what a broker answers while
 * it starts, restarts or is too busy to load the coordinator, and it passes. Plus kafkajs' plain
 * `Error('Broker not connected')` (`broker/index.js`): a request made on a broker connection that
 * kafkajs closed meanwhile, as it does when a broker of a cluster stops answering; a new consumer
 * connects afresh.
 */
export function isRetriable(error: unknown): boolean {
  const cause = rootCause(error);
  return (
    error instanceof LogUnavailableError ||
    (error as KafkaJSErrorLike)?.name === 'KafkaJSNumberOfRetriesExceeded' ||
    cause.retriable === true ||
    cause.name === 'KafkaJSGroupCoordinatorNotFound' ||
    (cause as { message?: unknown }).message === BROKER_NOT_CONNECTED
  );
}

/** kafkajs' message for a request on a broker connection it has closed. */
const BROKER_NOT_CONNECTED = 'Broker not connected';

/**
 * Turns a kafkajs failure into what the port promises: {@link LogUnavailableError} when Kafka could
 * not be reached or did not answer in time (the caller may retry later), a plain error naming the
 * topic when it does not exist, and any other error as it is. `notStored` is passed on to a
 * `LogUnavailableError` made here (see {@link LogUnavailableError.notStored}).
 */
export function toLogError(error: unknown, topics: string, { notStored = false } = {}): Error {
  if (error instanceof LogUnavailableError) return error;
  const cause = rootCause(error);
  if (cause.type === 'UNKNOWN_TOPIC_OR_PARTITION') {
    return new Error(`topic "${topics}" does not exist: provision it first`, { cause: error });
  }
  if (isRetriable(error)) {
    return new LogUnavailableError(`Kafka is unavailable (${topics}): ${asError(error).message}`, { cause: error, notStored });
  }
  return asError(error);
}

/** Why kafkajs gives up on a send its callers were already answered for (see the producer's partitioner). */
export const ABANDONED = 'append abandoned at its deadline; not sent again';

/** What every operation of a closed Kafka log fails with. */
export function closedLogError({ notStored = false } = {}): LogUnavailableError {
  return new LogUnavailableError('the Kafka event log is closed', { notStored });
}

export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
