import { decodeRecord, type Decoded } from '../codec.ts';
import type { EventEnvelope } from '../envelope.ts';
import { DomainError } from '../errors.ts';
import type { LogRecord, PartitionOffsets } from '../log/port.ts';
import { encodePosition, positionAfter } from '../position.ts';
import {
  decodeCursor,
  decodeKeyCursor,
  encodeCursor,
  encodeKeyCursor,
  pageSize,
  type Connection,
  type PageArgs,
} from './connection.ts';
import type { EventRef, HistoryIndex } from './history-index.ts';
import type { RecordReader } from './record-reader.ts';

/** What an event did to its entity. */
export type ChangeKind = 'CREATED' | 'UPDATED' | 'DELETED';

/** One field an event changed, both values as text (`null`: no value). */
export interface FieldChange {
  readonly field: string;
  readonly before: string | null;
  readonly after: string | null;
}

/** One event of an entity's history, as the GraphQL `HistoryEntry` type shows it. */
export interface HistoryEntry {
  readonly eventId: string;
  readonly type: string;
  readonly kind: ChangeKind;
  /** The entity's version after the event. */
  readonly version: number;
  readonly occurredAt: string;
  /** The position just after the event, as a token: `asOf` it gives the state right after this event. */
  readonly position: string;
  readonly actor: string | null;
  readonly changes: readonly FieldChange[];
}

export interface HistoryPageArgs extends PageArgs {
  /** Newest event first (a timeline) instead of oldest first. */
  readonly newestFirst?: boolean | null;
}

/** The fields of two states that differ, `after`'s fields first in their order; every field of `after` for a create. */
export function diffFields(
  before: Readonly<Record<string, string | null>> | undefined,
  after: Readonly<Record<string, string | null>>,
): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of new Set([...Object.keys(after), ...Object.keys(before ?? {})])) {
    const was = before?.[field] ?? null;
    const is = after[field] ?? null;
    if (was !== is) changes.push({ field, before: was, after: is });
  }
  return changes;
}

export interface EntityHistoryOptions<TState, TEvent extends EventEnvelope> {
  readonly topic: string;
  readonly index: HistoryIndex;
  readonly reader: RecordReader;
  /** The event a record holds, read exactly as the read model read it; `previous` is the entity's state before it. */
  readonly toEvent: (decoded: Decoded, record: LogRecord, previous: TState | undefined) => TEvent;
  /** The read model's own evolve (pure). */
  readonly evolve: (state: TState | undefined, event: TEvent) => TState;
  /** The fields history compares, as text; leave out what changes with every event (`updatedAt`). */
  readonly fields: (state: TState) => Readonly<Record<string, string | null>>;
  readonly kind: (event: TEvent) => ChangeKind;
}

interface Replayed<TState, TEvent> {
  readonly ref: EventRef;
  readonly event: TEvent;
  readonly state: TState;
}

/**
 * Past states and histories of the entities of one topic, rebuilt from the log on demand: the
 * {@link HistoryIndex} says where an entity's events are, the {@link RecordReader} reads them, and
 * the read model's own `toEvent` and `evolve` turn them into states. Events carry the whole
 * entity, so a state needs one record; only entities with records of the original system (which
 * carry no version and no creation time) are replayed from their first record.
 */
export class EntityHistory<TState, TEvent extends EventEnvelope> {
  constructor(private readonly options: EntityHistoryOptions<TState, TEvent>) {}

  /**
   * The state of `id` at `cut`: undefined if it did not exist yet. When nothing changed it since,
   * that is `current()` and the log is not read.
   */
  async stateAt(id: string, cut: PartitionOffsets, current: () => TState | undefined): Promise<TState | undefined> {
    const ref = this.options.index.lastBefore(id, cut);
    if (!ref) return undefined;
    return this.stateAfter(id, ref, current);
  }

  /** The state of `id` right after event `ref` (of the index), `current()` when that is its newest event. */
  async stateAfter(id: string, ref: EventRef, current: () => TState | undefined): Promise<TState> {
    if (ref.index === this.options.index.count(id) - 1) {
      const state = current();
      if (state !== undefined) return state;
    }
    const [replayed] = await this.replay(id, ref.index, ref.index);
    if (!replayed) throw gone(this.options.topic, ref);
    return replayed.state;
  }

