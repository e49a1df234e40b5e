import type { PartitionOffsets } from '../log/port.ts';
import { upperBoundOf } from './connection.ts';
import { countBelow, NumberColumn } from './numbers.ts';
import type { OrderedIds } from './ordered-ids.ts';

/** Where one event of an entity is, and whether the entity existed (was not deleted) after it. */
export interface EventRef {
  /** Index of the event in the entity's history, 0 for its first. */
  readonly index: number;
  readonly partition: number;
  readonly offset: number;
  readonly live: boolean;
}

/**
 * The events of one entity: its partition (a key always lands in the same one) and the offsets of
 * its applied events in log order. An offset is stored as itself when the entity was live after
 * that event and as `-offset - 1` when it was deleted, so liveness at any point costs no extra
 * memory and no log read.
 */
interface EntityEvents {
  readonly partition: number;
  readonly positions: number[];
  /** Some event was upcast from the original system's format: rebuilding a state needs its predecessors. */
  legacy: boolean;
}

const offsetOf = (position: number): number => (position < 0 ? -position - 1 : position);

/** Per partition: when entities appeared (for paging as of a cut) and how many were live (for counts). */
class PartitionEntities {
  /** Offset of each entity's first event, in the order they were read. */
  createdAt = new NumberColumn();
  /** The greatest order key of the entities created up to each of those: where a list as of a cut can stop. */
  greatestKey: string[] = [];
  /** Offsets where the number of live entities of this partition changed, and the number after. */
  countChangedAt = new NumberColumn();
  liveCounts = new NumberColumn();
  live = 0;
}

/** A {@link HistoryIndex} as data, copied: what a snapshot of the read model keeps. */
export interface HistoryIndexSnapshot {
  /** Per entity: its id, partition, event positions (negative: deleted after it) and whether some event was legacy. */
  readonly entities: readonly (readonly [id: string, partition: number, positions: readonly number[], legacy: boolean])[];
  readonly partitions: readonly {
    readonly partition: number;
    readonly createdAt: Float64Array;
    readonly greatestKey: readonly string[];
    readonly countChangedAt: Float64Array;
    readonly liveCounts: Float64Array;
    readonly live: number;
  }[];
}

/**
 * A compact index of every entity's history in one topic: the log positions of its applied events,
 * not copies of its past states. Past states and changes are read back from the log on demand
 * ({@link EntityHistory}), so memory grows by about a number per event, however large entities
 * are. It also knows, without reading the log, which entities existed and were live at any cut,
 * which makes list queries as of a point in time O(page) like the current ones.
 */
export class HistoryIndex {
  private readonly entities = new Map<string, EntityEvents>();
  private readonly partitions = new Map<number, PartitionEntities>();

  constructor(
    /**
     * The order of the current lists (their table's, which adds every entity to it), so a list as
     * of a cut walks the same order and shares its cursors.
     */
    private readonly order: OrderedIds,
  ) {}

  /**
   * Records an applied event of entity `id` (call in log order, only for events that changed state).
   * `live`: the entity is not deleted after it. `legacy`: the event was upcast from a record of the
   * original system. `key`: the entity's place in the lists, at its first event (later ones need none).
   */
  add(
    id: string,
    partition: number,
    offset: number,
    { live, legacy = false, key }: { readonly live: boolean; readonly legacy?: boolean; readonly key?: string },
  ): void {
    let entity = this.entities.get(id);
    let perPartition = this.partitions.get(partition);
    if (!perPartition) this.partitions.set(partition, (perPartition = new PartitionEntities()));
    const wasLive = entity ? entity.positions.at(-1)! >= 0 : false;
    if (!entity) {
      this.entities.set(id, (entity = { partition, positions: [], legacy }));
      if (key === undefined) throw new Error(`the first event of ${id} needs the entity's order key`);
      perPartition.createdAt.push(offset);
      const greatest = perPartition.greatestKey.at(-1);
      perPartition.greatestKey.push(greatest !== undefined && greatest > key ? greatest : key);
    }
    entity.positions.push(live ? offset : -offset - 1);
    if (legacy) entity.legacy = true;
    if (live !== wasLive) {
      perPartition.live += live ? 1 : -1;
      perPartition.countChangedAt.push(offset);
      perPartition.liveCounts.push(perPartition.live);
    }
  }

  has(id: string): boolean {
    return this.entities.has(id);
  }

  toSnapshot(): HistoryIndexSnapshot {
    return {
      entities: [...this.entities].map(([id, e]) => [id, e.partition, e.positions.slice(), e.legacy] as const),
      partitions: [...this.partitions].map(([partition, p]) => ({
        partition,
        createdAt: p.createdAt.toArray(),
        greatestKey: p.greatestKey.slice(),
        countChangedAt: p.countChangedAt.toArray(),
        liveCounts: p.liveCounts.toArray(),
        live: p.live,
      })),
    };
  }

