import fc from 'fast-check';
import { KafkaJSConnectionError } from 'kafkajs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createGroupCommit,
  offsetAssigner,
  recordBytes,
  type GroupCommit,
  type GroupCommitOptions,
  type GroupSend,
  type RecordPosition,
  type SendRecords,
} from '../src/log/kafka/group-commit.ts';
import { partitionFor } from '../src/log/partitioner.ts';
import { LogUnavailableError, type AppendResult, type OutgoingRecord } from '../src/log/port.ts';

// The group commit of the Kafka log without a broker: its send is a fake broker that stores
// records in memory when the test answers a send, as Kafka would (partition by key, consecutive
// offsets per partition, one base offset per partition reported).

/** A send the fake broker received. */
interface ReceivedSend {
  readonly topic: string;
  readonly records: readonly OutgoingRecord[];
  readonly send: GroupSend;
  answered: boolean;
  /** Begins an attempt, stores the records and answers with where they went. */
  store(): void;
  /** Answers with `error`; `attempted`: an attempt began first, so the records may be stored. */
  fail(error: unknown, options?: { readonly attempted?: boolean }): void;
}

function fakeBroker({ partitions = 1 } = {}) {
  const topics = new Map<string, OutgoingRecord[][]>();
  const received: ReceivedSend[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const partitionsOf = (topic: string): OutgoingRecord[][] => {
    let log = topics.get(topic);
    if (!log) topics.set(topic, (log = Array.from({ length: partitions }, () => [])));
    return log;
  };
  const send: SendRecords = (topic, records, groupSend) =>
    new Promise<readonly RecordPosition[]>((resolve, reject) => {
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      const answer = (): void => {
        if (call.answered) throw new Error('the fake broker answered a send twice');
        call.answered = true;
        inFlight--;
      };
      const call: ReceivedSend = {
        topic,
        records,
        send: groupSend,
        answered: false,
        store() {
          answer();
          groupSend.attempted = true;
          const log = partitionsOf(topic);
          const partitionOf = records.map((record) => partitionFor(record.key, partitions));
          const metadata = [...new Set(partitionOf)].map((partition) => ({
            partition,
            baseOffset: String(log[partition]!.length),
          }));
          records.forEach((record, i) => log[partitionOf[i]!]!.push(record));
          const offsets = offsetAssigner(metadata);
          resolve(partitionOf.map((partition) => ({ partition, offset: offsets(partition) })));
        },
        fail(error, { attempted = false } = {}) {
          answer();
          if (attempted) groupSend.attempted = true;
          reject(error);
        },
      };
      received.push(call);
    });
  return {
    send,
    received,
    /** The send in flight, if any. */
    get waiting(): ReceivedSend | undefined {
      return received.find((call) => !call.answered);
    },
    get mostInFlight(): number {
      return mostInFlight;
    },
    recordAt: (result: AppendResult): OutgoingRecord | undefined => topics.get(result.topic)?.[result.partition]?.[result.offset],
  };
}

type FakeBroker = ReturnType<typeof fakeBroker>;

const commitOn = (broker: FakeBroker, options: Partial<Omit<GroupCommitOptions, 'send'>> = {}): GroupCommit =>
  createGroupCommit({
    send: broker.send,
    appendTimeoutMs: 60_000,
    maxBatchRecords: 1_000,
    maxBatchBytes: 512 * 1024,
    ...options,
  });

const record = (value: string, key = 'k'): OutgoingRecord => ({ key, value });
const records = (...values: string[]): OutgoingRecord[] => values.map((value) => record(value));
const valuesOf = (sent: readonly OutgoingRecord[]): string[] => sent.map((r) => String(r.value));
const sentValues = (broker: FakeBroker): string[][] => broker.received.map((call) => valuesOf(call.records));

/** The append's outcome, caught at once: a rejection waiting for its assertion is not "unhandled". */
const outcome = (append: Promise<AppendResult[]>): Promise<AppendResult[] | Error> => append.catch((error: Error) => error);

/** Lets every promise chain that can move on do so: a send answered is settled and the next one started. */
const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Answers every send, the ones that follow included, by storing its records. */
async function storeAll(broker: FakeBroker): Promise<void> {
  for (let call = broker.waiting; call; call = broker.waiting) {
    call.store();
    await settled();
  }
}

const at = (topic: string, partition: number, offset: number): AppendResult => ({ topic, partition, offset });

describe('group commit of the Kafka log', () => {
  it('sends the first append at once, on its own', () => {
    const broker = fakeBroker();
    void commitOn(broker).append('t', records('a', 'b'));
    expect(broker.received).toHaveLength(1);
    expect(broker.received[0]).toMatchObject({ topic: 't' });
    expect(sentValues(broker)).toEqual([['a', 'b']]);
  });

  it('gathers the appends made while a send is in flight into the next send, in the order they were made', async () => {
    const broker = fakeBroker();
    const commit = commitOn(broker);
    const first = commit.append('t', records('a'));
    const later = [commit.append('t', records('b')), commit.append('t', records('c', 'd')), commit.append('t', records('e'))];
    await settled();
    expect(broker.received).toHaveLength(1);

    broker.waiting!.store();
    await settled();
    expect(sentValues(broker)).toEqual([['a'], ['b', 'c', 'd', 'e']]);
    expect(broker.mostInFlight).toBe(1);

    broker.waiting!.store();
    expect(await first).toEqual([at('t', 0, 0)]);
    expect(await Promise.all(later)).toEqual([[at('t', 0, 1)], [at('t', 0, 2), at('t', 0, 3)], [at('t', 0, 4)]]);
  });

  it('gives each caller the positions of its own records, in the order of its records, across partitions', async () => {
    const broker = fakeBroker({ partitions: 3 });
    const commit = commitOn(broker);
    const appended = Array.from({ length: 40 }, (_, i) =>
      Array.from({ length: 1 + (i % 3) }, (_, j) => record(`${i}.${j}`, `key-${(i * 7 + j) % 13}`)),
    );
    const results = appended.map((mine) => commit.append('t', mine));
    await storeAll(broker);

    const answers = await Promise.all(results);
    expect(new Set(answers.flat().map((result) => result.partition)).size).toBe(3);
    answers.forEach((answer, i) => {
      expect(answer).toHaveLength(appended[i]!.length);
      answer.forEach((result, j) => expect(broker.recordAt(result)).toBe(appended[i]![j]));
    });
  });

  it('sends the oldest waiting append first, with the later ones to its topic; other topics wait their turn', async () => {
    const broker = fakeBroker();
    const commit = commitOn(broker);
    const appends = [
      commit.append('first', records('x')),
      commit.append('b', records('b1')),
      commit.append('a', records('a1')),
      commit.append('b', records('b2')),
      commit.append('a', records('a2')),
    ];
    await storeAll(broker);

    expect(broker.received.map((call) => [call.topic, valuesOf(call.records)])).toEqual([
      ['first', ['x']],
      ['b', ['b1', 'b2']],
      ['a', ['a1', 'a2']],
    ]);
    expect(await Promise.all(appends)).toEqual([
      [at('first', 0, 0)],
      [at('b', 0, 0)],
      [at('a', 0, 0)],
      [at('b', 0, 1)],
      [at('a', 0, 1)],
    ]);
  });

  // The appends a+b, c+d+e and f queue behind a send in flight. At 4, f would fit beside a and b
  // but goes after c, d and e.
  it.each([
    ['takes up to maxBatchRecords records in one send', 5, [['blocker'], ['a', 'b', 'c', 'd', 'e'], ['f']]],
    [
      'ends a send at the first append that does not fit, so that appends to a topic keep their order',
      4,
      [['blocker'], ['a', 'b'], ['c', 'd', 'e', 'f']],
    ],
  ])('%s', async (_, maxBatchRecords, sends) => {
    const broker = fakeBroker();
    const commit = commitOn(broker, { maxBatchRecords });
    for (const values of [['blocker'], ['a', 'b'], ['c', 'd', 'e'], ['f']]) void commit.append('t', records(...values));
    await storeAll(broker);
    expect(sentValues(broker)).toEqual(sends);
  });

  it('takes up to maxBatchBytes bytes of keys, values and headers in one send', async () => {
    const broker = fakeBroker();
    const commit = commitOn(broker, { maxBatchBytes: 20 });
    const ten = { key: 'k', value: '123456789' };
    const tenWithHeaders = { key: 'k', value: '12345', headers: { ab: 'cd' } };
    expect([recordBytes(ten), recordBytes(tenWithHeaders)]).toEqual([10, 10]);
    void commit.append('t', records('blocker'));
    void commit.append('t', [ten]);
    void commit.append('t', [tenWithHeaders]);
    void commit.append('t', [{ key: 'k', value: '' }]);
    await storeAll(broker);
    expect(sentValues(broker)).toEqual([['blocker'], ['123456789', '12345'], ['']]);
  });

  it('sends an append over the limits whole, alone', async () => {
    const broker = fakeBroker();
    const commit = commitOn(broker, { maxBatchRecords: 2, maxBatchBytes: 4 });
    void commit.append('t', records('blocker'));
    const large = commit.append('t', records('a', 'b', 'c'));
    void commit.append('t', records('d'));
    await storeAll(broker);
    expect(sentValues(broker)).toEqual([['blocker'], ['a', 'b', 'c'], ['d']]);
    expect(await large).toEqual([at('t', 0, 1), at('t', 0, 2), at('t', 0, 3)]);
  });

  it('answers an append of no records at once, sending nothing', async () => {
    const broker = fakeBroker();
    expect(await commitOn(broker).append('t', [])).toEqual([]);
    expect(broker.received).toHaveLength(0);
  });

  it('fails every append of a failed send with the same error, and goes on with the next send', async () => {
    const broker = fakeBroker();
    const commit = commitOn(broker);
    void commit.append('t', records('blocker'));
    const failing = [outcome(commit.append('t', records('a'))), outcome(commit.append('t', records('b')))];
    broker.waiting!.store();
    await settled();
    const next = commit.append('other', records('c'));
    broker.waiting!.fail(new KafkaJSConnectionError('Connection error: ECONNREFUSED'));
    await settled();
    broker.waiting!.store();

    const [a, b] = await Promise.all(failing);
    expect(a).toBeInstanceOf(LogUnavailableError);
    expect(b).toBe(a);
    expect(await next).toEqual([at('other', 0, 0)]);
  });

  it('says nothing was stored when a send fails before an attempt began', async () => {
    const broker = fakeBroker();
    const append = outcome(commitOn(broker).append('t', records('a')));
    broker.waiting!.fail(new KafkaJSConnectionError('Connection error: ECONNREFUSED'));
    expect(await append).toMatchObject({
      name: 'LogUnavailableError',
      notStored: true,
      message: expect.stringMatching(/^Kafka is unavailable \(t\): Connection error: ECONNREFUSED/),
    });
  });

  it('leaves it in doubt when a send fails after an attempt began', async () => {
    const broker = fakeBroker();
    const append = outcome(commitOn(broker).append('t', records('a')));
    broker.waiting!.fail(new KafkaJSConnectionError('Connection error: ECONNRESET'), { attempted: true });
    expect(await append).toMatchObject({ name: 'LogUnavailableError', notStored: false });
  });

  it('fails the appends to a topic that does not exist alone, saying to provision it', async () => {
    const broker = fakeBroker();
    const commit = commitOn(broker);
    const missing = outcome(commit.append('missing', records('a')));
    const fine = commit.append('t', records('b'));
    broker.waiting!.fail(
      Object.assign(new Error('This server does not host this topic-partition'), {
        name: 'KafkaJSProtocolError',
        type: 'UNKNOWN_TOPIC_OR_PARTITION',
        retriable: true,
      }),
      { attempted: true },
    );
    await settled();
    broker.waiting!.store();
    expect(await missing).toMatchObject({ message: 'topic "missing" does not exist: provision it first' });
    expect(await fine).toEqual([at('t', 0, 0)]);
  });

  it('passes on a failure that is not about Kafka as it is', async () => {
    const broker = fakeBroker();
    const append = outcome(commitOn(broker).append('t', records('a')));
    const bug = new TypeError('a bug');
    broker.waiting!.fail(bug);
    expect(await append).toBe(bug);
  });

  it('fails a send whose answer does not give one position per record', async () => {
    const send: SendRecords = async () => [{ partition: 0, offset: 0 }];
    const commit = createGroupCommit({ send, appendTimeoutMs: 60_000, maxBatchRecords: 10, maxBatchBytes: 1_000 });
    expect(await outcome(commit.append('t', records('a', 'b')))).toMatchObject({
      message: 'the send reported 1 positions for 2 records',
    });
  });

  it('gives every caller its own records, stored in the order the appends were made, one send at a time', async () => {
    const step = fc.oneof(
      { weight: 3, arbitrary: fc.record({ topic: fc.constantFrom('a', 'b', 'c'), size: fc.integer({ min: 1, max: 4 }) }) },
      { weight: 1, arbitrary: fc.constant('answer' as const) },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { maxLength: 40 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 6 }),
        async (steps, partitions, maxBatchRecords) => {
          const broker = fakeBroker({ partitions });
          const commit = commitOn(broker, { maxBatchRecords });
          const appends: {
            readonly topic: string;
            readonly records: OutgoingRecord[];
            readonly result: Promise<AppendResult[]>;
          }[] = [];
          for (const next of steps) {
            if (next === 'answer') {
              broker.waiting?.store();
              await settled();
              continue;
            }
            const mine = Array.from({ length: next.size }, (_, j) =>
              record(`${appends.length}.${j}`, `key-${appends.length % 5}`),
            );
            appends.push({ topic: next.topic, records: mine, result: commit.append(next.topic, mine) });
          }
          await storeAll(broker);

          expect(broker.mostInFlight).toBeLessThanOrEqual(1);
          for (const call of broker.received) {
            const alone = appends.some(
              (append) => append.records[0] === call.records[0] && append.records.length === call.records.length,
            );
            if (!alone) expect(call.records.length).toBeLessThanOrEqual(maxBatchRecords);
          }
          for (const topic of ['a', 'b', 'c']) {
            const sent = broker.received.filter((call) => call.topic === topic).flatMap((call) => call.records);
            expect(sent).toEqual(appends.filter((append) => append.topic === topic).flatMap((append) => append.records));
          }
          for (const append of appends) {
            const results = await append.result;
            expect(results.map((result) => broker.recordAt(result))).toEqual(append.records);
            expect(results.every((result) => result.topic === append.topic)).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  describe('at an append’s deadline', () => {
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('drops an append still queued, nothing written, and never sends it', async () => {
      const broker = fakeBroker();
      const commit = commitOn(broker, { appendTimeoutMs: 1_000 });
      void outcome(commit.append('t', records('blocker')));
      const queued = outcome(commit.append('t', records('a')));
      await vi.advanceTimersByTimeAsync(1_000);

      expect(await queued).toMatchObject({
        name: 'LogUnavailableError',
        notStored: true,
        message: 'Kafka did not take the append to t within 1000 ms; nothing was written',
      });
      broker.waiting!.store();
      await settled();
      expect(sentValues(broker)).toEqual([['blocker']]);
    });

    it('abandons the send in flight, failing every append it carries; nothing written when no attempt began', async () => {
      const broker = fakeBroker();
      const commit = commitOn(broker, { appendTimeoutMs: 1_000 });
      void commit.append('t', records('blocker'));
      const carried = [outcome(commit.append('t', records('a'))), outcome(commit.append('t', records('b')))];
      broker.waiting!.store();
      await settled();
      const inFlight = broker.waiting!;
      expect(valuesOf(inFlight.records)).toEqual(['a', 'b']);
      await vi.advanceTimersByTimeAsync(1_000);

      expect(inFlight.send.abandoned).toBe(true);
      const [a, b] = await Promise.all(carried);
      for (const failure of [a, b]) {
        expect(failure).toMatchObject({
          name: 'LogUnavailableError',
          notStored: true,
          message: 'Kafka did not take the append to t within 1000 ms; nothing was written',
        });
      }
      // What the sender does after its send was abandoned changes nothing for its callers.
      inFlight.fail(new Error('append abandoned at its deadline; not sent again'));
      expect(await Promise.all(carried)).toEqual([a, b]);
    });

    it('leaves the appends of the send in flight in doubt when an attempt began', async () => {
      const broker = fakeBroker();
      const commit = commitOn(broker, { appendTimeoutMs: 1_000 });
      const append = outcome(commit.append('t', records('a')));
      // What the producer's partitioner does as kafkajs begins writing the request.
      broker.waiting!.send.attempted = true;
      await vi.advanceTimersByTimeAsync(1_000);

      expect(await append).toMatchObject({
        name: 'LogUnavailableError',
        notStored: false,
        message: 'Kafka did not acknowledge the append to t within 1000 ms; it may or may not have been written',
      });
      expect(broker.waiting!.send.abandoned).toBe(true);
    });

    it('counts the time an append waited in the queue', async () => {
      const broker = fakeBroker();
      const commit = commitOn(broker, { appendTimeoutMs: 1_000 });
      void commit.append('t', records('blocker'));
      const queued = outcome(commit.append('t', records('a')));
      await vi.advanceTimersByTimeAsync(900);
      broker.waiting!.store();
      await settled();
      expect(sentValues(broker)).toEqual([['blocker'], ['a']]);
      await vi.advanceTimersByTimeAsync(100);
      expect(await queued).toMatchObject({ name: 'LogUnavailableError', notStored: true });
    });

    it('answers an append stored in time, with no failure later', async () => {
      const broker = fakeBroker();
      const commit = commitOn(broker, { appendTimeoutMs: 1_000 });
      const append = commit.append('t', records('a'));
      broker.waiting!.store();
      expect(await append).toEqual([at('t', 0, 0)]);
      await vi.advanceTimersByTimeAsync(5_000);
      expect(broker.received[0]!.send.abandoned).toBe(false);
    });
  });

  describe('when closed', () => {
    it('fails the queued appends, nothing written, and waits for the send in flight', async () => {
      const broker = fakeBroker();
      const commit = commitOn(broker);
      const inFlight = commit.append('t', records('a'));
      const queued = outcome(commit.append('t', records('b')));
      let closed = false;
      const closing = commit.close().then(() => (closed = true));

      expect(await queued).toMatchObject({
        name: 'LogUnavailableError',
        notStored: true,
        message: 'the Kafka event log is closed',
      });
      await settled();
      expect(closed).toBe(false);
      broker.waiting!.store();
      await closing;
      expect(await inFlight).toEqual([at('t', 0, 0)]);
      expect(sentValues(broker)).toEqual([['a']]);
    });

    it('refuses later appends, nothing written', async () => {
      const broker = fakeBroker();
      const commit = commitOn(broker);
      await commit.close();
      expect(await outcome(commit.append('t', records('a')))).toMatchObject({ name: 'LogUnavailableError', notStored: true });
      expect(await outcome(commit.append('t', []))).toMatchObject({ name: 'LogUnavailableError', notStored: true });
      expect(broker.received).toHaveLength(0);
    });
  });
});

describe('offsetAssigner', () => {
  it('numbers the records of each partition on from its base offset, in the order they are asked for', () => {
    const offsets = offsetAssigner([
      { partition: 0, baseOffset: '10' },
      { partition: 2, baseOffset: '7' },
    ]);
    expect([0, 2, 0, 0, 2].map(offsets)).toEqual([10, 7, 11, 12, 8]);
  });

  it('fails for a partition Kafka reported no offset for', () => {
    const offsets = offsetAssigner([{ partition: 0, baseOffset: '0' }]);
    expect(() => offsets(1)).toThrow('Kafka reported no offset for partition 1');
  });
});

describe('recordBytes', () => {
  it('counts the UTF-8 bytes of the key, the value and every header name and value', () => {
    expect(recordBytes({ key: 'é', value: Buffer.alloc(3), headers: { ab: '€' } })).toBe(2 + 3 + 2 + 3);
    expect(recordBytes({ key: '', value: '' })).toBe(0);
  });
});