  /**
   * One page of the entities live at `cut`, in the order of the current lists (creation time, then
   * id), each in its state at `cut`: the current lists as they were, with the same cursors. One log
   * read per partition for the page's entities that changed since (`current(id)` serves the others).
   */
  async listAt(cut: PartitionOffsets, args: PageArgs, current: (id: string) => TState | undefined): Promise<Connection<TState>> {
    const { index } = this.options;
    const { entries, hasNextPage } = index.pageAt(cut, {
      first: pageSize(args.first),
      ...(args.after ? { after: decodeKeyCursor(args.after) } : {}),
    });
    // Started together, so the record reader batches them into one read.
    const states = await Promise.all(entries.map(({ id, event }) => this.stateAfter(id, event, () => current(id))));
    const edges = entries.map(({ key }, n) => ({ cursor: encodeKeyCursor(key), node: states[n]! }));
    return {
      nodes: states,
      edges,
      pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
      totalCount: index.liveCountAt(cut),
    };
  }

  /**
   * Every entity live at `cut`, in its state at `cut`, in creation order: for a list as of a point
   * in time in another order or with a search, which is sorted in memory. O(entities) and one log
   * read per partition for those that changed since.
   */
  async allAt(cut: PartitionOffsets, current: (id: string) => TState | undefined): Promise<TState[]> {
    const { entries } = this.options.index.pageAt(cut, { first: Number.POSITIVE_INFINITY });
    return Promise.all(entries.map(({ id, event }) => this.stateAfter(id, event, () => current(id))));
  }

  /** One page of the history of `id`, up to `cut` when given; cursors are stable as history grows. */
  async page(id: string, args: HistoryPageArgs, cut?: PartitionOffsets): Promise<Connection<HistoryEntry>> {
    const total = this.options.index.count(id, cut);
    const size = pageSize(args.first);
    const newestFirst = args.newestFirst === true;
    const after = args.after ? decodeCursor(args.after) : undefined;
    const start = after === undefined ? (newestFirst ? total - 1 : 0) : newestFirst ? after - 1 : after + 1;
    const indices: number[] = [];
    for (let i = start; i >= 0 && i < total && indices.length < size; i += newestFirst ? -1 : 1) indices.push(i);
    if (indices.length === 0)
      return { nodes: [], edges: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: total };
    const low = Math.min(...indices);
    const high = Math.max(...indices);
    // One event before the page: the state it changed is where its changes start from.
    const replayed = await this.replay(id, Math.max(0, low - 1), high);
    const byIndex = new Map<number, Replayed<TState, TEvent>>(replayed.flatMap((r) => (r ? [[r.ref.index, r]] : [])));
    const edges = indices.flatMap((i) => {
      const entry = byIndex.get(i);
      if (!entry) return [];
      const previous = i === 0 ? undefined : byIndex.get(i - 1);
      return [{ cursor: encodeCursor(i), node: this.entry(entry, previous?.state) }];
    });
    const last = indices.at(-1)!;
    return {
      nodes: edges.map((edge) => edge.node),
      edges,
      pageInfo: { hasNextPage: newestFirst ? last > 0 : last < total - 1, endCursor: encodeCursor(last) },
      totalCount: total,
    };
  }

  private entry({ ref, event, state }: Replayed<TState, TEvent>, previous: TState | undefined): HistoryEntry {
    const { fields, kind, topic } = this.options;
    return {
      eventId: event.id,
      type: event.type,
      kind: kind(event),
      version: event.version,
      occurredAt: event.occurredAt,
      position: encodePosition(positionAfter(topic, ref.partition, ref.offset)),
      actor: event.meta.actor ?? null,
      changes: diffFields(previous === undefined ? undefined : fields(previous), fields(state)),
    };
  }

  /**
   * Events `from`..`to` of `id` with the state after each, read from the log. Undefined where the
   * record is gone (compaction removed it since the index was built).
   */
  private async replay(id: string, from: number, to: number): Promise<(Replayed<TState, TEvent> | undefined)[]> {
    const { index, reader, toEvent, evolve } = this.options;
    // A record of the original system is upcast from the state before it: start from the first.
    const start = index.isLegacy(id) ? 0 : from;
    const refs: EventRef[] = [];
    for (let i = start; i <= to; i++) refs.push(index.event(id, i));
    const records = await reader.read(
      refs[0]!.partition,
      refs.map((ref) => ref.offset),
    );
    const replayed: (Replayed<TState, TEvent> | undefined)[] = [];
    let state: TState | undefined;
    for (const ref of refs) {
      const record = records.get(ref.offset);
      let entry: Replayed<TState, TEvent> | undefined;
      if (record) {
        const event = toEvent(decodeRecord(record), record, state);
        state = evolve(state, event);
        entry = { ref, event, state };
      }
      if (ref.index >= from) replayed.push(entry);
    }
    return replayed;
  }
}

function gone(topic: string, ref: EventRef): DomainError {
  return new DomainError(
    'NOT_FOUND',
    `the event at ${topic} partition ${ref.partition} offset ${ref.offset} is no longer in the log (compaction removed it); keep every past state with TOPIC_RETENTION=full`,
  );
}
