import type { Decoded } from '../codec.ts';
import type { EventEnvelope } from '../envelope.ts';
import type { LogRecord } from '../log/port.ts';
import type { ApplyOutcome, Projection } from '../projector.ts';
import type { Versioned } from './entity-table.ts';
import { EntityHistory, type ChangeKind } from './history.ts';
import { SortedLists, type SortedListsSpec } from './sorted-lists.ts';
import type { RecordReader } from './record-reader.ts';
import { HistoryIndex, type HistoryIndexSnapshot } from './history-index.ts';
import { TimeIndex, type TimeIndexSnapshot } from './time-index.ts';
import { WholeStateTable, type WholeStateTableSnapshot } from './whole-state.ts';

/** What makes one aggregate's read model: its topic, its events, and how they read. */
export interface WholeStateModelSpec<TState extends Versioned, TEvent extends EventEnvelope> {
  /** `product`, `customer`: for messages. */
  readonly kind: string;
  readonly topic: string;
  readonly isCreate: (event: TEvent) => boolean;
  /** The aggregate's pure evolve. */
  readonly evolve: (state: TState | undefined, event: TEvent) => TState;
  /** The current event a record holds (upcasting old formats), given what is known of each entity. */
  readonly toEvent: (decoded: Decoded, record: LogRecord, known: (id: string) => TState | undefined) => TEvent;
  /** The fields history compares, as text. */
  readonly fields: (state: TState) => Readonly<Record<string, string | null>>;
  readonly changeKind: (event: TEvent) => ChangeKind;
  /**
   * The order of lists, current and past: a key every instance computes the same for an entity
   * (creation time, then id: `creationKey`), so that lists and their cursors agree across
   * instances whatever order they read the topic's partitions in.
   */
  readonly orderKey: (state: TState) => string;
  /**
   * Where to record when each applied event occurred; default an index of its own. A model that
   * follows more topics passes its own index, so each event's time is kept once.
   */
  readonly times?: TimeIndex;
  /**
   * The orders the entity's lists offer (`NAME`, `PRICE`, …; `CREATED_AT` is the order above) and
   * the names `search` matches, kept per event; none for a model that is never listed (a mirror).
   */
  readonly lists?: SortedListsSpec<TState, string>;
}

/** A {@link WholeStateReadModel} as data: its table, history index, and time index when it owns one. */
export interface WholeStateSnapshot<TState> {
  readonly table: WholeStateTableSnapshot<TState>;
  readonly history: HistoryIndexSnapshot;
  readonly times?: TimeIndexSnapshot;
}

/**
 * The read model of an aggregate whose events carry its whole state (products, customers):
 * every entity by id in list order (creation time, then id), the idempotency keys seen, and — for
 * history and time travel — where each entity's events are in the log and when they occurred
 * (positions and times, never copies of past states).
 */
export class WholeStateReadModel<
  TState extends Versioned & { readonly deletedAt: string | null },
  TEvent extends EventEnvelope,
> implements Projection {
  readonly topics: readonly string[];
  readonly topic: string;
  readonly history: HistoryIndex;
  readonly times: TimeIndex;
  /** The live entities in every order the API offers, with their names for search. */
  readonly lists: SortedLists<TState, string> | undefined;
  private readonly state: WholeStateTable<TState, TEvent>;
  /** The time index is this model's own (not shared with a model that follows more topics). */
  private readonly ownTimes: boolean;

  constructor(private readonly spec: WholeStateModelSpec<TState, TEvent>) {
    this.topic = spec.topic;
    this.topics = [spec.topic];
    this.times = spec.times ?? new TimeIndex(this.topics);
    this.ownTimes = spec.times === undefined;
    this.state = new WholeStateTable<TState, TEvent>(spec.kind, spec.isCreate, spec.evolve, spec.orderKey);
    this.history = new HistoryIndex(this.state.table.order);
    this.lists = spec.lists && new SortedLists(spec.lists);
  }

  /** The orders and search of this model's lists, for lists rebuilt as of a point in time. */
  get listSpec(): SortedListsSpec<TState, string> | undefined {
    return this.spec.lists;
  }

  /** Every entity by id, deleted ones included. */
  get table() {
    return this.state.table;
  }

  entityForKey(key: string): string | undefined {
    return this.state.entityForKey(key);
  }

  inputDigestForKey(key: string): string | undefined {
    return this.state.inputDigestForKey(key);
  }

  apply(topic: string, decoded: Decoded, record: LogRecord): ApplyOutcome {
    const event = this.spec.toEvent(decoded, record, (id) => this.table.get(id));
    const outcome = this.state.apply(event);
    // Only events that changed an entity are history: a lost race or a retry's duplicate is not.
    if (outcome.ok && !outcome.duplicate) {
      const after = this.table.get(event.entityId)!;
      this.history.add(event.entityId, record.partition, record.offset, {
        live: after.deletedAt === null,
        legacy: decoded.format === 'legacy',
        // Only an entity's first event places it (the table has just added it to the shared order).
        ...(this.history.has(event.entityId) ? {} : { key: this.spec.orderKey(after) }),
      });
      this.lists?.put(event.entityId, after.deletedAt === null ? after : undefined);
      this.times.record(topic, record.partition, record.offset, Date.parse(event.occurredAt));
    }
    return outcome;
  }

  caughtUp(): void {
    this.lists?.place();
  }

  /** The model's state as data, copied (a shared time index is its owner's to keep). */
  toSnapshot(): WholeStateSnapshot<TState> {
    return {
      table: this.state.toSnapshot(),
      history: this.history.toSnapshot(),
      ...(this.ownTimes ? { times: this.times.toSnapshot() } : {}),
    };
  }

  /** Takes the state of a snapshot ({@link toSnapshot}) into this new, empty model. */
  restore(snapshot: WholeStateSnapshot<TState>): void {
    this.state.restore(snapshot.table);
    this.history.restore(snapshot.history);
    if (snapshot.times) this.times.restore(snapshot.times);
    for (const entity of snapshot.table.entities) this.lists?.put(entity.id, entity.deletedAt === null ? entity : undefined);
  }

  /** Past states and histories, read from the log on demand through `reader`. */
  pastStates(reader: RecordReader): EntityHistory<TState, TEvent> {
    const { topic, evolve, fields, changeKind, toEvent } = this.spec;
    return new EntityHistory<TState, TEvent>({
      topic,
      index: this.history,
      reader,
      toEvent: (decoded, record, previous) => toEvent(decoded, record, () => previous),
      evolve,
      fields,
      kind: changeKind,
    });
  }
}
