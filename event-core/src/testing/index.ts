import type { CommandContext, Decider } from '../decider.ts';
import { DomainError } from '../errors.ts';
export { describeEventLogContract, collector } from './contract.ts';
export { describeSnapshotStoreContract, type SnapshotStoreSubject } from './snapshot-contract.ts';

/**
 * Inputs for holding a hand-written check to the schema it mirrors: `valid`, each of `extras`, and
 * `valid` with one field changed to each of its `variants` (`undefined`: the field left out).
 */
export function singleFieldChanges(
  valid: Record<string, unknown>,
  variants: Readonly<Record<string, readonly unknown[]>>,
  extras: readonly unknown[] = [],
): unknown[] {
  const list: unknown[] = [valid, ...extras];
  for (const [field, values] of Object.entries(variants)) {
    for (const value of values) {
      list.push(
        value === undefined
          ? Object.fromEntries(Object.entries(valid).filter(([name]) => name !== field))
          : { ...valid, [field]: value },
      );
    }
  }
  return list;
}

/** Every node of a list, page after page by its `endCursor`; a list that never ends fails the test. */
export function everyPage<T>(
  page: (after: string | null) => {
    readonly nodes: readonly T[];
    readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
  },
): T[] {
  const seen: T[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 10_000; pages++) {
    const result = page(after);
    seen.push(...result.nodes);
    if (!result.pageInfo.hasNextPage) return seen;
    after = result.pageInfo.endCursor;
  }
  throw new Error('the list never ended');
}

let contextCounter = 0;

/** A command context at `now` (ISO-8601) with a fresh event id, for tests of deciders. */
export function at(now: string, meta: CommandContext['meta'] = { actor: 'tester' }): CommandContext {
  return { eventId: `ev-${++contextCounter}`, now, meta };
}

/** The `DomainError` `run` throws; fails the test when it throws nothing or something else. */
export function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw new Error(`expected a DomainError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected the command to be refused, but it was decided');
}

/**
 * `given(...events).when(command, context)` for any aggregate's decider: the state is the events
 * folded with its own `evolve`; `then` is the event decided, `refused` the error it was refused
 * with (and fails the test when the other happened).
 */
export function deciderSpec<State, Command, Event>(decider: Decider<State, Command, Event>) {
  const fold = (events: readonly Event[]): State | undefined =>
    events.reduce<State | undefined>((state, event) => decider.evolve(state, event), undefined);
  return {
    /** The state after `events`. */
    state: (...events: Event[]): State | undefined => fold(events),
    given: (...events: Event[]) => ({
      when: (command: Command, context: CommandContext) => ({
        then: (): Event => decider.decide(fold(events), command, context),
        refused: (): DomainError => refusal(() => decider.decide(fold(events), command, context)),
      }),
    }),
  };
}
