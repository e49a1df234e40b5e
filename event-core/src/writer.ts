import { decodeRecord, encodeEvent } from './codec.ts';
import type { EventEnvelope } from './envelope.ts';
import { DomainError } from './errors.ts';
import { LogUnavailableError, type EventLog, type OutgoingRecord } from './log/port.ts';
import type { Position } from './position.ts';
import type { Projector } from './projector.ts';
import { inSpan, SpanKind, traceHeaders, tracingOn } from './tracing.ts';

export interface EventWriter {
  /**
   * Appends one event and waits until this service's own projector has applied it
   * (read-your-writes). Resolves with the position to read at; rejects with the projector's
   * deterministic rejection (e.g. `CONFLICT`) or `UNAVAILABLE`, whose `details.stored` says what
   * became of the event: `NO` (not stored, and never will be: retrying cannot duplicate it),
   * `MAYBE` (sent, but the log never confirmed it) or `YES` (stored; applied later).
   */
  write(event: EventEnvelope): Promise<Written>;
  /**
   * Refuses every write from now on (`UNAVAILABLE`, stored `NO`); writes already begun finish.
   * A service calls it first when it shuts down: a request that reaches the server while it
   * drains must not append an event its client may never hear about.
   */
  close(): void;
}

/** Where a written event landed and which entity to read back. */
export interface Written {
  readonly position: Position;
  readonly entityId: string;
}

export interface EventWriterOptions {
  readonly log: EventLog;
  readonly projector: Projector;
  readonly topic: string;
  /** Bound on append + apply, in ms. Default 10000. */
  readonly timeoutMs?: number;
}

function within<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error as Error);
      },
    );
  });
}

/** What an UNAVAILABLE mutation did to the log, for the client to decide whether and how to retry. */
export type StoredOutcome = 'NO' | 'MAYBE' | 'YES';

const unavailable = (stored: StoredOutcome, message: string): DomainError => new DomainError('UNAVAILABLE', message, { stored });

/** The record with the active trace context in its headers (`traceparent`), when tracing is on. */
const withTraceContext = (record: OutgoingRecord): OutgoingRecord =>
  tracingOn() ? { ...record, headers: { ...record.headers, ...traceHeaders() } } : record;

export function createEventWriter({ log, projector, topic, timeoutMs = 10_000 }: EventWriterOptions): EventWriter {
  /**
   * Writes in flight per idempotency key. A retry that arrives while the first attempt is still
   * in flight waits for its result instead of appending a second event, so one instance appends
   * a key once. (Two instances can still race; the second event is then ignored at apply time.)
   */
  const inFlight = new Map<string, Promise<Written>>();
  let closed = false;

  const writeOnce = async (event: EventEnvelope): Promise<Written> => {
    const deadline = Date.now() + timeoutMs;
    const record = encodeEvent(event);
    // The readers' own check, before anything is stored: an event they would skip is never
    // appended, whatever a request managed to put into it.
    try {
      decodeRecord({ key: record.key, value: Buffer.isBuffer(record.value) ? record.value : Buffer.from(record.value) });
    } catch (error) {
      throw new DomainError('BAD_USER_INPUT', `this change cannot be stored: ${(error as Error).message}`, { stored: 'NO' });
    }
    // Register before appending: the event may be applied before append() even returns.
    const expectation = projector.expect(event.id);
    let inDoubt: Error | undefined;
    try {
      await within(
        inSpan(`publish ${topic}`, { kind: SpanKind.PRODUCER, attributes: { 'messaging.destination.name': topic } }, () =>
          log.append(topic, [withTraceContext(record)]),
        ),
        timeoutMs,
        () => new Error(`no acknowledgement within ${timeoutMs} ms`),
      );
    } catch (error) {
      if (error instanceof LogUnavailableError && error.notStored) {
        expectation.cancel();
        throw unavailable('NO', `the event log is unavailable (${error.message}); nothing was stored, try again`);
      }
      // The log may have stored the event (a request went out, no answer came back). If it did,
      // this service's projector applies it like any other: wait for that until the deadline, so
      // a log that answers again in time turns the doubt into a plain result.
      inDoubt = error as Error;
    }
    const { outcome, position } = await within(expectation.promise, Math.max(1, deadline - Date.now()), () => {
      expectation.cancel();
      return inDoubt
        ? unavailable(
            'MAYBE',
            `the event log did not confirm the change within ${timeoutMs} ms (${inDoubt.message}); it may or may not have been stored: retry with the same idempotencyKey, which applies it at most once`,
          )
        : unavailable(
            'YES',
            `the change was stored but not yet applied within ${timeoutMs} ms; retry with the same idempotencyKey to get its result`,
          );
    });
    if (!outcome.ok) throw outcome.error;
    return { position, entityId: outcome.entityId };
  };

  return {
    write(event) {
      if (closed)
        return Promise.reject(
          unavailable('NO', 'this service is shutting down; nothing was stored: try again, another instance will answer'),
        );
      const key = event.meta.idempotencyKey;
      if (key === undefined) return writeOnce(event);
      const running = inFlight.get(key);
      if (running) return running;
      const written = writeOnce(event).finally(() => inFlight.delete(key));
      inFlight.set(key, written);
      return written;
    },
    close() {
      closed = true;
    },
  };
}

/** What a command decided: an event to append, or the entity an earlier identical request made. */
export type CommandDecision = { readonly event: EventEnvelope } | { readonly existingEntityId: string };

/**
 * Decides and writes one command. When the event loses a race at apply time (another write got
 * the same version first) and the caller did not ask for a specific `expectedVersion`, the
 * command is decided again on the newer state, up to `retries` times. Concurrent appends are
 * committed together, so each round has one winner; a short random pause spreads the losers out.
 */
export async function runCommand({
  writer,
  decide,
  retryOnConflict,
  retries = 20,
}: {
  readonly writer: EventWriter;
  /** Pure apart from reading the current read model; called once per attempt. */
  readonly decide: () => CommandDecision;
  readonly retryOnConflict: boolean;
  readonly retries?: number;
}): Promise<{ readonly entityId: string; readonly position?: Position }> {
  for (let attempt = 0; ; attempt++) {
    const decision = decide();
    if ('existingEntityId' in decision) return { entityId: decision.existingEntityId };
    try {
      return await writer.write(decision.event);
    } catch (error) {
      const lostRace = error instanceof DomainError && error.code === 'CONFLICT';
      if (!lostRace || !retryOnConflict || attempt >= retries) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * (attempt + 1)));
    }
  }
}
