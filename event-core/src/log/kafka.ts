/**
 * The Kafka adapter of the event-log port, on kafkajs.
 *
 * Delivery guarantees, and the kafkajs behaviour they rest on:
 * - Appends are acknowledged by all in-sync replicas (`acks=-1`) through an idempotent producer, so
 *   kafkajs' own retries cannot duplicate or reorder records within a partition.
 * - kafkajs' idempotent producer silently loses records when more sends are in flight at once than
 *   the topic has partitions: every send resolves, but only some records are stored
 *   (tulios/kafkajs#1005, open). So there is never more than one `sendBatch` in flight: concurrent
 *   appends wait in a queue and the next send takes all of them at once (group commit), which is
 *   also what makes concurrent mutations fast.
 * - Followers use a fresh consumer group each, read from the beginning and commit nothing: the
 *   position is the caller's (`from`), as in the original services that rebuilt their state from
 *   offset 0 at every start.
 */
import { randomUUID } from 'node:crypto';
import {
  Kafka,
  Partitioners,
  logLevel,
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type IHeaders,
  type KafkaConfig,
  type KafkaMessage,
  type LogEntry,
  type Message,
  type Producer,
  type RecordMetadata,
} from 'kafkajs';
import {
  LogUnavailableError,
  type AppendResult,
  type EventLog,
  type FollowOptions,
  type Follower,
  type LogRecord,
  type OutgoingRecord,
  type TopicSpec,
} from './port.ts';
import { rootCause, whileBrokerNotReady, type KafkaJSErrorLike } from './kafka-errors.ts';
import { replayKafkaTopic } from './kafka-replay.ts';
import { createKafkaSnapshotStore } from '../snapshot/kafka-store.ts';

