import { encodeEvent } from './codec.ts';
import type { EventEnvelope } from './envelope.ts';
import { DomainError } from './errors.ts';
import type { EventLog } from './log/port.ts';
import type { Position } from './position.ts';
import type { Projector } from './projector.ts';

export interface EventWriter {
  /**
   * Appends one event and waits until this service's own projector has applied it
   * (read-your-writes). Resolves with the position to read at; rejects with the projector's
   * deterministic rejection (e.g. `CONFLICT`) or `UNAVAILABLE`.
   */
  write(event: EventEnvelope): Promise<Written>;
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

export function createEventWriter({ log, projector, topic, timeoutMs = 10_000 }: EventWriterOptions): EventWriter {
  return {
    async write(event) {
      const deadline = Date.now() + timeoutMs;
      // Register before appending: the event may be applied before append() even returns.
      const expectation = projector.expect(event.id);
      try {
        await within(log.append(topic, [encodeEvent(event)]), timeoutMs, () => new Error(`no acknowledgement within ${timeoutMs} ms`));
      } catch (error) {
        expectation.cancel();
        throw new DomainError('UNAVAILABLE', `the event log did not store the change (${(error as Error).message}); nothing was changed, try again`);
      }
      const { outcome, position } = await within(expectation.promise, Math.max(1, deadline - Date.now()), () => {
        expectation.cancel();
        return new DomainError(
          'UNAVAILABLE',
          `the change was stored but not applied within ${timeoutMs} ms; retry with the same idempotencyKey to get its result`,
        );
      });
      if (!outcome.ok) throw outcome.error;
      return { position, entityId: outcome.entityId };
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
