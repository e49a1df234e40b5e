import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { decodeRecord, DecodeError, encodeEvent, type Decoded } from '../src/codec.ts';
import type { EventEnvelope } from '../src/envelope.ts';
import { createKafkaLog } from '../src/log/kafka/log.ts';
import { replayKafkaTopic } from '../src/log/kafka/replay.ts';
import type { EventLog, LogRecord } from '../src/log/port.ts';
import { applied, createProjector, type ApplyOutcome, type Projection } from '../src/projector.ts';

// The replay at start on a worker thread (kafka/replay.ts): what it hands over, and the projector
// on it. The integration project's global setup provides the brokers.
const brokers = inject('kafkaBrokers').split(',');
const topicName = (label: string): string => `kafka-replay.${label}.${randomUUID().slice(0, 8)}`;

const event = (entityId: string, n: number): EventEnvelope => ({
  id: randomUUID(),
  type: 'ToyHappened',
  entityId,
  version: 1,
  occurredAt: '2026-01-01T00:00:00.000Z',
  data: { n },
  meta: {},
});

/** Remembers, per topic, the `n` of every event applied, in order. */
class ListingProjection implements Projection {
  readonly seen: number[] = [];
  constructor(readonly topics: readonly string[]) {}

  apply(_topic: string, decoded: Decoded, _record: LogRecord): ApplyOutcome {
    if (decoded.format !== 'envelope') throw new DecodeError('no legacy records here');
    this.seen.push((decoded.event.data as { n: number }).n);
    return applied(decoded.event.entityId);
  }
}

describe('kafka replay on a worker thread', () => {
  let log: EventLog;
  beforeAll(() => {
    log = createKafkaLog({ brokers, clientId: 'kafka-replay-test' });
  });
  afterAll(async () => {
    await log.close();
  });

  it('hands over every record from `from` up to `until`, once each, in offset order, with key, value and headers', async () => {
    const topic = topicName('bounded');
    await log.provision([{ topic, partitions: 2 }]);
    const events = Array.from({ length: 400 }, (_, i) => event(`e${i % 7}`, i));
    for (let i = 0; i < events.length; i += 100) await log.append(topic, events.slice(i, i + 100).map(encodeEvent));
    await log.append(topic, [{ key: 'e0', value: '{"not": "an event"' }]);
    const until = await log.highWaterMarks(topic);
    await log.append(topic, [encodeEvent(event('e1', 1000))]);
    const from = { 0: 3, 1: 0 };

    const seen: LogRecord[] = [];
    await log.replay!(topic, { from, until, onBatch: (records) => void seen.push(...records) });

    for (const partition of [0, 1]) {
      const offsets = seen.filter((r) => r.partition === partition).map((r) => r.offset);
      const first = from[partition as 0 | 1];
      expect(offsets).toEqual(Array.from({ length: until[partition]! - first }, (_, i) => first + i));
    }
    const poison = seen.filter((r) => r.value?.toString() === '{"not": "an event"');
    expect(poison).toMatchObject([{ key: 'e0' }]);
    const written = new Map(events.map((e) => [e.id, e]));
    for (const record of seen.filter((r) => r !== poison[0])) {
      const decoded = decodeRecord(record) as Extract<Decoded, { format: 'envelope' }>;
      expect(decoded.event).toEqual(written.get(decoded.event.id));
      expect(record.key).toBe(decoded.event.entityId);
      expect(record.headers).toEqual({ 'content-type': 'application/json', 'event-type': 'ToyHappened' });
      expect(record.timestampMs).toBeGreaterThan(0);
    }
    expect(seen.length).toBe(until[0]! - 3 + until[1]!);
  });

  it('starts a projector from a replay: a bad record is skipped and logged with its position, readiness waits for the replay, and live events follow', async () => {
    const topic = topicName('projector');
    await log.provision([{ topic }]);
    await log.append(topic, [encodeEvent(event('e1', 0)), { key: 'e1', value: '{"id": ' }, encodeEvent(event('e1', 1))]);
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'warn' },
      { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    const projection = new ListingProjection([topic]);
    const projector = createProjector({ name: 'toy', log, projection, logger, replayOffThreadMinEvents: 1 });

    const starting = projector.start();
    expect(projector.isReady()).toBe(false);
    await starting;
    expect(projector.isReady()).toBe(true);
    expect(projection.seen).toEqual([0, 1]);
    expect(projector.stats()).toMatchObject({ applied: 2, skipped: 1 });
    expect(lines).toContainEqual(
      expect.objectContaining({ topic, partition: 0, offset: 1, msg: 'skipped a record that is not a valid event' }),
    );

    const [written] = await log.append(topic, [encodeEvent(event('e1', 2))]);
    await projector.waitFor({ [topic]: { 0: written!.offset + 1 } }, 10_000);
    expect(projection.seen).toEqual([0, 1, 2]);
    await projector.stop();
  });

  it('fails a replay that stops moving, after handing over what it read', async () => {
    const topic = topicName('stall');
    await log.provision([{ topic }]);
    await log.append(
      topic,
      Array.from({ length: 20 }, (_, i) => encodeEvent(event('e1', i))),
    );
    let delivered = 0;
    const replay = replayKafkaTopic(
      { brokers, clientId: 'kafka-replay-test', maxWaitTimeMs: 100, stallTimeoutMs: 5_000 },
      topic,
      // An end the topic never reaches: once its 20 records are read, nothing moves any more.
      { until: { 0: 1_000 }, onBatch: (records) => void (delivered += records.length) },
    );
    await expect(replay).rejects.toThrow(/made no progress for 5000 ms/);
    expect([0, 20]).toContain(delivered);
  });

  it('ends a replay that is stopped before it is done', async () => {
    const topic = topicName('abort');
    await log.provision([{ topic }]);
    await log.append(
      topic,
      Array.from({ length: 50 }, (_, i) => encodeEvent(event('e1', i))),
    );
    const stop = new AbortController();
    let delivered = 0;
    await log.replay!(topic, {
      until: { 0: 1_000_000 },
      signal: stop.signal,
      onBatch: (records) => {
        delivered += records.length;
        if (delivered >= 50) stop.abort();
      },
    });
    expect(delivered).toBe(50);
  });
});