/** The logger methods the adapter uses, in pino's `(object, message)` form. */
export interface KafkaLogLogger {
  debug(object: object, message?: string): void;
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

export interface KafkaLogOptions {
  /** Bootstrap servers, e.g. `['127.0.0.1:9092']`. */
  readonly brokers: readonly string[];
  /** Client id sent to Kafka; also the prefix of every follower's consumer group id. */
  readonly clientId: string;
  /** Receives kafkajs' own log lines (see `kafkaLogLevel`) and the adapter's. Default: none. */
  readonly logger?: KafkaLogLogger;
  /** Least severe kafkajs log line passed to `logger`. Default `warn`. */
  readonly kafkaLogLevel?: 'error' | 'warn' | 'info' | 'debug';
  /**
   * Longest time an `append` waits, queueing included, before it fails with
   * {@link LogUnavailableError}, in ms. Default 5000.
   */
  readonly appendTimeoutMs?: number;
  /** Replication factor of topics created by `provision`. Default 1 (local broker); production 3. */
  readonly replicationFactor?: number;
  /**
   * `min.insync.replicas` of topics created by `provision`: how many copies an append (`acks=-1`)
   * must have before it is acknowledged. Default one less than `replicationFactor`, at least 1
   * (2 of 3: a write survives the loss of any one broker, and writes go on while one is away).
   * A topic's own `config` wins.
   */
  readonly minInsyncReplicas?: number;
  /** Most records one group-commit send takes. Default 1000. */
  readonly maxBatchRecords?: number;
  /**
   * Most bytes (keys, values, headers) one group-commit send takes. Default 512 KiB, half the
   * broker's default `max.message.bytes`: merged appends must not push a partition's record batch
   * over the limit, or one caller's large records would fail its neighbours too. A single larger
   * append is still sent, alone.
   */
  readonly maxBatchBytes?: number;
  /** Longest time `follow` waits for its consumer to join its group and start fetching, in ms. Default 30 000. */
  readonly followTimeoutMs?: number;
  /**
   * How long the broker may hold an idle fetch, in ms. Default 100. New records end a held fetch
   * at once (the consumer asks for at least one byte), so this does not delay delivery; it bounds
   * how long closing a follower or rejoining its group waits for an idle fetch to return.
   */
  readonly maxWaitTimeMs?: number;
  /** Longest time `healthy()` waits for the broker, in ms. Default 1000. */
  readonly healthTimeoutMs?: number;
  /** TLS to the brokers: `true` for the system's CAs, or Node TLS options. Default off. */
  readonly ssl?: KafkaConfig['ssl'];
  /** SASL authentication (PLAIN or SCRAM). Default none. */
  readonly sasl?: KafkaConfig['sasl'];
}

/** One caller's `append`, waiting in the group-commit queue or in flight. */
interface PendingAppend {
  readonly topic: string;
  readonly records: readonly OutgoingRecord[];
  readonly bytes: number;
  readonly resolve: (results: AppendResult[]) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
  settled: boolean;
  /** The send that carries it, once it left the queue. */
  send?: GroupSend;
}

/** One group-commit `sendBatch`: the appends it carries and how far kafkajs got with them. */
interface GroupSend {
  readonly entries: readonly PendingAppend[];
  /** kafkajs began an attempt (it asks the partitioner just before it writes a produce request): the records may be stored. */
  attempted: boolean;
  /** Its callers were told it failed: kafkajs may not begin another attempt (see the partitioner). */
  abandoned: boolean;
}

/** Why kafkajs gives up on a send its callers were already answered for (see the partitioner). */
const ABANDONED = 'append abandoned at its deadline; not sent again';

const KAFKAJS_LEVELS = {
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
} as const;

/**
 * Creates the Kafka event log. Connections are opened on first use, so creating it never fails
 * because the broker is down; `healthy()` tells whether it is reachable.
 */
export function createKafkaLog({
  brokers,
  clientId,
  logger,
  kafkaLogLevel = 'warn',
  appendTimeoutMs = 5_000,
  replicationFactor = 1,
  minInsyncReplicas = Math.max(1, replicationFactor - 1),
  maxBatchRecords = 1_000,
  maxBatchBytes = 512 * 1024,
  followTimeoutMs = 30_000,
  maxWaitTimeMs = 100,
  healthTimeoutMs = 1_000,
  ssl,
  sasl,
}: KafkaLogOptions): EventLog {
  const kafka = new Kafka({
    clientId,
    // kafkajs takes a new client's first broker from this list in turn, starting with the first
    // entry for every client (the adapter makes a new producer after each failed send, a new
    // consumer after each crash), and moves to the next one only when a connection is refused. A
    // first broker that accepts connections and answers nothing (frozen, cut off) would stall
    // every new client until it answered again; a list in a new order each time spreads them.
    brokers: () => shuffled(brokers),
    ...(ssl ? { ssl } : {}),
    ...(sasl ? { sasl } : {}),
    // Fail fast: a mutation must learn within `appendTimeoutMs` that the log is down, instead of
    // kafkajs retrying for minutes (its defaults: 5 retries up to 30 s apart, 30 s requests).
    connectionTimeout: 1_000,
    requestTimeout: Math.max(appendTimeoutMs, 1_000),
    retry: { initialRetryTime: 100, maxRetryTime: 1_000, retries: 3 },
    logLevel: logger ? KAFKAJS_LEVELS[kafkaLogLevel] : logLevel.NOTHING,
    logCreator: () => (entry) => forwardKafkaLog(logger, entry),
  });

  let closed = false;
  let admin: Promise<Admin> | undefined;
  let producer: Promise<Producer> | undefined;
  /** The partition kafkajs' partitioner chose for each message sent. */
  const partitionOf = new WeakMap<Message, number>();
  /** The send each message travels in, for the partitioner's deadline check. */
  const sendOf = new WeakMap<Message, GroupSend>();
  const queue: PendingAppend[] = [];
  let sending: Promise<void> | undefined;
  const followers = new Set<KafkaFollower>();
  /** One on-demand reader per topic, started by its first read. */
  const readers = new Map<string, KafkaReader>();

  const getAdmin = (): Promise<Admin> => {
    admin ??= connected(kafka.admin(), () => (admin = undefined));
    return admin;
  };

  const getProducer = (): Promise<Producer> => {
    if (!producer) {
      producer = connected(
        kafka.producer({
          idempotent: true,
          // With `idempotent`, kafkajs requires at most one request in flight per broker.
          maxInFlightRequests: 1,
          allowAutoTopicCreation: false,
          // kafkajs' default partitioner (murmur2 of the key, as the Java client), named explicitly
          // to silence its warning about the v2 default change. Wrapped to learn where each record
          // went: sendBatch reports one base offset per partition, not one offset per record.
          //
          // It is also the deadline fence. kafkajs retries a failed produce on its own (an
          // idempotent producer must allow retries), and a retry that started after the append
          // had failed for its caller could store records the caller was told were not stored: a
          // phantom write once the broker answers again. kafkajs calls the partitioner at the
          // start of every attempt, before it writes the request, so an abandoned send fails
          // here with a non-retriable error and kafkajs gives up instead of sending it again.
          createPartitioner: () => {
            const choose = Partitioners.DefaultPartitioner();
            return (args) => {
              const send = sendOf.get(args.message);
              if (send?.abandoned) throw Object.assign(new Error(ABANDONED), { retriable: false });
              if (send) send.attempted = true;
              const partition = choose(args);
              partitionOf.set(args.message, partition);
              return partition;
            };
          },
        }),
        () => (producer = undefined),
      );
    }
    return producer;
  };

  /** Drops the producer after a failed send, so the next send starts with a fresh producer id. */
  const discardProducer = (): void => {
    const old = producer;
    producer = undefined;
    void old?.then((p) => p.disconnect()).catch(() => undefined);
  };

  const settle = (entry: PendingAppend, outcome: { results: AppendResult[] } | { error: Error }): void => {
    if (entry.settled) return;
    entry.settled = true;
    clearTimeout(entry.timer);
    if ('results' in outcome) entry.resolve(outcome.results);
    else entry.reject(outcome.error);
  };

  /**
   * Takes the next group: the oldest waiting append and the later ones to the same topic, in
   * order, within the batch limits. One topic per send, so that an append to a topic that does not
   * exist fails alone instead of failing its neighbours.
   */
  const takeGroup = (): PendingAppend[] => {
    const first = queue.shift();
    if (!first) return [];
    const group = [first];
    let records = first.records.length;
    let bytes = first.bytes;
    for (let i = 0; i < queue.length;) {
      const next = queue[i]!;
      if (next.topic !== first.topic) {
        i++;
        continue;
      }
      if (records + next.records.length > maxBatchRecords || bytes + next.bytes > maxBatchBytes) break;
      queue.splice(i, 1);
      group.push(next);
      records += next.records.length;
      bytes += next.bytes;
    }
    return group;
  };

  /** Sends one group (appends to one topic) as one `sendBatch` and settles each caller. */
  const send = async (group: PendingAppend[]): Promise<void> => {
    const topic = group[0]!.topic;
    const state: GroupSend = { entries: group, attempted: false, abandoned: false };
    for (const entry of group) entry.send = state;
    const messagesOf = group.map((entry) =>
      entry.records.map((record): Message => {
        const message: Message = { key: record.key, value: record.value, headers: { ...record.headers } };
        sendOf.set(message, state);
        return message;
      }),
    );
    try {
      const p = await getProducer();
      const metadata = await p.sendBatch({
        acks: -1,
        timeout: appendTimeoutMs,
        topicMessages: [{ topic, messages: messagesOf.flat() }],
      });
      const offsets = offsetAssigner(metadata);
      const results = messagesOf.map((messages) =>
        messages.map((message): AppendResult => {
          const partition = partitionOf.get(message);
          if (partition === undefined) throw new Error('kafkajs did not report the partition of a record it sent');
          return { topic, partition, offset: offsets(partition) };
        }),
      );
      group.forEach((entry, i) => settle(entry, { results: results[i]! }));
    } catch (error) {
      // Once an attempt began, the outcome of a failed send is unknown (the broker may have stored
      // the records and lost the reply), and kafkajs may have left the idempotent producer's
      // sequence numbers out of step with the broker's. A new producer id starts clean; callers
      // retry with their own idempotency keys.
      discardProducer();
      const failure = toLogError(error, topic, { notStored: !state.attempted });
      for (const entry of group) settle(entry, { error: failure });
    }
  };

  /** Starts the next group-commit send unless one is in flight: never two sends at once. */
  const pump = (): void => {
    if (sending || queue.length === 0) return;
    const group = takeGroup();
    if (group.length === 0) return;
    sending = send(group).finally(() => {
      sending = undefined;
      pump();
    });
  };

  const log: EventLog = {
    kind: 'kafka',

    async provision(topics: readonly TopicSpec[]) {
      ensureOpen(closed);
      const names = topics.map((spec) => spec.topic).join(', ');
      // Services started together provision the same topics at once: the loser's
      // `waitForLeaders` can ask for the metadata of a topic the winner created before the broker
      // serves it (UNKNOWN_TOPIC_OR_PARTITION, retriable).
      await untilBrokerReady(names, 30_000, async () => {
        const a = await getAdmin();
        // Create only what is missing: asking to create an existing topic makes kafkajs log an
        // error for an outcome that is fine here.
        const existing = new Set(await a.listTopics());
        const missing = topics.filter((spec) => !existing.has(spec.topic));
        if (missing.length > 0)
          await a.createTopics({
            waitForLeaders: true,
            timeout: 30_000,
            topics: missing.map((spec) => ({
              topic: spec.topic,
              numPartitions: spec.partitions ?? 1,
              replicationFactor,
              configEntries: Object.entries({ 'min.insync.replicas': String(minInsyncReplicas), ...spec.config }).map(
                ([name, value]) => ({ name, value }),
              ),
            })),
          });
        // `waitForLeaders` asks the controller; the broker that serves a partition can learn of it
        // a moment later. Provisioned means usable: every partition answers for its offsets.
        for (const spec of topics) await a.fetchTopicOffsets(spec.topic);
      });
    },

    append(topic, records) {
      if (closed) return Promise.reject(new LogUnavailableError('the Kafka event log is closed', { notStored: true }));
      if (records.length === 0) return Promise.resolve([]);
      return new Promise<AppendResult[]>((resolve, reject) => {
        const entry: PendingAppend = {
          topic,
          records,
          bytes: records.reduce((sum, record) => sum + recordBytes(record), 0),
          resolve,
          reject,
          settled: false,
          timer: setTimeout(() => {
            const waiting = queue.indexOf(entry);
            if (waiting >= 0) {
              queue.splice(waiting, 1);
              const error = `Kafka did not take the append to ${topic} within ${appendTimeoutMs} ms; nothing was written`;
              return settle(entry, { error: new LogUnavailableError(error, { notStored: true }) });
            }
            // In flight: its request is shared with the rest of its group, so they all fail now,
            // and the fence in the partitioner keeps kafkajs from sending them again. Only an
            // attempt that already began may still land: that is the one case left in doubt.
            const state = entry.send!;
            state.abandoned = true;
            const error = state.attempted
              ? `Kafka did not acknowledge the append to ${topic} within ${appendTimeoutMs} ms; it may or may not have been written`
              : `Kafka did not take the append to ${topic} within ${appendTimeoutMs} ms; nothing was written`;
            for (const member of state.entries)
              settle(member, { error: new LogUnavailableError(error, { notStored: !state.attempted }) });
          }, appendTimeoutMs),
        };
        queue.push(entry);
        pump();
      });
    },

    async highWaterMarks(topic) {
      ensureOpen(closed);
      // Just after a topic was created (by this instance or another), a partition can still be
      // without a leader the broker knows of (NOT_LEADER_FOR_PARTITION, retriable).
      const offsets = await untilBrokerReady(topic, 15_000, async () => (await getAdmin()).fetchTopicOffsets(topic));
      return Object.fromEntries(offsets.map(({ partition, high }) => [partition, Number(high)]));
    },

    async follow(topic, options) {
      ensureOpen(closed);
      const follower = new KafkaFollower(kafka, topic, options, {
        clientId,
        logger,
        followTimeoutMs,
        maxWaitTimeMs,
        onClosed: () => followers.delete(follower),
      });
      followers.add(follower);
      try {
        await follower.open();
      } catch (error) {
        await follower.close();
        throw toLogError(error, topic);
      }
      return follower;
    },

    async replay(topic, options) {
      ensureOpen(closed);
      const connection = { brokers, clientId, maxWaitTimeMs, ...(ssl ? { ssl } : {}), ...(sasl ? { sasl } : {}) };
      try {
        await replayKafkaTopic(connection, topic, options);
      } catch (error) {
        throw toLogError(error, topic);
      }
    },

    async read(topic, partition, offsets) {
      ensureOpen(closed);
      const wanted = [...new Set(offsets)].sort((a, b) => a - b);
      if (wanted.length === 0) return [];
      try {
        const marks = await (await getAdmin()).fetchTopicOffsets(topic);
        const mark = marks.find((m) => m.partition === partition);
        // Offsets at or past the high-water mark hold nothing yet: waiting for them would hang.
        const readable = mark ? wanted.filter((offset) => offset < Number(mark.high)) : [];
        if (readable.length === 0) return [];
        let reader = readers.get(topic);
        if (!reader) readers.set(topic, (reader = new KafkaReader(kafka, topic, { clientId, timeoutMs: followTimeoutMs })));
        return await reader.read(partition, readable);
      } catch (error) {
        throw toLogError(error, topic);
      }
    },

    snapshotStore(options = {}) {
      ensureOpen(closed);
      return createKafkaSnapshotStore({ ...options, kafka, log, clientId, logger, isClosed: () => closed });
    },

    async healthy() {
      if (closed) return false;
      // A follower still recovering from an outage means this service's projections are not live:
      // its mutations cannot be applied (read-your-writes) until it is back, so not healthy yet.
      if ([...followers].some((follower) => follower.recovering)) return false;
      const probe = getAdmin().then((a) => a.describeCluster());
      try {
        await withTimeout(probe, healthTimeoutMs);
        return true;
      } catch {
        return false;
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const entry of queue.splice(0)) {
        settle(entry, { error: new LogUnavailableError('the Kafka event log is closed', { notStored: true }) });
      }
      await sending;
      await Promise.all([...followers].map((follower) => follower.close()));
      await Promise.all([...readers.values()].map((reader) => reader.close()));
      await Promise.all([producer, admin].map((client) => client?.then((c) => c.disconnect()).catch(() => undefined)));
    },
  };
  return log;
}

interface FollowerSettings {
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
class KafkaFollower implements Follower {
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
    let joined!: () => void;
    let failed!: (error: Error) => void;
    const started = new Promise<void>((resolve, reject) => {
      joined = resolve;
      failed = reject;
    });
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
      joined();
    });
    // A crash before the first fetch fails this start (and `follow`, or the restart that called
    // it); a crash after it is the follower's to recover from.
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (fetching) this.onCrash(consumer, payload.error);
      else failed(payload.error);
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
      started,
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
    // The broker is unreachable or restarting: try again with a new consumer, backing off to 2 s.
    // A follower is back about that long after its broker, and the service can write again only
    // then (a mutation waits for its own projector); a refused connection every 2 s is cheap.
    this.recovering = true;
    const delayMs = Math.min(2_000, 250 * 2 ** this.restarts);
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

/** Farther than this past the last record read, a wanted offset is sought rather than read through. */
const READ_SEEK_GAP = 500;
/** How often an idle reader looks for a read to start, in ms. */
const READ_IDLE_MS = 5;

interface ReadRequest {
  readonly partition: number;
  /** Sorted, deduplicated, below the high-water mark. */
  readonly offsets: readonly number[];
  readonly records: LogRecord[];
  /** Index in `offsets` of the next offset to find. */
  next: number;
  readonly resolve: (records: LogRecord[]) => void;
  readonly reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

/**
 * On-demand reads of one topic (history, time travel) through one long-lived consumer, in a group
 * of its own, with every partition paused between reads. A read seeks its partition to the first
 * wanted offset and resumes it; gaps wider than {@link READ_SEEK_GAP} are skipped with another
 * seek, so an entity's events scattered over a long topic cost a fetch each, not a read of
 * everything between them. kafkajs drops fetched data of a partition that is paused or has a seek
 * pending, so a batch handed over always starts where the current read asked. Reads are served one
 * at a time; callers batch them (`RecordReader`). Keeping the consumer saves a group join per read
 * (tens to hundreds of ms); when it crashes (broker down), the waiting reads fail and the next read
 * starts a new one.
 */
class KafkaReader {
  private consumer: Consumer | undefined;
  private starting: Promise<Consumer> | undefined;
  private assigned: number[] = [];
  private readonly queue: ReadRequest[] = [];
  private current: ReadRequest | undefined;
  private closed = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly settings: { readonly clientId: string; readonly timeoutMs: number },
  ) {}

