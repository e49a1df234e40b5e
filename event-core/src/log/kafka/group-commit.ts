/**
 * Group commit: the appends of concurrent callers travel to Kafka together, one send at a time.
 * The send itself is handed in (the adapter's producer, or a fake in the tests); this module only
 * decides what goes into each send and what each caller is told.
 *
 * Rules of this module:
 * - Never more than one send in flight: kafkajs' idempotent producer loses records when more sends
 *   are in flight at once than the topic has partitions (see `log.ts`). Appends made meanwhile wait
 *   in a queue, and the next send takes them together.
 * - One topic per send, so that an append to a topic that does not exist fails alone instead of
 *   failing its neighbours.
 * - The oldest waiting append goes first; later appends to its topic join it in the order they were
 *   made while the send stays within `maxBatchRecords` and `maxBatchBytes`. The first one that does
 *   not fit ends the group, so appends to one topic are sent in the order they were made. An append
 *   over the limits on its own is still sent, alone.
 * - Each caller gets one result per record of its own, in the order of its records.
 * - A failed send fails every append it carries, with the same error. Once the sender began an
 *   attempt the outcome is unknown (the broker may have stored the records and lost the reply), so
 *   the error says `notStored` only when no attempt began.
 * - An append with no answer after `appendTimeoutMs` fails. Still queued, it leaves the queue and
 *   nothing was written. In flight, its request is shared with the rest of its send, so they all
 *   fail at once and the send is marked abandoned: the sender must begin no further attempt. Only
 *   an attempt that already began may still land; that is the one case left in doubt.
 */
import type { RecordMetadata } from 'kafkajs';
import { LogUnavailableError, type AppendResult, type OutgoingRecord } from '../port.ts';
import { closedLogError, toLogError } from './errors.ts';

/** One send of the group commit, shared by the sender and the callers' deadlines. */
export interface GroupSend {
  /**
   * The sender began an attempt: a request may reach the broker, so the records may be stored from
   * now on. Set by the sender, just before it writes each request.
   */
  attempted: boolean;
  /** The callers were told the send failed: the sender must begin no further attempt. */
  abandoned: boolean;
}

/** Where a sent record was stored. */
export interface RecordPosition {
  readonly partition: number;
  readonly offset: number;
}

/**
 * Sends `records` to `topic` in one request and resolves with the position of each, in the order
 * given, once all of them are stored; rejects otherwise. It sets `send.attempted` as it begins each
 * attempt, and begins none once `send.abandoned` is set.
 */
export type SendRecords = (
  topic: string,
  records: readonly OutgoingRecord[],
  send: GroupSend,
) => Promise<readonly RecordPosition[]>;

export interface GroupCommitOptions {
  readonly send: SendRecords;
  /** Longest time an append waits for its answer, queueing included, in ms. */
  readonly appendTimeoutMs: number;
  /** Most records one send takes. */
  readonly maxBatchRecords: number;
  /** Most bytes (keys, values, headers; see {@link recordBytes}) one send takes. */
  readonly maxBatchBytes: number;
}

export interface GroupCommit {
  /** Resolves with where each of `records` was stored, in their order (see the module's rules). */
  append(topic: string, records: readonly OutgoingRecord[]): Promise<AppendResult[]>;
  /**
   * Fails the appends still queued, and every later one, with `LogUnavailableError` (nothing
   * written), and resolves once the send in flight is over.
   */
  close(): Promise<void>;
}

/** One caller's `append`, waiting in the queue or in flight. */
interface PendingAppend {
  readonly topic: string;
  readonly records: readonly OutgoingRecord[];
  readonly bytes: number;
  readonly resolve: (results: AppendResult[]) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
  settled: boolean;
  /** The send that carries it, once it left the queue. */
  send?: InFlight;
}

interface InFlight extends GroupSend {
  readonly entries: readonly PendingAppend[];
}

