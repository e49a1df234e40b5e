/**
 * The Kafka adapter of the event-log port, on kafkajs: the options, and the wiring of its parts.
 *
 * - `group-commit.ts` and `producer.ts`: appends. Acknowledged by all in-sync replicas through an
 *   idempotent producer. kafkajs' idempotent producer silently loses records when more sends are in
 *   flight at once than the topic has partitions: every send resolves, but only some records are
 *   stored (tulios/kafkajs#1005, open). So there is never more than one `sendBatch` in flight:
 *   concurrent appends wait in a queue and the next send takes all of them at once (group commit),
 *   which is also what makes concurrent mutations fast.
 * - `follower.ts`: live reads; `reader.ts`: reads at given offsets; `replay.ts`: the replay at
 *   start, on a worker thread.
 * - `admin.ts`: topics and their high-water marks; `client.ts`, `log-lines.ts`: the kafkajs client
 *   and where its log lines go; `errors.ts`, `waiting.ts`: what the port promises of failures, and
 *   how long the adapter waits.
 */
import type { KafkaConfig } from 'kafkajs';
import type { EventLog, TopicSpec } from '../port.ts';
import { createKafkaSnapshotStore } from '../../snapshot/kafka-store.ts';
import { createTopicAdmin } from './admin.ts';
import { createKafkaClient } from './client.ts';
import { closedLogError, toLogError } from './errors.ts';
import { KafkaFollower } from './follower.ts';
import { createGroupCommit } from './group-commit.ts';
import type { KafkaLogLevel, KafkaLogLogger } from './log-lines.ts';
import { createKafkaProducer } from './producer.ts';
import { KafkaReader } from './reader.ts';
import { replayKafkaTopic } from './replay.ts';

export interface KafkaLogOptions {
  /** Bootstrap servers, e.g. `['127.0.0.1:9092']`. */
  readonly brokers: readonly string[];
  /** Client id sent to Kafka; also the prefix of every follower's consumer group id. */
  readonly clientId: string;
  /** Receives kafkajs' own log lines (see `kafkaLogLevel`) and the adapter's. Default: none. */
  readonly logger?: KafkaLogLogger;
  /** Least severe kafkajs log line passed to `logger`. Default `warn`. */
  readonly kafkaLogLevel?: KafkaLogLevel;
  /**
   * Longest time an `append` waits, queueing included, before it fails with
   * `LogUnavailableError`, in ms. Default 5000.
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
  const kafka = createKafkaClient({ brokers, clientId, ssl, sasl, appendTimeoutMs, logger, kafkaLogLevel });
  const admin = createTopicAdmin(kafka, { replicationFactor, minInsyncReplicas });
  const producer = createKafkaProducer(kafka, { appendTimeoutMs, partitionCount: (topic) => admin.partitionCount(topic) });
  const appends = createGroupCommit({ send: producer.send, appendTimeoutMs, maxBatchRecords, maxBatchBytes });

  let closed = false;
  const followers = new Set<KafkaFollower>();
  /** One on-demand reader per topic, started by its first read. */
  const readers = new Map<string, KafkaReader>();

  const ensureOpen = (): void => {
    if (closed) throw closedLogError();
  };

  const log: EventLog = {
    kind: 'kafka',

    async provision(topics: readonly TopicSpec[]) {
      ensureOpen();
      await admin.provision(topics);
    },

    append(topic, records) {
      // Closed with the log: it refuses appends from then on, saying nothing was stored.
      return appends.append(topic, records);
    },

    async highWaterMarks(topic) {
      ensureOpen();
      return admin.highWaterMarks(topic);
    },

    async follow(topic, options) {
      ensureOpen();
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
      ensureOpen();
      const connection = { brokers, clientId, maxWaitTimeMs, ...(ssl ? { ssl } : {}), ...(sasl ? { sasl } : {}) };
      try {
        await replayKafkaTopic(connection, topic, options);
      } catch (error) {
        throw toLogError(error, topic);
      }
    },

    async read(topic, partition, offsets) {
      ensureOpen();
      const wanted = [...new Set(offsets)].sort((a, b) => a - b);
      if (wanted.length === 0) return [];
      try {
        const high = await admin.highWaterMark(topic, partition);
        // Offsets at or past the high-water mark hold nothing yet: waiting for them would hang.
        const readable = high === undefined ? [] : wanted.filter((offset) => offset < high);
        if (readable.length === 0) return [];
        let reader = readers.get(topic);
        if (!reader) readers.set(topic, (reader = new KafkaReader(kafka, topic, { clientId, timeoutMs: followTimeoutMs })));
        return await reader.read(partition, readable);
      } catch (error) {
        throw toLogError(error, topic);
      }
    },

    snapshotStore(options = {}) {
      ensureOpen();
      return createKafkaSnapshotStore({ ...options, kafka, log, clientId, logger, isClosed: () => closed });
    },

    async healthy() {
      if (closed) return false;
      // A follower still recovering from an outage means this service's projections are not live:
      // its mutations cannot be applied (read-your-writes) until it is back, so not healthy yet.
      if ([...followers].some((follower) => follower.recovering)) return false;
      return admin.reachable(healthTimeoutMs);
    },

    async close() {
      if (closed) return;
      closed = true;
      await appends.close();
      await Promise.all([...followers].map((follower) => follower.close()));
      await Promise.all([...readers.values()].map((reader) => reader.close()));
      await Promise.all([producer.disconnect(), admin.disconnect()]);
    },
  };
  return log;
}
