/**
 * The Kafka adapter of the snapshot-store port: one compacted topic per read model,
 * `<prefix>snapshots.<model>`, each snapshot cut into chunk records under the broker's record size
 * limit (see `kafka-chunks.ts` for how they lie in the topic).
 *
 * - A save writes its chunks one record per request (a request's records to one partition form one
 *   record batch, and the broker's limit is on the batch), acknowledged by all in-sync replicas.
 *   It is complete once the last chunk is acknowledged; then it writes tombstones for the chunks of
 *   the snapshots older than the newest {@link KEPT_SNAPSHOTS} complete ones, and compaction
 *   removes them.
 * - Once complete and the older ones tombstoned, the save writes a record that names the newest
 *   complete snapshot and the offsets of its chunks (`NEWEST_KEY`, see `kafka-chunks.ts`).
 * - A load reads the topic from the beginning to the high-water mark it found at the start, with a
 *   consumer of its own that leaves when done (a fresh group, nothing committed), and keeps the
 *   complete snapshots. `loadNewest` reads the last record first: when it names the newest
 *   snapshot, only that snapshot's offsets are read — one snapshot's bytes instead of every kept
 *   one's — else it loads as `load` does.
 * - Snapshots are rare (minutes apart), so each operation uses its own kafkajs clients and
 *   disconnects them when done: the store holds no connection between operations, and needs no
 *   closing of its own.
 *
 * Which snapshots a save may remove comes from what this store knows of the topic: what its last
 * load found (other instances' snapshots, leftovers of saves cut short) and what it saved since.
 * A save with nothing known reads the topic first. Snapshots another instance saved after that are
 * that instance's to remove, or the next starting instance's.
 */
import { randomUUID } from 'node:crypto';
import { Partitioners, type Admin, type Kafka, type Message } from 'kafkajs';
import { LogUnavailableError, type EventLog } from '../log/port.ts';
import { asError } from '../log/kafka/errors.ts';
import type { KafkaLogLogger } from '../log/kafka/log-lines.ts';
import { decodeHeaders } from '../log/kafka/records.ts';
import { whileBrokerNotReady } from '../log/kafka/waiting.ts';
import {
  chunkRecords,
  NEWEST_KEY,
  newestPointer,
  newestRecord,
  obsoleteSnapshots,
  parseNewest,
  TopicSnapshots,
  type KnownSnapshot,
  type ReadChunk,
} from './kafka-chunks.ts';
import {
  checkSnapshotModel,
  KEPT_SNAPSHOTS,
  snapshotStoreSettings,
  type SnapshotStore,
  type SnapshotStoreOptions,
  type StoredSnapshot,
} from './store.ts';

/** What the Kafka log hands its snapshot store, besides the store's own options. */
export interface KafkaSnapshotStoreSettings extends SnapshotStoreOptions {
  /** The log's kafkajs client: the store's producers, consumers and admins share its connection settings. */
  readonly kafka: Kafka;
  /** The log itself: it creates the snapshot topics, with its replication settings. */
  readonly log: Pick<EventLog, 'provision'>;
  /** Prefix of the consumer group ids of its reads. */
  readonly clientId: string;
  /** Longest wait for the broker without progress (a chunk acknowledged, records read), in ms. Default 30 000. */
  readonly timeoutMs?: number;
  /** Chunks in flight at once while saving. Default 4. */
  readonly concurrentChunks?: number;
  readonly logger?: KafkaLogLogger;
  /** Whether the log it belongs to is closed: a closed log's store refuses every operation. */
  readonly isClosed: () => boolean;
}

/**
 * Settings of every snapshot topic (created by the log's `provision`, with its replication settings):
 * - compacted and kept forever: a snapshot's chunks stay until a tombstone removes them;
 * - segments rolled at least hourly: the cleaner never touches the active segment, and with the
 *   default of 7 days a store of small snapshots would keep a week of them for every load to read;
 * - the broker's default record size limit written down, so that the chunk size is under it
 *   whatever the cluster's default.
 */
export const SNAPSHOT_TOPIC_CONFIG: Readonly<Record<string, string>> = {
  'cleanup.policy': 'compact',
  'retention.ms': '-1',
  'retention.bytes': '-1',
  'segment.ms': String(60 * 60_000),
  'max.message.bytes': '1048588',
};

