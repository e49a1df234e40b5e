import { afterEach, describe, expect, it } from 'vitest';
import { DecodeError, encodeEvent, type Decoded } from '../src/codec.ts';
import type { EventEnvelope } from '../src/envelope.ts';
import { conflict, DomainError } from '../src/errors.ts';
import { createEmbeddedLog } from '../src/log/embedded.ts';
import { LogUnavailableError, type EventLog, type LogRecord, type OutgoingRecord } from '../src/log/port.ts';
import { silentLogger } from '../src/logger.ts';
import { positionAfter } from '../src/position.ts';
import { applied, createProjector, rejected, type ApplyOutcome, type Projection, type Projector } from '../src/projector.ts';
import { createEventWriter, runCommand, type CommandDecision, type EventWriter, type Written } from '../src/writer.ts';

const TOPIC = 'toy.events';
const OTHER = 'toy.other';

interface ToyData {
  readonly n: number;
  /** The toy projection refuses this event deterministically. */
  readonly refuse?: boolean;
  /** The toy projection cannot understand this event. */
  readonly unreadable?: boolean;
}

/** Counts events per topic; refuses and fails on request, so every outcome can be produced. */
class CountingProjection implements Projection {
  readonly counts = new Map<string, number>();
  readonly seen: string[] = [];
  constructor(readonly topics: readonly string[] = [TOPIC]) {}

  apply(topic: string, decoded: Decoded, _record: LogRecord): ApplyOutcome {
    if (decoded.format !== 'envelope') throw new DecodeError('the toy projection reads no legacy records');
    const data = decoded.event.data as ToyData;
    if (data.unreadable) throw new DecodeError('unreadable toy event');
    if (data.refuse) return rejected(conflict('toy', decoded.event.entityId, decoded.event.version - 1, 0));
    this.counts.set(topic, (this.counts.get(topic) ?? 0) + 1);
    this.seen.push(decoded.event.id);
    return applied(decoded.event.entityId);
  }

  count(topic = TOPIC): number {
    return this.counts.get(topic) ?? 0;
  }
}