  /** Takes the state of a snapshot ({@link toSnapshot}); the shared order is restored by the table. */
  restore(snapshot: HistoryIndexSnapshot): void {
    this.entities.clear();
    this.partitions.clear();
    for (const [id, partition, positions, legacy] of snapshot.entities) {
      this.entities.set(id, { partition, positions: positions.slice(), legacy });
    }
    for (const p of snapshot.partitions) {
      const entities = new PartitionEntities();
      entities.createdAt = NumberColumn.from(p.createdAt);
      entities.greatestKey = p.greatestKey.slice();
      entities.countChangedAt = NumberColumn.from(p.countChangedAt);
      entities.liveCounts = NumberColumn.from(p.liveCounts);
      entities.live = p.live;
      this.partitions.set(p.partition, entities);
    }
  }

  /** True when some event of `id` came from the original system's format. */
  isLegacy(id: string): boolean {
    return this.entities.get(id)?.legacy ?? false;
  }

  /** How many events `id` has before `cut` (all of them without a cut). */
  count(id: string, cut?: PartitionOffsets): number {
    const entity = this.entities.get(id);
    if (!entity) return 0;
    const end = cut?.[entity.partition];
    if (end === undefined) return entity.positions.length;
    return countBelow(entity.positions.length, (i) => offsetOf(entity.positions[i]!), end);
  }

  /** The `index`-th event of `id`. */
  event(id: string, index: number): EventRef {
    const entity = this.entities.get(id);
    const position = entity?.positions[index];
    if (entity === undefined || position === undefined) throw new RangeError(`no event ${index} for ${id}`);
    return { index, partition: entity.partition, offset: offsetOf(position), live: position >= 0 };
  }

  /** The last event of `id` before `cut` (the newest without a cut): the one its state at `cut` comes from. */
  lastBefore(id: string, cut?: PartitionOffsets): EventRef | undefined {
    const n = this.count(id, cut);
    return n === 0 ? undefined : this.event(id, n - 1);
  }

  /** Entities live at `cut` (all partitions the cut does not name count as they are now). */
  liveCountAt(cut: PartitionOffsets): number {
    let live = 0;
    for (const [partition, entities] of this.partitions) {
      const end = cut[partition];
      if (end === undefined) {
        live += entities.live;
        continue;
      }
      const i = entities.countChangedAt.countBelow(end);
      live += i === 0 ? 0 : entities.liveCounts.at(i - 1);
    }
    return live;
  }

  /**
   * One page of the entities live at `cut`, in the order of the current lists, whose cursors (order
   * keys) it shares. Costs O(page + entities skipped); the walk stops at the greatest key of the
   * entities any partition had created before the cut, so those created later are rarely visited.
   */
  pageAt(
    cut: PartitionOffsets,
    { first, after }: { readonly first: number; readonly after?: string },
  ): {
    readonly entries: readonly { readonly key: string; readonly id: string; readonly event: EventRef }[];
    readonly hasNextPage: boolean;
  } {
    const { ids, keys } = this.order.view();
    const greatest = this.greatestKeyBefore(cut);
    const end = greatest === undefined ? 0 : upperBoundOf(keys, greatest);
    const entries: { key: string; id: string; event: EventRef }[] = [];
    let index = after === undefined ? 0 : upperBoundOf(keys, after);
    let hasNextPage = false;
    for (; index < end; index++) {
      const id = ids[index]!;
      const event = this.lastBefore(id, cut);
      if (!event?.live) continue;
      if (entries.length === first) {
        hasNextPage = true;
        break;
      }
      entries.push({ key: keys[index]!, id, event });
    }
    return { entries, hasNextPage };
  }

  /** The greatest order key of the entities created before `cut`, if any was. */
  private greatestKeyBefore(cut: PartitionOffsets): string | undefined {
    let greatest: string | undefined;
    for (const [partition, entities] of this.partitions) {
      const limit = cut[partition];
      const n = limit === undefined ? entities.createdAt.length : entities.createdAt.countBelow(limit);
      const key = n > 0 ? entities.greatestKey[n - 1] : undefined;
      if (key !== undefined && (greatest === undefined || key > greatest)) greatest = key;
    }
    return greatest;
  }

  /** Entities and events indexed. */
  stats(): { readonly entities: number; readonly events: number } {
    let events = 0;
    for (const entity of this.entities.values()) events += entity.positions.length;
    return { entities: this.entities.size, events };
  }
}
