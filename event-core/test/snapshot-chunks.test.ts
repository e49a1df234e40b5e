import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CHUNK_HEADERS,
  chunkRecords,
  obsoleteSnapshots,
  TopicSnapshots,
  type KnownSnapshot,
} from '../src/snapshot/kafka-chunks.ts';
import type { StoredSnapshot } from '../src/snapshot/store.ts';

const snapshot = (id: string, savedAtMs: number, bytes: Buffer): StoredSnapshot => ({ id, model: 'orders', savedAtMs, bytes });

function topicOf(...records: { key: string; value: Buffer | null; headers?: Record<string, string> }[]): TopicSnapshots {
  const topic = new TopicSnapshots('orders');
  records.forEach((record, offset) => topic.add({ headers: {}, offset, ...record }));
  return topic;
}

describe('snapshot chunks on Kafka', () => {
  it('cuts a snapshot into chunks of at most the given size, keyed <id>/<n>, each saying which part it is', () => {
    const bytes = randomBytes(2_500);
    const records = chunkRecords(snapshot('s1', 42, bytes), 1_000);
    expect(records.map((r) => [r.key, r.value.length])).toEqual([
      ['s1/0', 1_000],
      ['s1/1', 1_000],
      ['s1/2', 500],
    ]);
    expect(records[2]!.headers).toEqual({
      [CHUNK_HEADERS.id]: 's1',
      [CHUNK_HEADERS.savedAtMs]: '42',
      [CHUNK_HEADERS.chunk]: '2',
      [CHUNK_HEADERS.chunks]: '3',
      [CHUNK_HEADERS.bytes]: '2500',
    });
    expect(Buffer.concat(records.map((r) => r.value)).equals(bytes)).toBe(true);
  });

  it('puts together the complete snapshots, newest first, whatever order their chunks came in', () => {
    const older = chunkRecords(snapshot('a', 1, randomBytes(30)), 10);
    const newer = chunkRecords(snapshot('b', 2, randomBytes(25)), 10);
    const topic = topicOf(newer[2]!, older[1]!, newer[0]!, older[0]!, older[2]!, newer[1]!);
    expect(topic.complete().map((s) => [s.id, s.savedAtMs, s.bytes.length])).toEqual([
      ['b', 2, 25],
      ['a', 1, 30],
    ]);
    expect(topic.complete()[1]!.bytes.equals(Buffer.concat(older.map((r) => r.value)))).toBe(true);
  });

  it('leaves out a snapshot with a chunk missing, removed, or disagreeing with the others', () => {
    const missing = chunkRecords(snapshot('missing', 1, randomBytes(30)), 10);
    const removed = chunkRecords(snapshot('removed', 2, randomBytes(30)), 10);
    const resized = chunkRecords(snapshot('resized', 3, randomBytes(30)), 10);
    const topic = topicOf(missing[0]!, missing[2]!, ...removed, { key: removed[1]!.key, value: null }, resized[0]!, resized[1]!, {
      ...resized[2]!,
      value: randomBytes(9),
    });
    expect(topic.complete()).toEqual([]);
    expect(
      topic
        .known()
        .map((s) => [s.id, s.keys.length, s.complete])
        .sort(),
    ).toEqual([
      ['missing', 2, false],
      ['removed', 2, false],
      ['resized', 3, false],
    ]);
  });

  it('ignores records that are not chunks of this format', () => {
    const topic = topicOf({ key: 'x/0', value: Buffer.from('?'), headers: { [CHUNK_HEADERS.id]: 'x' } });
    expect(topic.known()).toEqual([]);
  });

  it(`removes everything older than the newest kept complete snapshots, and nothing newer`, () => {
    const known = (id: string, savedAtMs: number, complete: boolean): KnownSnapshot => ({
      id,
      savedAtMs,
      keys: [`${id}/0`],
      complete,
    });
    const snapshots = [
      known('old', 1, true),
      known('old-cut', 2, false),
      known('kept-1', 3, true),
      known('in-progress', 4, false),
      known('kept-2', 5, true),
      known('in-progress-2', 6, false),
    ];
    expect(obsoleteSnapshots(snapshots, 2).map(({ id }) => id)).toEqual(['old', 'old-cut']);
    expect(obsoleteSnapshots(snapshots.slice(0, 2), 2)).toEqual([]);
  });
});