let sequence = 0;
const toyEvent = (data: ToyData = { n: 0 }, entityId = 'e1'): EventEnvelope<'ToyHappened', ToyData> => ({
  id: `toy-${++sequence}`,
  type: 'ToyHappened',
  entityId,
  version: 1,
  occurredAt: '2026-01-01T00:00:00.000Z',
  data,
  meta: {},
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function givenLog(topics: readonly string[] = [TOPIC, OTHER]): Promise<EventLog> {
  const log = createEmbeddedLog({ file: ':memory:' });
  await log.provision(topics.map((topic) => ({ topic })));
  cleanups.push(() => log.close());
  return log;
}

function givenProjector(log: EventLog, projection: Projection = new CountingProjection()): Projector {
  const projector = createProjector({ name: 'toy', log, projection, logger: silentLogger });
  cleanups.push(() => projector.stop());
  return projector;
}

const append = (log: EventLog, topic: string, ...records: OutgoingRecord[]) => log.append(topic, records);
const appendEvents = (log: EventLog, ...events: EventEnvelope[]) => log.append(TOPIC, events.map(encodeEvent));

describe('projector start', () => {
  it('replays the records already in the log, then becomes ready', async () => {
    const log = await givenLog();
    await appendEvents(log, toyEvent(), toyEvent(), toyEvent());
    const projection = new CountingProjection();
    const projector = givenProjector(log, projection);
    expect(projector.isReady()).toBe(false);

    await projector.start();

    expect(projector.isReady()).toBe(true);
    expect(projection.count()).toBe(3);
    expect(projector.position()).toEqual({ [TOPIC]: { 0: 3 } });
    expect(projector.stats()).toMatchObject({ applied: 3, rejected: 0, skipped: 0 });
  });

  it('becomes ready at once on an empty log', async () => {
    const log = await givenLog();
    const projector = givenProjector(log);
    await projector.start();
    expect(projector.isReady()).toBe(true);
    expect(projector.position()).toEqual({ [TOPIC]: { 0: 0 } });
  });

  it('replays every topic the projection follows', async () => {
    const log = await givenLog();
    await appendEvents(log, toyEvent());
    await append(log, OTHER, encodeEvent(toyEvent()), encodeEvent(toyEvent()));
    const projection = new CountingProjection([TOPIC, OTHER]);
    const projector = givenProjector(log, projection);
    await projector.start();
    expect(projection.count(TOPIC)).toBe(1);
    expect(projection.count(OTHER)).toBe(2);
  });

  it('reads nothing from topics the projection does not follow', async () => {
    const log = await givenLog();
    await append(log, OTHER, encodeEvent(toyEvent()));
    const projection = new CountingProjection([TOPIC]);
    await givenProjector(log, projection).start();
    expect(projection.count(OTHER)).toBe(0);
  });
});

describe('projector live', () => {
  it('applies events appended after start', async () => {
    const log = await givenLog();
    const projection = new CountingProjection();
    const projector = givenProjector(log, projection);
    await projector.start();

    const [result] = await appendEvents(log, toyEvent(), toyEvent());
    await projector.waitFor(positionAfter(TOPIC, 0, result!.offset + 1), 5000);

    expect(projection.count()).toBe(2);
    expect(projector.position()).toEqual({ [TOPIC]: { 0: 2 } });
  });

  it.each<[string, OutgoingRecord]>([
    ['invalid JSON', { key: 'e1', value: '{"id": ' }],
    ['a key that is not the entity id', { key: 'someone-else', value: encodeEvent(toyEvent()).value }],
    ['a bad version', { key: 'e1', value: JSON.stringify({ ...toyEvent(), version: 0 }) }],
    ['a lower-case type', { key: 'e1', value: JSON.stringify({ ...toyEvent(), type: 'toyHappened' }) }],
    [
      'a legacy record the projection does not read',
      { key: 'e1', value: JSON.stringify({ eventType: 'set', payload: { id: 'e1' } }) },
    ],
  ])('skips a record with %s, counts it, and applies the events after it', async (_label, poison) => {
    const log = await givenLog();
    await appendEvents(log, toyEvent());
    await append(log, TOPIC, poison);
    await appendEvents(log, toyEvent());
    const projection = new CountingProjection();
    const projector = givenProjector(log, projection);

    await projector.start();
    await appendEvents(log, toyEvent());
    await projector.waitFor({ [TOPIC]: { 0: 4 } }, 5000);

    expect(projection.count()).toBe(3);
    expect(projector.stats()).toMatchObject({ applied: 3, rejected: 0, skipped: 1 });
    expect(projector.position()).toEqual({ [TOPIC]: { 0: 4 } });
  });

  it('counts a refused event as rejected, not skipped', async () => {
    const log = await givenLog();
    await appendEvents(log, toyEvent({ n: 1, refuse: true }), toyEvent());
    const projector = givenProjector(log);
    await projector.start();
    expect(projector.stats()).toMatchObject({ applied: 1, rejected: 1, skipped: 0 });
  });

  it('counts a well-formed envelope the projection cannot understand as skipped only, not also as rejected', async () => {
    const log = await givenLog();
    await appendEvents(log, toyEvent({ n: 1, unreadable: true }), toyEvent());
    const projector = givenProjector(log);
    await projector.start();
    expect(projector.stats()).toMatchObject({ applied: 1, rejected: 0, skipped: 1 });
  });

  it('stops applying events once stopped', async () => {
    const log = await givenLog();
    const projection = new CountingProjection();
    const projector = givenProjector(log, projection);
    await projector.start();
    await projector.stop();
    await appendEvents(log, toyEvent());
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(projection.count()).toBe(0);
  });
});

describe('projector waitFor', () => {
  it('resolves at once for a position already applied', async () => {
    const log = await givenLog();
    await appendEvents(log, toyEvent());
    const projector = givenProjector(log);
    await projector.start();
    await expect(projector.waitFor({ [TOPIC]: { 0: 1 } }, 0)).resolves.toBeUndefined();
  });

  it('resolves once a later position is applied', async () => {
    const log = await givenLog();
    const projection = new CountingProjection();
    const projector = givenProjector(log, projection);
    await projector.start();

    let done = false;
    const waiting = projector.waitFor({ [TOPIC]: { 0: 2 } }, 5000).then(() => (done = true));
    await appendEvents(log, toyEvent());
    await projector.waitFor({ [TOPIC]: { 0: 1 } }, 5000);
    expect(done).toBe(false);
    await appendEvents(log, toyEvent());
    await waiting;
    expect(projection.count()).toBe(2);
  });

  it('rejects with CONSISTENCY_TIMEOUT when the position is not reached in time', async () => {
    const log = await givenLog();
    const projector = givenProjector(log);
    await projector.start();
    const startedAt = Date.now();
    const error = await projector.waitFor({ [TOPIC]: { 0: 1 } }, 50).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('CONSISTENCY_TIMEOUT');
    expect((error as DomainError).message).toContain('50 ms');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(45);
  });

  it('ignores topics the projector does not follow', async () => {
    const log = await givenLog();
    await appendEvents(log, toyEvent());
    const projector = givenProjector(log, new CountingProjection([TOPIC]));
    await projector.start();
    await expect(projector.waitFor({ [TOPIC]: { 0: 1 }, 'not.followed': { 0: 1_000_000 } }, 50)).resolves.toBeUndefined();
  });

  it('still waits for a followed topic when the position names others too', async () => {
    const log = await givenLog();
    const projector = givenProjector(log, new CountingProjection([TOPIC]));
    await projector.start();
    await expect(projector.waitFor({ [TOPIC]: { 0: 1 }, 'not.followed': { 0: 0 } }, 30)).rejects.toMatchObject({
      code: 'CONSISTENCY_TIMEOUT',
    });
  });
});

describe('projector expect', () => {
  it('resolves with the outcome and the position just after the event', async () => {
    const log = await givenLog();
    await appendEvents(log, toyEvent(), toyEvent());
    const projector = givenProjector(log);
    await projector.start();

    const event = toyEvent({ n: 7 }, 'e9');
    const expectation = projector.expect(event.id);
    const [result] = await appendEvents(log, event);

    await expect(expectation.promise).resolves.toEqual({
      outcome: { ok: true, entityId: 'e9' },
      position: { [TOPIC]: { 0: 3 } },
    });
    expect(result!.offset).toBe(2);
  });

  it('resolves with the rejection of a refused event', async () => {
    const log = await givenLog();
    const projector = givenProjector(log);
    await projector.start();
    const event = toyEvent({ n: 1, refuse: true });
    const expectation = projector.expect(event.id);
    await appendEvents(log, event);
    const { outcome } = await expectation.promise;
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error.code).toBe('CONFLICT');
  });

  it('has the projector position include the event by the time it resolves', async () => {
    const log = await givenLog();
    const projector = givenProjector(log);
    await projector.start();
    const event = toyEvent();
    const expectation = projector.expect(event.id);
    await appendEvents(log, event);
    await expectation.promise;
    expect(projector.position()).toEqual({ [TOPIC]: { 0: 1 } });
  });
});

// ---------------------------------------------------------------------------------------------

/** A log that stores nothing: every append fails like a broker that refuses connections. */
function failingLog(inner: EventLog): EventLog {
  return { ...inner, append: () => Promise.reject(new LogUnavailableError('broker unreachable', { notStored: true })) };
}

/** A log that stores every append but reports a failure, like a broker whose acknowledgement is lost. */
function ackLosingLog(inner: EventLog): EventLog {
  return {
    ...inner,
    append: (topic, records) =>
      inner.append(topic, records).then(() => Promise.reject(new LogUnavailableError('no acknowledgement'))),
  };
}

/** A log whose appends never answer, and store nothing. */
function silentLog(inner: EventLog): EventLog {
  return { ...inner, append: () => new Promise(() => {}) };
}

describe('createEventWriter', () => {
  it('returns the position after the event and the entity it applied to', async () => {
    const log = await givenLog();
    await appendEvents(log, toyEvent());
    const projector = givenProjector(log);
    await projector.start();
    const writer = createEventWriter({ log, projector, topic: TOPIC });

    const written = await writer.write(toyEvent({ n: 1 }, 'e42'));

    expect(written).toEqual({ position: { [TOPIC]: { 0: 2 } }, entityId: 'e42' });
    expect(projector.position()).toEqual({ [TOPIC]: { 0: 2 } });
  });

  it("rejects with the projection's rejection, and the event stays in the log", async () => {
    const log = await givenLog();
    const projector = givenProjector(log);
    await projector.start();
    const writer = createEventWriter({ log, projector, topic: TOPIC });

    await expect(writer.write(toyEvent({ n: 1, refuse: true }))).rejects.toMatchObject({ name: 'DomainError', code: 'CONFLICT' });
    expect(await log.highWaterMarks(TOPIC)).toEqual({ 0: 1 });
  });

  it('rejects at once with UNAVAILABLE, stored NO, when the log did not store the event', async () => {
    const log = await givenLog();
    const projector = givenProjector(log);
    await projector.start();
    const writer = createEventWriter({ log: failingLog(log), projector, topic: TOPIC });

    const error = await writer.write(toyEvent()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({
      code: 'UNAVAILABLE',
      details: { stored: 'NO' },
      message: expect.stringMatching(/broker unreachable.*nothing was stored/),
    });
    expect(await log.highWaterMarks(TOPIC)).toEqual({ 0: 0 });
  });

  it('rejects with UNAVAILABLE, stored YES, when the stored event is not applied in time', async () => {
    const log = await givenLog();
    const projector = givenProjector(log); // never started: nothing is applied
    const writer = createEventWriter({ log, projector, topic: TOPIC, timeoutMs: 50 });
    await expect(writer.write(toyEvent())).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      details: { stored: 'YES' },
      message: expect.stringMatching(/idempotencyKey/),
    });
  });

  it('returns the result when an unconfirmed append turns out to be stored', async () => {
    const log = await givenLog();
    const projector = givenProjector(log);
    await projector.start();
    const writer = createEventWriter({ log: ackLosingLog(log), projector, topic: TOPIC });
    expect(await writer.write(toyEvent({ n: 1 }, 'e7'))).toEqual({ position: { [TOPIC]: { 0: 1 } }, entityId: 'e7' });
  });

  it('rejects with UNAVAILABLE, stored MAYBE, when an unconfirmed append does not show up in time', async () => {
    const log = await givenLog();
    const projector = givenProjector(log);
    await projector.start();
    const writer = createEventWriter({ log: silentLog(log), projector, topic: TOPIC, timeoutMs: 50 });
    await expect(writer.write(toyEvent())).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      details: { stored: 'MAYBE' },
      message: expect.stringMatching(/may or may not have been stored/),
    });
  });

  it('appends once for concurrent writes with the same idempotency key', async () => {
    const log = await givenLog();
    const projector = givenProjector(log);
    await projector.start();
    const writer = createEventWriter({ log, projector, topic: TOPIC });
    const keyed = (n: number): EventEnvelope => ({ ...toyEvent({ n }), id: `event-${n}`, meta: { idempotencyKey: 'same' } });

    const written = await Promise.all([writer.write(keyed(1)), writer.write(keyed(2)), writer.write(keyed(3))]);

    expect(new Set(written.map((w) => JSON.stringify(w))).size).toBe(1);
    expect(await log.highWaterMarks(TOPIC)).toEqual({ 0: 1 });
  });

  it('refuses writes once closed, with nothing stored, and finishes the ones begun', async () => {
    const log = await givenLog();
    const projector = givenProjector(log);
    await projector.start();
    const writer = createEventWriter({ log, projector, topic: TOPIC });
    const begun = writer.write(toyEvent({ n: 1 }, 'e1'));
    writer.close();
    await expect(writer.write(toyEvent({ n: 2 }, 'e2'))).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      details: { stored: 'NO' },
    });
    expect(await begun).toMatchObject({ entityId: 'e1' });
    expect(await log.highWaterMarks(TOPIC)).toEqual({ 0: 1 });
  });
});