/** The topic of a read model's snapshots: `<prefix>snapshots.<model>`. */
export function snapshotTopicName(topicPrefix: string, model: string): string {
  return `${topicPrefix}snapshots.${model}`;
}

/** Largest chunk: the topic's record size limit less room for the key, headers and batch overhead. */
const MAX_CHUNK_BYTES = 1000 * 1024;

/** Tombstones per produce request: small records, far under the size limit. */
const TOMBSTONES_PER_REQUEST = 500;

export function createKafkaSnapshotStore({
  kafka,
  log,
  clientId,
  timeoutMs = 30_000,
  concurrentChunks = 4,
  logger,
  isClosed,
  ...options
}: KafkaSnapshotStoreSettings): SnapshotStore {
  const { topicPrefix, maxChunkBytes } = snapshotStoreSettings(options);
  if (maxChunkBytes > MAX_CHUNK_BYTES) {
    throw new Error(
      `maxChunkBytes ${maxChunkBytes} is over ${MAX_CHUNK_BYTES}: a chunk must stay under the topic's max.message.bytes`,
    );
  }
  /** Per model: the snapshots known to hold records in its topic (see the module's comment). */
  const known = new Map<string, Map<string, KnownSnapshot>>();
  /** Topics created or seen by this store. */
  const ready = new Set<string>();

  const begin = (model: string): string => {
    checkSnapshotModel(model);
    if (isClosed()) throw new LogUnavailableError('the Kafka event log is closed', { notStored: true });
    return snapshotTopicName(topicPrefix, model);
  };

  const withAdmin = async <T>(use: (admin: Admin) => Promise<T>): Promise<T> => {
    const admin = kafka.admin();
    try {
      await admin.connect();
      return await use(admin);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  };

  /** The topic's low and high-water marks per partition, or undefined when it does not exist. */
  const watermarks = async (topic: string): Promise<Map<number, { low: number; high: number }> | undefined> =>
    whileBrokerNotReady(timeoutMs, () =>
      withAdmin(async (admin) => {
        if (!ready.has(topic) && !(await admin.listTopics()).includes(topic)) return undefined;
        const offsets = await admin.fetchTopicOffsets(topic);
        return new Map(offsets.map(({ partition, low, high }) => [partition, { low: Number(low), high: Number(high) }]));
      }),
    );
  const reading = (): { readonly groupId: string; readonly timeoutMs: number } => ({
    groupId: `${clientId}-snapshots-${randomUUID()}`,
    timeoutMs,
  });

  const ensureTopic = async (topic: string): Promise<void> => {
    if (ready.has(topic)) return;
    await log.provision([{ topic, partitions: 1, config: SNAPSHOT_TOPIC_CONFIG }]);
    ready.add(topic);
  };

  /** Every record of the topic below the high-water mark it has now: a bounded read. */
  const readTopic = async (topic: string): Promise<ReadChunk[]> => {
    const marks = await watermarks(topic);
    if (!marks) return [];
    ready.add(topic);
    return readUpTo(kafka, topic, new Map([...marks].map(([partition, { high }]) => [partition, high])), reading());
  };

  const scan = async (model: string, topic: string): Promise<TopicSnapshots> => {
    const snapshots = new TopicSnapshots(model);
    for (const record of await readTopic(topic)) snapshots.add(record);
    known.set(model, new Map(snapshots.known().map((snapshot) => [snapshot.id, snapshot])));
    return snapshots;
  };

  /**
   * Writes `messages` one request at a time, at most `concurrent` in flight, each acknowledged by
   * all in-sync replicas; with `pace`, one at a time, pacing between them. Resolves with the offset
   * of each request's first record.
   */
  const produce = async (
    topic: string,
    requests: readonly Message[][],
    concurrent: number,
    pace?: () => Promise<void>,
  ): Promise<number[]> => {
    const producer = kafka.producer({
      allowAutoTopicCreation: false,
      // kafkajs' default (murmur2, as the Java client), named to silence its warning; one partition anyway.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    try {
      await producer.connect();
      let next = 0;
      const offsets: number[] = [];
      const worker = async (): Promise<void> => {
        while (next < requests.length) {
          const request = next++;
          if (isClosed()) throw new LogUnavailableError('the Kafka event log is closed');
          const [sent] = await producer.send({ topic, acks: -1, timeout: timeoutMs, messages: requests[request]! });
          offsets[request] = Number(sent?.baseOffset ?? Number.NaN);
          await pace?.();
        }
      };
      await Promise.all(Array.from({ length: Math.min(pace ? 1 : concurrent, requests.length) }, worker));
      return offsets;
    } finally {
      await producer.disconnect().catch(() => undefined);
    }
  };

  const tombstone = async (
    model: string,
    topic: string,
    snapshots: readonly KnownSnapshot[],
    more: readonly string[] = [],
  ): Promise<void> => {
    const keys = [...snapshots.flatMap((snapshot) => snapshot.keys), ...more];
    if (keys.length === 0) return;
    const requests: Message[][] = [];
    for (let i = 0; i < keys.length; i += TOMBSTONES_PER_REQUEST) {
      requests.push(keys.slice(i, i + TOMBSTONES_PER_REQUEST).map((key) => ({ key, value: null })));
    }
    await produce(topic, requests, 1);
    const mine = known.get(model);
    for (const snapshot of snapshots) mine?.delete(snapshot.id);
  };

  const load = async (model: string): Promise<StoredSnapshot[]> => {
    const topic = begin(model);
    try {
      return (await scan(model, topic)).complete().slice(0, KEPT_SNAPSHOTS);
    } catch (error) {
      throw toUnavailable(error, `the snapshots of ${model} could not be read`, true);
    }
  };

  return {
    async save(snapshot: StoredSnapshot, { pace }: { readonly pace?: () => Promise<void> } = {}) {
      const { model } = snapshot;
      const topic = begin(model);
      const records = chunkRecords(snapshot, maxChunkBytes);
      try {
        await ensureTopic(topic);
        if (!known.has(model)) await scan(model, topic);
      } catch (error) {
        throw toUnavailable(error, `the snapshot ${snapshot.id} of ${model} was not saved`, true);
      }
      const mine = known.get(model)!;
      const keys = records.map((record) => record.key);
      // Known before it is written: a save that fails part-way leaves chunks for a later save to remove.
      mine.set(snapshot.id, { id: snapshot.id, savedAtMs: snapshot.savedAtMs, keys, complete: false });
      let offsets: number[];
      try {
        offsets = await produce(
          topic,
          records.map((record) => [{ key: record.key, value: record.value, headers: { ...record.headers } }]),
          concurrentChunks,
          pace,
        );
      } catch (error) {
        throw toUnavailable(error, `the snapshot ${snapshot.id} of ${model} was not saved (incomplete, never loaded)`, false);
      }
      const range = offsets.every(Number.isSafeInteger) ? { first: Math.min(...offsets), last: Math.max(...offsets) } : undefined;
      mine.set(snapshot.id, { id: snapshot.id, savedAtMs: snapshot.savedAtMs, keys, complete: true, offsets: range });
      const obsolete = obsoleteSnapshots([...mine.values()], KEPT_SNAPSHOTS);
      try {
        await tombstone(model, topic, obsolete);
      } catch (error) {
        // Saved all the same; the next save removes them.
        logger?.warn(
          { topic, snapshots: obsolete.map(({ id }) => id), error: asError(error).message },
          'older snapshots were not removed; the next save will try again',
        );
      }
      // Last, so that it is the topic's last record (unless another instance writes after it).
      const pointer = newestPointer([...mine.values()]);
      if (!pointer) return;
      try {
        await produce(topic, [[newestRecord(pointer)]], 1);
      } catch (error) {
        logger?.warn(
          { topic, snapshot: pointer.id, error: asError(error).message },
          'the record naming the newest snapshot was not written; a start reads every kept snapshot instead',
        );
      }
    },

    load,

    async loadNewest(model) {
      const topic = begin(model);
      try {
        const marks = (await watermarks(topic))?.get(0);
        // No topic, or nothing in it: no snapshot (a save learns what the topic holds itself).
        if (!marks || marks.high === 0) return undefined;
        ready.add(topic);
        const [last] = await readUpTo(kafka, topic, new Map([[0, marks.high]]), { ...reading(), from: marks.high - 1 });
        const pointer = last && parseNewest(last);
        if (pointer && pointer.first >= marks.low) {
          const found = new TopicSnapshots(model);
          const records = await readUpTo(kafka, topic, new Map([[0, pointer.last + 1]]), { ...reading(), from: pointer.first });
          for (const record of records) found.add(record);
          const newest = found.complete().find(({ id }) => id === pointer.id);
          if (newest) return newest;
        }
      } catch (error) {
        throw toUnavailable(error, `the newest snapshot of ${model} could not be read`, true);
      }
      logger?.info({ topic }, 'no record names the newest snapshot (a save cut short, or one under way): reading them all');
      return (await load(model))[0];
    },

    async drop(model) {
      const topic = begin(model);
      try {
        const found = await scan(model, topic);
        // The record naming the newest goes too (if the topic exists: a drop creates nothing).
        await tombstone(model, topic, found.known(), ready.has(topic) ? [NEWEST_KEY] : []);
      } catch (error) {
        throw toUnavailable(error, `the snapshots of ${model} could not be dropped`, true);
      }
    },
  };
}

/**
 * Reads `topic` from the beginning (or partition 0 from offset `from`) until every partition has
 * been read up to `marks`. The record just below a high-water mark is never removed by compaction
 * (the cleaner leaves the active segment alone, and the newest record is in it), so the read
 * always reaches it; a read that stops making progress for `timeoutMs` fails all the same.
 */
async function readUpTo(
  kafka: Kafka,
  topic: string,
  marks: ReadonlyMap<number, number>,
  { groupId, timeoutMs, from }: { readonly groupId: string; readonly timeoutMs: number; readonly from?: number },
): Promise<ReadChunk[]> {
  const waiting = new Set([...marks].filter(([, high]) => high > 0).map(([partition]) => partition));
  if (waiting.size === 0) return [];
  const records: ReadChunk[] = [];
  const consumer = kafka.consumer({
    groupId,
    maxWaitTimeInMs: 100,
    // Large fetches: a snapshot is read whole, in chunks of up to 512 KiB, and kafkajs' default of
    // 1 MiB a partition made that a round trip every two chunks. 16 MiB halved the load of a
    // 72 MB snapshot and its CPU (ADR 0019); a fetch is at most this much memory at a time.
    maxBytesPerPartition: 16 * 1024 * 1024,
    maxBytes: 64 * 1024 * 1024,
    allowAutoTopicCreation: false,
    retry: { initialRetryTime: 100, maxRetryTime: 1_000, retries: 3, restartOnFailure: async () => false },
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      const stall = (): void => {
        clearTimeout(timer);
        timer = setTimeout(
          () => reject(new LogUnavailableError(`reading ${topic} made no progress for ${timeoutMs} ms`)),
          timeoutMs,
        );
      };
      stall();
      consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
      // A fresh group has no committed offsets: partition 0 starts where the seek says (kafkajs
      // drops what it fetched for a partition before a seek).
      if (from !== undefined)
        consumer.on(consumer.events.GROUP_JOIN, () => consumer.seek({ topic, partition: 0, offset: String(from) }));
      consumer
        .connect()
        .then(() => consumer.subscribe({ topic, fromBeginning: true }))
        .then(() =>
          consumer.run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              stall();
              const high = marks.get(batch.partition) ?? 0;
              for (const message of batch.messages) {
                const offset = Number(message.offset);
                if (offset >= high) break;
                if (batch.partition === 0 && from !== undefined && offset < from) continue;
                records.push({
                  offset,
                  key: message.key === null ? null : message.key.toString('utf8'),
                  value: message.value,
                  headers: decodeHeaders(message.headers),
                });
              }
              if (Number(batch.lastOffset()) + 1 >= high) {
                waiting.delete(batch.partition);
                if (waiting.size === 0) resolve();
              }
            },
          }),
        )
        .catch(reject);
    });
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
  }
  return records;
}

/** A failure said as what it means for the snapshot, as the port's `LogUnavailableError`. */
function toUnavailable(error: unknown, what: string, notStored: boolean): Error {
  if (error instanceof LogUnavailableError) return error;
  return new LogUnavailableError(`${what}: ${asError(error).message}`, { cause: error, notStored });
}
