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
 * Runs `operation`, again with a growing pause (250 ms, doubling up to 2 s) while the broker
 * answers that it is up but not ready (a topic just created whose leader it does not know yet, a
 * coordinator loading), for at most `budgetMs`; any other failure, or the last one, is thrown as
 * it is. `stopped` ends the waiting early (a closed follower); `beforeRetry` runs before each pause
 * (to drop a half-started client, to log).
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
      const delayMs = Math.min(250 * 2 ** attempt, 2_000);
      if (stopped() || !brokerNotReady(error) || Date.now() + delayMs > deadline) throw error;
      await beforeRetry?.(error, delayMs);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