describe('runCommand', () => {
  const lostRace = (): DomainError => conflict('toy', 'e1', 1, 2);

  /** A writer that fails with the given errors in turn, then succeeds. */
  function scriptedWriter(failures: readonly Error[]): EventWriter & { readonly writes: EventEnvelope[] } {
    const writes: EventEnvelope[] = [];
    return {
      writes,
      async write(event): Promise<Written> {
        writes.push(event);
        const failure = failures[writes.length - 1];
        if (failure) throw failure;
        return { position: { [TOPIC]: { 0: writes.length } }, entityId: event.entityId };
      },
      close() {},
    };
  }

  const deciding = () => {
    let calls = 0;
    return {
      get calls() {
        return calls;
      },
      decide: (): CommandDecision => ({ event: toyEvent({ n: ++calls }) }),
    };
  };

  it('decides again and writes again after a lost race when retryOnConflict is true', async () => {
    const writer = scriptedWriter([lostRace()]);
    const command = deciding();
    const result = await runCommand({ writer, decide: command.decide, retryOnConflict: true });
    expect(command.calls).toBe(2);
    expect(writer.writes.map((event) => (event.data as ToyData).n)).toEqual([1, 2]);
    expect(result).toEqual({ position: { [TOPIC]: { 0: 2 } }, entityId: 'e1' });
  });

  it('reports the lost race without retrying when retryOnConflict is false', async () => {
    const writer = scriptedWriter([lostRace()]);
    const command = deciding();
    await expect(runCommand({ writer, decide: command.decide, retryOnConflict: false })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(command.calls).toBe(1);
    expect(writer.writes).toHaveLength(1);
  });

  it('gives up after the given number of retries', async () => {
    const writer = scriptedWriter([lostRace(), lostRace(), lostRace()]);
    const command = deciding();
    await expect(runCommand({ writer, decide: command.decide, retryOnConflict: true, retries: 2 })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(writer.writes).toHaveLength(3);
  });

  it('does not retry errors other than CONFLICT', async () => {
    const writer = scriptedWriter([new DomainError('UNAVAILABLE', 'down')]);
    const command = deciding();
    await expect(runCommand({ writer, decide: command.decide, retryOnConflict: true })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    expect(writer.writes).toHaveLength(1);
  });

  it('stops retrying when the new decision refuses the command', async () => {
    const writer = scriptedWriter([lostRace()]);
    let calls = 0;
    const decide = (): CommandDecision => {
      if (++calls === 2) throw new DomainError('NOT_FOUND', 'gone meanwhile');
      return { event: toyEvent() };
    };
    await expect(runCommand({ writer, decide, retryOnConflict: true })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(writer.writes).toHaveLength(1);
  });

  it('returns the entity of an earlier identical request without writing', async () => {
    const writer = scriptedWriter([]);
    const result = await runCommand({ writer, decide: () => ({ existingEntityId: 'first' }), retryOnConflict: true });
    expect(result).toEqual({ entityId: 'first' });
    expect(writer.writes).toHaveLength(0);
  });

  it('retries a real lost race through the projector until it wins', async () => {
    // Two writers decide on the same version; the embedded log orders them, the second is refused.
    const log = await givenLog();
    const versions = new Map<string, number>();
    const projection: Projection = {
      topics: [TOPIC],
      apply(_topic, decoded) {
        if (decoded.format !== 'envelope') throw new DecodeError('no legacy');
        const { entityId, version } = decoded.event;
        const current = versions.get(entityId) ?? 0;
        if (version !== current + 1) return rejected(conflict('toy', entityId, version - 1, current));
        versions.set(entityId, version);
        return applied(entityId);
      },
    };
    const projector = givenProjector(log, projection);
    await projector.start();
    const writer = createEventWriter({ log, projector, topic: TOPIC });
    const decideOnCurrent = (): CommandDecision => ({ event: { ...toyEvent(), version: (versions.get('e1') ?? 0) + 1 } });
    await runCommand({ writer, decide: decideOnCurrent, retryOnConflict: false });

    // The racer's first decision was made on a stale read: version 1, which the other write already took.
    let attempts = 0;
    const racer = (): CommandDecision => (attempts++ === 0 ? { event: { ...toyEvent(), version: 1 } } : decideOnCurrent());
    const result = await runCommand({ writer, decide: racer, retryOnConflict: true });

    expect(attempts).toBe(2);
    expect(result.entityId).toBe('e1');
    expect(versions.get('e1')).toBe(2);
    expect(projector.stats()).toMatchObject({ applied: 2, rejected: 1, skipped: 0 });
  });
});
