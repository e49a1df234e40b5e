/**
 * Live consumption of the Kafka log. Followers use a fresh consumer group each, read from the
 * beginning and commit nothing: the position is the caller's (`from`), as in the original services
 * that rebuilt their state from offset 0 at every start.
 */
import { randomUUID } from 'node:crypto';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { LogUnavailableError, type FollowOptions, type Follower, type LogRecord } from '../port.ts';
import { asError, isRetriable } from './errors.ts';
import type { KafkaLogLogger } from './log-lines.ts';
import { KafkaRecord } from './records.ts';
import { backoffMs, deferred, whileBrokerNotReady, withTimeout } from './waiting.ts';

export interface FollowerSettings {
  readonly clientId: string;
  readonly logger: KafkaLogLogger | undefined;
  readonly followTimeoutMs: number;
  readonly maxWaitTimeMs: number;
  readonly onClosed: () => void;
}

/**
 * One live reader of a topic. It owns its position (`next` offset per partition) instead of
 * relying on consumer-group offsets, so it can survive a broker restart: when kafkajs gives up on a
 * consumer, the follower starts a new one, in a new group, from where it was.
 */
export class KafkaFollower implements Follower {
  /** Next offset to deliver, per partition; records below it were delivered already. */
  private readonly next = new Map<number, number>();
  private consumer: Consumer | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private restarts = 0;
  /** It lost its consumer and has not fetched with a new one yet: records appended now do not reach it. */
  recovering = false;
  private stopped = false;
  /** The handler call in progress, so `close` can wait for it. */
  private delivering: Promise<void> = Promise.resolve();

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly options: FollowOptions,
    private readonly settings: FollowerSettings,
  ) {
    for (const [partition, offset] of Object.entries(options.from ?? {})) this.next.set(Number(partition), offset);
  }

  /**
   * Starts the first consumer. A broker that answers but is not ready yet (a new broker whose group
   * coordinator is still loading its internal topic takes 10 s and more on a busy machine) is
   * waited for, up to `followTimeoutMs`, so a service started together with its broker comes up;
   * a broker that cannot be reached at all fails at once, as `follow` promises.
   */
  async open(): Promise<void> {
    await whileBrokerNotReady(this.settings.followTimeoutMs, () => this.start(), {
      stopped: () => this.stopped,
      beforeRetry: async (error, delayMs) => {
        await this.consumer?.disconnect().catch(() => undefined);
        this.settings.logger?.debug(
          { topic: this.topic, error: asError(error).message, retryInMs: delayMs },
          'Kafka is not ready for a follower yet',
        );
      },
    });
  }

  /** Starts a consumer; resolves once it has joined its group and fetches, rejects if it cannot. */
  async start(): Promise<void> {
    const consumer = this.kafka.consumer({
      // A group of its own: every follower reads every partition, and no committed offset of an
      // earlier consumer can move its position.
      groupId: `${this.settings.clientId}-${randomUUID()}`,
      maxWaitTimeInMs: this.settings.maxWaitTimeMs,
      allowAutoTopicCreation: false,
      // kafkajs would restart a crashed consumer itself, but in the same group, whose stale member
      // the broker keeps for a session timeout after an outage, delaying the rejoin by up to 30 s.
      // The follower restarts it instead, in a fresh group (see `onCrash`).
      retry: { initialRetryTime: 300, maxRetryTime: 3_000, retries: 5, restartOnFailure: async () => false },
    });
    this.consumer = consumer;

    let fetching = false;
    const started = deferred();
    // Partitions are assigned at every (re)join, and a new assignment starts where the group's
    // committed offsets say, which is nowhere (`fromBeginning`). Seek every partition back to the
    // follower's own position before the first fetch of the generation. kafkajs calls the
    // listener synchronously while joining, before it fetches.
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      for (const partition of payload.memberAssignment[this.topic] ?? []) {
        consumer.seek({ topic: this.topic, partition, offset: String(this.next.get(partition) ?? 0) });
      }
    });
    consumer.on(consumer.events.FETCH_START, () => {
      fetching = true;
      if (consumer === this.consumer) this.recovering = false;
      started.resolve();
    });
    // A crash before the first fetch fails this start (and `follow`, or the restart that called
    // it); a crash after it is the follower's to recover from.
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (fetching) this.onCrash(consumer, payload.error);
      else started.reject(payload.error);
    });

    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: true });
    // Closed meanwhile: `run` would connect the consumer again after `close` disconnected it.
    if (this.stopped) return consumer.disconnect();
    await consumer.run({
      autoCommit: false,
      eachBatch: (payload) => this.onKafkaBatch(consumer, payload),
    });
    await withTimeout(
      started.promise,
      this.settings.followTimeoutMs,
      () =>
        new LogUnavailableError(
          `the follower of ${this.topic} did not join its group within ${this.settings.followTimeoutMs} ms`,
        ),
    );
    this.restarts = 0;
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    // kafkajs' disconnect waits for the batch in progress, so no handler runs once it resolves.
    await this.consumer?.disconnect().catch(() => undefined);
    await this.delivering;
    this.settings.onClosed();
  }

  private async onKafkaBatch(consumer: Consumer, { batch, heartbeat }: EachBatchPayload): Promise<void> {
    if (this.stopped || consumer !== this.consumer) return;
    const partition = batch.partition;
    const next = this.next.get(partition) ?? 0;
    // After a restart or a seek past the end (which kafkajs answers by resetting to the
    // beginning), a fetch can return records that were delivered already: drop them, so each
    // record reaches the handler exactly once, in order.
    const records: LogRecord[] = [];
    for (const message of batch.messages) {
      const offset = Number(message.offset);
      if (offset >= next) records.push(new KafkaRecord(this.topic, partition, offset, message));
    }
    if (records.length === 0) return;
    const delivery = (async () => this.options.onBatch(records))();
    this.delivering = delivery.catch(() => undefined);
    try {
      await delivery;
    } catch (error) {
      // A handler that throws has not applied the batch, and applying later batches would skip
      // it: the follower stops for good. `fail` does not wait for the consumer to disconnect,
      // which waits for this very callback to return.
      this.fail(asError(error));
      return;
    }
    this.next.set(partition, records[records.length - 1]!.offset + 1);
    // A long catch-up would otherwise send no heartbeat between batches and lose the group.
    await heartbeat();
  }

  private onCrash(consumer: Consumer, error: Error): void {
    if (this.stopped || consumer !== this.consumer) return;
    if (!isRetriable(error)) {
      this.fail(error);
      return;
    }
    // The broker is unreachable or restarting: try again with a new consumer, after the adapter's
    // backoff. The service can write again only once its follower is back (a mutation waits for
    // its own projector), so the pause stays short.
    this.recovering = true;
    const delayMs = backoffMs(this.restarts);
    // Once per outage at warn: the retries that follow say nothing new.
    const details = { topic: this.topic, error: error.message, retryInMs: delayMs };
    if (this.restarts++ === 0) this.settings.logger?.warn(details, 'Kafka follower lost its consumer; restarting it');
    else this.settings.logger?.debug(details, 'Kafka follower lost its consumer; restarting it');
    this.restartTimer = setTimeout(() => {
      void consumer.disconnect().catch(() => undefined);
      if (this.stopped) return;
      this.start().catch((restartError: unknown) => this.onCrash(this.consumer ?? consumer, asError(restartError)));
    }, delayMs);
  }

  private fail(error: Error): void {
    if (this.stopped) return;
    this.stopped = true;
    this.settings.logger?.error({ topic: this.topic, error: error.message }, 'Kafka follower stopped');
    void this.consumer?.disconnect().catch(() => undefined);
    this.settings.onClosed();
    this.options.onError?.(error);
  }
}
