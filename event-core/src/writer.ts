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
  write(event: EventEnvelope): Promise<Position>;
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
      return position;
    },
  };
}
