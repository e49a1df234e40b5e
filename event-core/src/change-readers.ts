/**
 * The change feed's readers of the two kinds of topic this library knows (see
 * `subgraph-manifest.ts`): a whole-state topic, whose events carry the whole entity and are
 * applied by version, and a topic of entities made once and never changed, applied once per id and
 * idempotency key. A manifest picks one for its topic and says how its events read.
 */
import type { Decoded } from './codec.ts';
import type { EventEnvelope } from './envelope.ts';
import type { LogRecord } from './log/port.ts';
import type { ApplyOutcome } from './projector.ts';
import type { ChangeKind } from './readmodel/history.ts';
import { IdTable, type IdTableSnapshot } from './readmodel/id-table.ts';
import { mirrorState, WholeStateTable, type Mirrored, type WholeStateTableSnapshot } from './readmodel/whole-state.ts';
import { changeOf, type ChangeReader, type EntityChange, type EntityRef } from './subgraph-manifest.ts';

/** Did the event change state (not rejected, not a retry's duplicate)? */
const accepted = (outcome: ApplyOutcome): boolean => outcome.ok && !outcome.duplicate;

export interface WholeStateChangesSpec<
  TData extends { readonly id: string; readonly deletedAt: string | null },
  TEvent extends EventEnvelope<string, TData>,
> {
  /** The subscription payload's field of the entity (`product`), also named in messages. */
  readonly entity: string;
  /** Its GraphQL type (`Product`). */
  readonly type: string;
  readonly isCreate: (event: TEvent) => boolean;
  /** The current event a record holds (upcasting old formats), given what is known of each entity. */
  readonly toEvent: (
    decoded: Decoded,
    record: LogRecord,
    known: (id: string) => { readonly data: TData; readonly version: number } | undefined,
  ) => TEvent;
  readonly changeKind: (eventType: string) => ChangeKind;
}

/**
 * The reader of a topic whose events carry the whole entity: it mirrors each entity (the least
 * that checking versions and upcasting the original system's records need) by the same rules as
 * the subgraphs' {@link WholeStateTable}, so a lost race or a retry is no change.
 */
export function wholeStateChanges<
  TData extends { readonly id: string; readonly deletedAt: string | null },
  TEvent extends EventEnvelope<string, TData>,
>(spec: WholeStateChangesSpec<TData, TEvent>): () => ChangeReader {
  const { entity, type, changeKind } = spec;
  return () => {
    // What the feed keeps of an entity: enough to check versions and upcast the original's records.
    const mirror = new WholeStateTable<Mirrored<TData>, TEvent>(entity, spec.isCreate, mirrorState);
    return {
      apply(decoded, record) {
        const event = spec.toEvent(decoded, record, (id) => mirror.table.get(id));
        const outcome = mirror.apply(event);
        return accepted(outcome)
          ? { outcome, change: changeOf(event, { entity, type, kind: changeKind(event.type) }) }
          : { outcome };
      },
      describe(decoded) {
        if (decoded.format === 'envelope') return changeOf(decoded.event, { entity, type, kind: changeKind(decoded.event.type) });
        // The original's records have no type: `remove` is a deletion; a `set` is told apart by
        // the first reading, which keeps no record of it: a replay reports it as an update.
        return {
          entity,
          type,
          entityId: String(decoded.legacy.payload.id),
          kind: decoded.legacy.eventType === 'remove' ? 'DELETED' : 'UPDATED',
        };
      },
      toSnapshot: () => mirror.toSnapshot(),
      restore: (state) => mirror.restore(state as WholeStateTableSnapshot<Mirrored<TData>>),
    };
  };
}

export interface CreatedOnceChangesSpec<TEvent extends EventEnvelope> {
  /** The subscription payload's field of the entity (`purchase`). */
  readonly entity: string;
  /** Its GraphQL type (`Purchase`). */
  readonly type: string;
  /** The current event a record holds; throws when it holds none. */
  readonly toEvent: (decoded: Decoded, record: LogRecord) => TEvent;
  /** The other entities the event is one of, by the subscription argument that picks them. */
  readonly refs?: (event: TEvent) => Readonly<Record<string, EntityRef>>;
}

/** A {@link createdOnceChanges} reader's state as data. */
interface CreatedOnceSnapshot {
  readonly ids: IdTableSnapshot;
  readonly keys: readonly string[];
}

/**
 * The reader of a topic whose entities are made by one event and never change: an event is a
 * change the first time its entity id and its idempotency key are seen, else a retry.
 */
export function createdOnceChanges<TEvent extends EventEnvelope>(spec: CreatedOnceChangesSpec<TEvent>): () => ChangeReader {
  const { entity, type } = spec;
  const changeOfEvent = (event: TEvent): EntityChange =>
    changeOf(event, { entity, type, kind: 'CREATED', ...(spec.refs ? { refs: spec.refs(event) } : {}) });
  return () => {
    // One entity per event, a million of them at a million purchases: their ids as bytes
    // (an IdTable), which a snapshot takes as views and a restore reads back without a string each.
    let ids = new IdTable();
    const keys = new Set<string>();
    return {
      apply(decoded, record) {
        const event = spec.toEvent(decoded, record);
        const outcome: ApplyOutcome = { ok: true, entityId: event.entityId };
        const key = event.meta.idempotencyKey;
        if ((key !== undefined && keys.has(key)) || ids.add(event.entityId) === undefined) return { outcome };
        if (key !== undefined) keys.add(key);
        return { outcome, change: changeOfEvent(event) };
      },
      describe: (decoded, record) => changeOfEvent(spec.toEvent(decoded, record)),
      toSnapshot: (): CreatedOnceSnapshot => ({ ids: ids.toSnapshot(), keys: [...keys] }),
      restore(state) {
        const snapshot = state as CreatedOnceSnapshot;
        ids = IdTable.from(snapshot.ids);
        for (const key of snapshot.keys) keys.add(key);
      },
    };
  };
}
