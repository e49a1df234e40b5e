import type { EventEnvelope } from '../envelope.ts';
import { conflict } from '../errors.ts';
import { inputsDiffer, reusedKey } from '../idempotency.ts';
import { applied, duplicateOf, rejected, type ApplyOutcome } from '../projector.ts';
import { EntityTable, type Versioned } from './entity-table.ts';

/**
 * Another aggregate's entity as a reader of its topic keeps it: enough to check versions by the
 * owner's rules, with its data as the event carried it.
 */
export interface Mirrored<D> {
  readonly id: string;
  readonly version: number;
  readonly deletedAt: string | null;
  readonly data: D;
}

/** The evolve of a mirror: an entity is what its last event carried. */
export const mirrorState = <D extends { readonly id: string; readonly deletedAt: string | null }>(
  _state: unknown,
  event: { readonly version: number; readonly data: D },
): Mirrored<D> => ({ id: event.data.id, version: event.version, deletedAt: event.data.deletedAt, data: event.data });

/** A {@link WholeStateTable} as data. */
export interface WholeStateTableSnapshot<T> {
  readonly entities: readonly T[];
  /**
   * Each entity's place in the order, as it was given when the entity was created: a later event
   * may change what the key is made of (a `createdAt` another writer got wrong), and a restore
   * must put it where a replay did.
   */
  readonly orderKeys: readonly string[];
  /** Each key with the entity its event touched and that event's input digest, if it had one. */
  readonly idempotency: readonly (readonly [key: string, entityId: string, inputDigest: string | undefined])[];
}

/**
 * Applies events that carry an entity's whole state, by the rules every reader of a topic must
 * share so that every replica and every other subgraph that mirrors the topic agrees:
 * - an event must follow the version it was decided on (a create: no entity yet), else it lost a
 *   race and is rejected with CONFLICT;
 * - except the first record of an entity that is not its create: compaction removed the records
 *   before it (a compacted topic keeps the latest record per key), and it carries the whole state,
 *   so it is taken as it is. No decision makes such a record otherwise: an entity is only updated
 *   or deleted after its create was applied, and both are in the same partition, in order;
 * - an event whose idempotency key was already applied is a retry that raced its first attempt:
 *   it changes nothing and points at the entity of the first one; unless its input digest says
 *   it is another request that reused the key: then it is rejected with CONFLICT.
 */
export class WholeStateTable<T extends Versioned, E extends EventEnvelope = EventEnvelope> {
  readonly table: EntityTable<T>;
  /** Idempotency key → the entity its event touched, and that event's input digest. */
  private readonly idempotency = new Map<string, { readonly entityId: string; readonly inputDigest: string | undefined }>();

  constructor(
    private readonly kind: string,
    /** Is this event type the one that creates the entity? */
    private readonly isCreate: (event: E) => boolean,
    /** The state an event describes (pure). */
    private readonly evolve: (state: T | undefined, event: E) => T,
    /** The order of the table's lists ({@link EntityTable}); default the order entities arrived in. */
    orderKey?: (entity: T) => string,
  ) {
    this.table = new EntityTable<T>(orderKey);
  }

  /** The table's state as data, copied: every entity (deleted ones too) and the idempotency keys seen. */
  toSnapshot(): WholeStateTableSnapshot<T> {
    const { keys } = this.table.order.view();
    return {
      entities: this.table.all(),
      orderKeys: keys.slice(),
      idempotency: [...this.idempotency].map(([key, { entityId, inputDigest }]) => [key, entityId, inputDigest] as const),
    };
  }

  /** Takes the state of a snapshot ({@link toSnapshot}) into this empty table. */
  restore(snapshot: WholeStateTableSnapshot<T>): void {
    if (snapshot.orderKeys.length !== snapshot.entities.length) throw new Error('the snapshot has an order key per entity');
    snapshot.entities.forEach((entity, i) => this.table.put(entity, snapshot.orderKeys[i]));
    for (const [key, entityId, inputDigest] of snapshot.idempotency) this.idempotency.set(key, { entityId, inputDigest });
  }

  /** The entity an earlier event with this idempotency key touched. */
  entityForKey(key: string): string | undefined {
    return this.idempotency.get(key)?.entityId;
  }

  /** The input digest of the earlier event with this idempotency key, if it carried one. */
  inputDigestForKey(key: string): string | undefined {
    return this.idempotency.get(key)?.inputDigest;
  }

  apply(event: E): ApplyOutcome {
    const key = event.meta.idempotencyKey;
    const earlier = key === undefined ? undefined : this.idempotency.get(key);
    if (earlier !== undefined) {
      return inputsDiffer(earlier.inputDigest, event.meta.inputDigest)
        ? rejected(reusedKey(key!))
        : duplicateOf(earlier.entityId);
    }
    const state = this.table.get(event.entityId);
    const current = state?.version ?? 0;
    const inSequence = this.isCreate(event)
      ? state === undefined && event.version === 1
      : state === undefined || event.version === current + 1;
    if (!inSequence) return rejected(conflict(this.kind, event.entityId, event.version - 1, current));
    this.table.put(this.evolve(state, event));
    if (key !== undefined) this.idempotency.set(key, { entityId: event.entityId, inputDigest: event.meta.inputDigest });
    return applied(event.entityId);
  }
}