  read(partition: number, offsets: readonly number[]): Promise<LogRecord[]> {
    return new Promise<LogRecord[]>((resolve, reject) => {
      this.queue.push({ partition, offsets, records: [], next: 0, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.failAll(new LogUnavailableError('the Kafka event log is closed'));
    const consumer = this.consumer ?? (await this.starting?.catch(() => undefined));
    await consumer?.disconnect().catch(() => undefined);
  }

  private pump(): void {
    if (this.current || this.queue.length === 0 || this.closed) return;
    const request = this.queue.shift()!;
    this.current = request;
    request.timer = setTimeout(
      () =>
        this.finish(
          request,
          new LogUnavailableError(
            `reading ${request.offsets.length} records of ${this.topic} took more than ${this.settings.timeoutMs} ms`,
          ),
        ),
      this.settings.timeoutMs,
    );
    this.consumer_().then(
      (consumer) => {
        if (this.current !== request) return;
        if (!this.assigned.includes(request.partition)) return this.finish(request);
        // From where the read is: a join that happened meanwhile may have sought and read already.
        consumer.seek({ topic: this.topic, partition: request.partition, offset: String(request.offsets[request.next]) });
        consumer.resume([{ topic: this.topic, partitions: [request.partition] }]);
      },
      (error: unknown) => this.finish(request, asError(error)),
    );
  }

  /** Settles `request` (with its records, or `error`), pauses its partition and starts the next read. */
  private finish(request: ReadRequest, error?: Error): void {
    if (this.current !== request) return;
    clearTimeout(request.timer);
    this.current = undefined;
    this.consumer?.pause([{ topic: this.topic, partitions: [request.partition] }]);
    if (error) request.reject(error);
    else request.resolve(request.records);
    this.pump();
  }

  private failAll(error: Error): void {
    if (this.current) this.finish(this.current, error);
    for (const request of this.queue.splice(0)) request.reject(error);
  }

  private consumer_(): Promise<Consumer> {
    if (this.consumer) return Promise.resolve(this.consumer);
    this.starting ??= this.start().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async start(): Promise<Consumer> {
    const consumer = this.kafka.consumer({
      groupId: `${this.settings.clientId}-read-${randomUUID()}`,
      // With every partition paused, kafkajs sleeps this long before it looks again (no request is
      // sent): short, so that a read starts at once. Reads stop at the high-water mark, so a fetch
      // is never held waiting for new records either.
      maxWaitTimeInMs: READ_IDLE_MS,
      // Small fetches: after a seek only the first few records of a fetch are usually wanted.
      maxBytesPerPartition: 256 * 1024,
      allowAutoTopicCreation: false,
      retry: { initialRetryTime: 100, maxRetryTime: 1_000, retries: 3, restartOnFailure: async () => false },
    });
    let joined!: () => void;
    const join = new Promise<void>((resolve) => (joined = resolve));
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      // Every (re)join assigns all partitions afresh: paused but the one a read is on, sought again.
      this.assigned = payload.memberAssignment[this.topic] ?? [];
      consumer.pause([{ topic: this.topic, partitions: this.assigned }]);
      const request = this.current;
      if (request && this.assigned.includes(request.partition) && request.next < request.offsets.length) {
        consumer.seek({ topic: this.topic, partition: request.partition, offset: String(request.offsets[request.next]) });
        consumer.resume([{ topic: this.topic, partitions: [request.partition] }]);
      }
      joined();
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (this.consumer === consumer) this.consumer = undefined;
      void consumer.disconnect().catch(() => undefined);
      this.failAll(
        new LogUnavailableError(`the reader of ${this.topic} stopped: ${payload.error.message}`, { cause: payload.error }),
      );
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: this.topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        // The batch is resolved after this handler (the next fetch starts after it); a seek made in
        // the handler is applied at that next fetch, after the resolve, so it wins.
        eachBatch: async ({ batch }) => this.onBatch(consumer, batch),
      });
      await withTimeout(
        join,
        this.settings.timeoutMs,
        () => new LogUnavailableError(`the reader of ${this.topic} did not join its group within ${this.settings.timeoutMs} ms`),
      );
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await consumer.disconnect().catch(() => undefined);
      throw new LogUnavailableError('the Kafka event log is closed');
    }
    this.consumer = consumer;
    return consumer;
  }

  private onBatch(consumer: Consumer, batch: EachBatchPayload['batch']): void {
    const request = this.current;
    if (!request || batch.partition !== request.partition) return;
    const { offsets } = request;
    for (const message of batch.messages) {
      const offset = Number(message.offset);
      // Offsets compaction removed are passed over.
      while (request.next < offsets.length && offsets[request.next]! < offset) request.next++;
      if (request.next < offsets.length && offsets[request.next] === offset) {
        request.records.push(toLogRecord(this.topic, request.partition, message));
        request.next++;
      }
    }
    const readUpTo = Number(batch.lastOffset()) + 1;
    if (request.next >= offsets.length || readUpTo >= Number(batch.highWatermark)) return this.finish(request);
    if (offsets[request.next]! - readUpTo > READ_SEEK_GAP)
      consumer.seek({ topic: this.topic, partition: request.partition, offset: String(offsets[request.next]) });
  }
}

/**
 * A record as kafkajs handed it over. Its headers are decoded when first read: nothing on the
 * replay path reads them, and decoding them for every record cost as much as the rest of this
 * record together.
 */
class KafkaRecord implements LogRecord {
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly timestampMs: number;
  private rawHeaders: IHeaders | undefined;
  private decodedHeaders: Record<string, string> | undefined;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: number,
    message: KafkaMessage,
  ) {
    this.key = message.key === null ? null : message.key.toString('utf8');
    this.value = message.value;
    this.timestampMs = Number(message.timestamp);
    this.rawHeaders = message.headers;
  }

  get headers(): Readonly<Record<string, string>> {
    if (!this.decodedHeaders) {
      this.decodedHeaders = decodeHeaders(this.rawHeaders);
      this.rawHeaders = undefined;
    }
    return this.decodedHeaders;
  }
}

function toLogRecord(topic: string, partition: number, message: KafkaMessage): LogRecord {
  return new KafkaRecord(topic, partition, Number(message.offset), message);
}

/** kafkajs hands out header values as Buffers, and repeated header keys as arrays: keep the last. */
function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) decoded[name] = last.toString();
  }
  return decoded;
}

