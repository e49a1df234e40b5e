import { afterEach, describe, expect, it } from 'vitest';
import { DecodeError, encodeEvent, type Decoded } from '../src/codec.ts';
import type { EventEnvelope } from '../src/envelope.ts';
import { createEmbeddedLog } from '../src/log/embedded.ts';
import type { EventLog, LogRecord, ReplayOptions } from '../src/log/port.ts';
import { silentLogger } from '../src/logger.ts';
import { applied, createProjector, type ApplyOutcome, type Projection, type Projector } from '../src/projector.ts';

// The projector on a log that replays (`EventLog.replay`, the Kafka log's worker thread): the
// embedded log stands in, with a replay built from its follower, so these run without a broker.
const TOPIC = 'toy.events';

class ListingProjection implements Projection {
  readonly topics = [TOPIC];
  readonly seen: number[] = [];

  apply(_topic: string, decoded: Decoded, _record: LogRecord): ApplyOutcome {
    if (decoded.format !== 'envelope') throw new DecodeError('no legacy records here');
    this.seen.push((decoded.event.data as { n: number }).n);
    return applied(decoded.event.entityId);
  }
}

const event = (n: number): EventEnvelope => ({
  id: `toy-${n}`,
  type: 'ToyHappened',
  entityId: 'e1',
  version: 1,
  occurredAt: '2026-01-01T00:00:00.000Z',
  data: { n },
  meta: {},
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The embedded log with a `replay`: records up to `until` through a follower, failing after `failAfter` records. */
async function givenReplayingLog({ failAfter = Number.POSITIVE_INFINITY } = {}): Promise<{
  log: EventLog;
  replays: ReplayOptions[];
}> {
  const inner = createEmbeddedLog({ file: ':memory:' });
  await inner.provision([{ topic: TOPIC }]);
  cleanups.push(() => inner.close());
  const replays: ReplayOptions[] = [];
  const log: EventLog = {
    ...inner,
    async replay(topic, options) {
      replays.push(options);
      const end = options.until[0] ?? 0;
      let handed = 0;
      let reached!: () => void;
      const done = new Promise<void>((resolve) => (reached = resolve));
      let failure: Error | undefined;
      const follower = await inner.follow(topic, {
        ...(options.from ? { from: options.from } : {}),
        onBatch: async (records) => {
          const wanted = records.filter((record) => record.offset < end).slice(0, Math.max(0, failAfter - handed));
          handed += wanted.length;
          if (wanted.length > 0) await options.onBatch(wanted);
          if (handed >= failAfter) failure = new Error('the replay worker died');
          if (failure || wanted.length === 0 || wanted[wanted.length - 1]!.offset + 1 >= end) reached();
        },
      });
      if (end > (options.from?.[0] ?? 0)) await done;
      await follower.close();
      if (failure) throw failure;
    },
  };
  return { log, replays };
}

/** A projector that replays every topic through `replay` that is at least `minEvents` behind. */
function givenProjector(log: EventLog, projection: Projection, minEvents = 1): Projector {
  const projector = createProjector({ name: 'toy', log, projection, logger: silentLogger, replayOffThreadMinEvents: minEvents });
  cleanups.push(() => projector.stop());
  return projector;
}

describe('projector on a log that replays', () => {
  it('replays up to the high-water marks through the replay, then follows live from there', async () => {
    const { log, replays } = await givenReplayingLog();
    await log.append(
      TOPIC,
      [0, 1, 2].map((n) => encodeEvent(event(n))),
    );
    const projection = new ListingProjection();
    const projector = givenProjector(log, projection);

    await projector.start();
    expect(replays.map((options) => options.until)).toEqual([{ 0: 3 }]);
    expect(projection.seen).toEqual([0, 1, 2]);

    await log.append(TOPIC, [encodeEvent(event(3))]);
    await projector.waitFor({ [TOPIC]: { 0: 4 } }, 5_000);
    expect(projection.seen).toEqual([0, 1, 2, 3]);
  });

  it('skips and counts a record that is not an event, and applies the ones after it', async () => {
    const { log } = await givenReplayingLog();
    await log.append(TOPIC, [encodeEvent(event(0)), { key: 'e1', value: '{"id": ' }, encodeEvent(event(2))]);
    const projection = new ListingProjection();
    const projector = givenProjector(log, projection);

    await projector.start();
    expect(projection.seen).toEqual([0, 2]);
    expect(projector.stats()).toMatchObject({ applied: 2, skipped: 1 });
  });

  it('leaves a short tail to the follower', async () => {
    const { log, replays } = await givenReplayingLog();
    await log.append(
      TOPIC,
      [0, 1, 2].map((n) => encodeEvent(event(n))),
    );
    const projection = new ListingProjection();
    const projector = givenProjector(log, projection, 4);

    await projector.start();
    expect(replays).toEqual([]);
    expect(projection.seen).toEqual([0, 1, 2]);
  });

  it('reads on with a follower from where a failed replay got, each event once', async () => {
    const { log } = await givenReplayingLog({ failAfter: 2 });
    await log.append(
      TOPIC,
      [0, 1, 2, 3].map((n) => encodeEvent(event(n))),
    );
    const projection = new ListingProjection();
    const projector = givenProjector(log, projection);

    await projector.start();
    expect(projector.isReady()).toBe(true);
    expect(projection.seen).toEqual([0, 1, 2, 3]);
  });
});
