import type { EventMeta } from './envelope.ts';
import { conflict } from './errors.ts';

/** What a command carries besides its own fields: the event id, the clock reading and metadata. */
export interface CommandContext {
  readonly eventId: string;
  /** ISO-8601: the clock is read by the caller, never inside the decider. */
  readonly now: string;
  readonly meta: EventMeta;
}

/**
 * One aggregate's pure centre, the same shape for every aggregate: `decide` turns a command into
 * the event it makes, given what it decides on (the entity's state, or for an aggregate that refers
 * to others, a view of them), or throws a `DomainError` that says why not; `evolve` is the state
 * after an event. No I/O, no clock: time and ids come in with the command and its context.
 */
export interface Decider<State, Command, Event, DecisionState = State | undefined> {
  decide(state: DecisionState, command: Command, context: CommandContext): Event;
  evolve(state: State | undefined, event: Event): State;
}

/**
 * A command that names the version it was decided on must meet that version: else it was decided
 * on a stale copy, and is a CONFLICT (`expectedVersion` not given: no check).
 */
export function checkExpectedVersion(
  kind: string,
  state: { readonly id: string; readonly version: number },
  expectedVersion: number | null | undefined,
): void {
  if (expectedVersion !== undefined && expectedVersion !== null && expectedVersion !== state.version) {
    throw conflict(kind, state.id, expectedVersion, state.version);
  }
}
