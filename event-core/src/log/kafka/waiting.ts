/**
 * How the Kafka adapter waits: out a broker that is up but not ready, for an event a kafkajs
 * listener reports, and never longer than a deadline. One backoff for every retry of the adapter.
 */
import { LogUnavailableError } from '../port.ts';
import { brokerNotReady, toLogError } from './errors.ts';

/**
 * The pause before retry number `attempt` (0 for the first), in ms: 250, doubling up to 2 000. A
 * client is back about that long after its broker, and a refused connection every 2 s is cheap.
 */
export function backoffMs(attempt: number): number {
  return Math.min(250 * 2 ** attempt, 2_000);
}

/**
 * Runs `operation`, again after a {@link backoffMs} pause while the broker answers that it is up
 * but not ready (a topic just created whose leader it does not know yet, a coordinator loading),
 * for at most `budgetMs`; any other failure, or the last one, is thrown as it is. `stopped` ends the
 * waiting early (a closed follower); `beforeRetry` runs before each pause (to drop a half-started
 * client, to log).
 */
export async function whileBrokerNotReady<T>(
  budgetMs: number,
  operation: () => Promise<T>,
  {
    stopped = () => false,
    beforeRetry,
  }: { readonly stopped?: () => boolean; readonly beforeRetry?: (error: unknown, delayMs: number) => Promise<void> | void } = {},
): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      const delayMs = backoffMs(attempt);
      if (stopped() || !brokerNotReady(error) || Date.now() + delayMs > deadline) throw error;
      await beforeRetry?.(error, delayMs);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/** {@link whileBrokerNotReady}, its last failure as the port promises it (see {@link toLogError}). */
export async function untilBrokerReady<T>(topics: string, budgetMs: number, operation: () => Promise<T>): Promise<T> {
  try {
    return await whileBrokerNotReady(budgetMs, operation);
  } catch (error) {
    throw toLogError(error, topics);
  }
}

/** A promise settled from outside, by a kafkajs event listener. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  readonly resolve: (value: T) => void;
  readonly reject: (error: Error) => void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * Rejects when `promise` has not settled after `ms`, with `onTimeout()` (default: a
 * {@link LogUnavailableError} saying Kafka did not answer); the loser's rejection is swallowed.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout?: () => Error): Promise<T> {
  promise.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout?.() ?? new LogUnavailableError(`no answer from Kafka within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