/**
 * Maps the per-partition `baseOffset`s of one topic's send to each record's offset. Records of one
 * send to the same partition are stored consecutively, in the order kafkajs grouped them, which is
 * the order they were passed in; so calling this once per record, in that order, yields their
 * offsets.
 */
function offsetAssigner(metadata: RecordMetadata[]): (partition: number) => number {
  const nextOffset = new Map(metadata.map(({ partition, baseOffset }) => [partition, Number(baseOffset)]));
  return (partition) => {
    const offset = nextOffset.get(partition);
    if (offset === undefined) throw new Error(`Kafka reported no offset for partition ${partition}`);
    nextOffset.set(partition, offset + 1);
    return offset;
  };
}

/** A copy of `items` in random order (Fisher–Yates). */
function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

function recordBytes(record: OutgoingRecord): number {
  let bytes = Buffer.byteLength(record.key) + Buffer.byteLength(record.value);
  for (const [name, value] of Object.entries(record.headers ?? {})) bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes;
}

/** Connects a kafkajs client once; a failed connect is forgotten so the next call tries again. */
function connected<T extends { connect(): Promise<void> }>(client: T, forget: () => void): Promise<T> {
  return client.connect().then(
    () => client,
    (error: unknown) => {
      forget();
      throw error;
    },
  );
}

function ensureOpen(closed: boolean): void {
  if (closed) throw new LogUnavailableError('the Kafka event log is closed');
}

/** {@link whileBrokerNotReady}, its last failure as the port promises it (see {@link toLogError}). */
async function untilBrokerReady<T>(topics: string, budgetMs: number, operation: () => Promise<T>): Promise<T> {
  try {
    return await whileBrokerNotReady(budgetMs, operation);
  } catch (error) {
    throw toLogError(error, topics);
  }
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
 * topic when it does not exist, and any other error as it is.
 */
function toLogError(error: unknown, topics: string, { notStored = false } = {}): Error {
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

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** Rejects when `promise` has not settled after `ms`; the loser's rejection is swallowed. */
function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout?: () => Error): Promise<T> {
  promise.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout?.() ?? new LogUnavailableError(`no answer from Kafka within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
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
 * - The deadline fence stopping a send (see the partitioner): the caller has its error already.
 */
function isHandledElsewhere(message: string): boolean {
  return (
    message.startsWith('Crash: ') || message.startsWith('Limiting retries for the idempotent producer') || message === ABANDONED
  );
}