/** Creates a group commit over `send`; see the module's rules. */
export function createGroupCommit({ send, appendTimeoutMs, maxBatchRecords, maxBatchBytes }: GroupCommitOptions): GroupCommit {
  const queue: PendingAppend[] = [];
  let sending: Promise<void> | undefined;
  let closed = false;

  const settle = (entry: PendingAppend, outcome: { results: AppendResult[] } | { error: Error }): void => {
    if (entry.settled) return;
    entry.settled = true;
    clearTimeout(entry.timer);
    if ('results' in outcome) entry.resolve(outcome.results);
    else entry.reject(outcome.error);
  };

  /** The oldest waiting append and the later ones to its topic that fit with it, taken off the queue. */
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

  /** Sends one group as one request and settles each caller; never rejects. */
  const carry = async (group: PendingAppend[]): Promise<void> => {
    const topic = group[0]!.topic;
    const state: InFlight = { entries: group, attempted: false, abandoned: false };
    for (const entry of group) entry.send = state;
    try {
      const positions = await send(
        topic,
        group.flatMap((entry) => entry.records),
        state,
      );
      const results = resultsPerCaller(
        topic,
        group.map((entry) => entry.records.length),
        positions,
      );
      group.forEach((entry, i) => settle(entry, { results: results[i]! }));
    } catch (error) {
      const failure = toLogError(error, topic, { notStored: !state.attempted });
      for (const entry of group) settle(entry, { error: failure });
    }
  };

  /** Starts the next send unless one is in flight. */
  const pump = (): void => {
    if (sending || queue.length === 0) return;
    const group = takeGroup();
    if (group.length === 0) return;
    sending = carry(group).finally(() => {
      sending = undefined;
      pump();
    });
  };

  /** Fails `entry` at its deadline: see the module's rules. */
  const expire = (entry: PendingAppend): void => {
    const { topic } = entry;
    const waiting = queue.indexOf(entry);
    if (waiting >= 0) {
      queue.splice(waiting, 1);
      const error = `Kafka did not take the append to ${topic} within ${appendTimeoutMs} ms; nothing was written`;
      return settle(entry, { error: new LogUnavailableError(error, { notStored: true }) });
    }
    const state = entry.send!;
    state.abandoned = true;
    const error = state.attempted
      ? `Kafka did not acknowledge the append to ${topic} within ${appendTimeoutMs} ms; it may or may not have been written`
      : `Kafka did not take the append to ${topic} within ${appendTimeoutMs} ms; nothing was written`;
    for (const member of state.entries)
      settle(member, { error: new LogUnavailableError(error, { notStored: !state.attempted }) });
  };

  return {
    append(topic, records) {
      if (closed) return Promise.reject(closedLogError({ notStored: true }));
      if (records.length === 0) return Promise.resolve([]);
      return new Promise<AppendResult[]>((resolve, reject) => {
        const entry: PendingAppend = {
          topic,
          records,
          bytes: records.reduce((sum, record) => sum + recordBytes(record), 0),
          resolve,
          reject,
          settled: false,
          timer: setTimeout(() => expire(entry), appendTimeoutMs),
        };
        queue.push(entry);
        pump();
      });
    },

    async close() {
      closed = true;
      for (const entry of queue.splice(0)) settle(entry, { error: closedLogError({ notStored: true }) });
      await sending;
    },
  };
}

/** Splits the positions of one send's records among its callers, `counts[i]` records each, in order. */
function resultsPerCaller(topic: string, counts: readonly number[], positions: readonly RecordPosition[]): AppendResult[][] {
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (positions.length !== total) throw new Error(`the send reported ${positions.length} positions for ${total} records`);
  let at = 0;
  return counts.map((count) =>
    positions.slice(at, (at += count)).map(({ partition, offset }): AppendResult => ({ topic, partition, offset })),
  );
}

/**
 * Maps the per-partition `baseOffset`s of one topic's send to each record's offset. Records of one
 * send to the same partition are stored consecutively, in the order kafkajs grouped them, which is
 * the order they were passed in; so calling this once per record, in that order, yields their
 * offsets.
 */
export function offsetAssigner(
  metadata: readonly Pick<RecordMetadata, 'partition' | 'baseOffset'>[],
): (partition: number) => number {
  const nextOffset = new Map(metadata.map(({ partition, baseOffset }) => [partition, Number(baseOffset)]));
  return (partition) => {
    const offset = nextOffset.get(partition);
    if (offset === undefined) throw new Error(`Kafka reported no offset for partition ${partition}`);
    nextOffset.set(partition, offset + 1);
    return offset;
  };
}

/** The bytes of a record that count against `maxBatchBytes`: key, value, header names and values. */
export function recordBytes(record: OutgoingRecord): number {
  let bytes = Buffer.byteLength(record.key) + Buffer.byteLength(record.value);
  for (const [name, value] of Object.entries(record.headers ?? {})) bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes;
}
