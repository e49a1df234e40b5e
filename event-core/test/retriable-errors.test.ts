import {
  KafkaJSConnectionError,
  KafkaJSError,
  KafkaJSGroupCoordinatorNotFound,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
} from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { isRetriable } from '../src/log/kafka/errors.ts';
import { LogUnavailableError } from '../src/log/port.ts';

// Which failures make a Kafka follower start a new consumer (and keep its projector alive) rather
// than stop for good. A wrong answer here is a service that never recovers from a broker restart.
describe('isRetriable', () => {
  it('retries what passes: lost connections, exhausted retries, this adapter’s own timeouts', () => {
    expect(isRetriable(new KafkaJSConnectionError('Connection error: ECONNREFUSED'))).toBe(true);
    expect(isRetriable(new KafkaJSNumberOfRetriesExceeded(new Error('timed out'), { retryCount: 5, retryTime: 1_000 }))).toBe(
      true,
    );
    expect(isRetriable(new LogUnavailableError('no answer in 30 s'))).toBe(true);
  });

  it('retries a missing group coordinator, which kafkajs calls final, also wrapped by its retrier', () => {
    // kafkajs's type declarations lag its constructors here: build them the way kafkajs does.
    const notFound = Reflect.construct(KafkaJSGroupCoordinatorNotFound, ['Failed to find group coordinator']) as Error;
    expect(isRetriable(notFound)).toBe(true);
    const wrapped = Reflect.construct(KafkaJSNonRetriableError, [notFound, { cause: notFound }]) as Error;
    expect(isRetriable(wrapped)).toBe(true);
  });

  it('stops on what will not pass by itself', () => {
    expect(isRetriable(new KafkaJSNonRetriableError('Topic authorization failed'))).toBe(false);
    expect(isRetriable(new KafkaJSError('bad config', { retriable: false }))).toBe(false);
    expect(isRetriable(new TypeError('a bug'))).toBe(false);
  });
});
