import type { ChangeKind } from '../gql/graphql.ts';

export type Stream = 'products' | 'customers' | 'purchases';

/** One line of the activity feed: an event of the log, as a person reads it. */
export interface Activity {
  /** Stream and position: unique, so a replayed event is shown once. */
  readonly key: string;
  readonly stream: Stream;
  readonly kind: ChangeKind;
  readonly text: string;
  /** Where the entity's page is, e.g. `/customers/abc`. */
  readonly href: string;
  readonly occurredAt: string;
}

/** The most recent events, newest first, for `useSyncExternalStore`. */
export class ActivityLog {
  #entries: readonly Activity[] = [];
  readonly #keys = new Set<string>();
  readonly #listeners = new Set<() => void>();

  constructor(readonly limit = 50) {}

  get = (): readonly Activity[] => this.#entries;

  add(entry: Activity): void {
    if (this.#keys.has(entry.key)) return;
    this.#keys.add(entry.key);
    const entries = [entry, ...this.#entries];
    for (const dropped of entries.splice(this.limit)) this.#keys.delete(dropped.key);
    this.#entries = entries;
    for (const listener of this.#listeners) listener();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };
}
