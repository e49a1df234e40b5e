import type { PartitionOffsets } from '../log/port.ts';
import { countBelow, NumberColumn } from './numbers.ts';

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
  /** Offset of each entity's first event, and the entity's place in creation order. */
  readonly createdAt = new NumberColumn();
  readonly createdOrder = new NumberColumn();
  /** Offsets where the number of live entities of this partition changed, and the number after. */
  readonly countChangedAt = new NumberColumn();
  readonly liveCounts = new NumberColumn();
  live = 0;
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
  /** Entity ids in creation order: the same order, and so the same cursors, as the current lists. */
  private readonly order: string[] = [];
  private readonly partitions = new Map<number, PartitionEntities>();

  /**
   * Records an applied event of entity `id` (call in log order, only for events that changed state).
   * `live`: the entity is not deleted after it. `legacy`: the event was upcast from a record of the
   * original system.
   */
  add(
    id: string,
    partition: number,
    offset: number,
    { live, legacy = false }: { readonly live: boolean; readonly legacy?: boolean },
  ): void {
    let entity = this.entities.get(id);
    let perPartition = this.partitions.get(partition);
    if (!perPartition) this.partitions.set(partition, (perPartition = new PartitionEntities()));
    const wasLive = entity ? entity.positions.at(-1)! >= 0 : false;
    if (!entity) {
      this.entities.set(id, (entity = { partition, positions: [], legacy }));
      perPartition.createdAt.push(offset);
      perPartition.createdOrder.push(this.order.length);
      this.order.push(id);
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
   * One page of the entities live at `cut`, in creation order: cursors are those of the current
   * lists. Costs O(page + entities skipped), and entities created after the cut are never visited:
   * the walk stops at the last entity any partition had created before it.
   */
  pageAt(
    cut: PartitionOffsets,
    { first, after }: { readonly first: number; readonly after?: number },
  ): {
    readonly entries: readonly { readonly index: number; readonly id: string; readonly event: EventRef }[];
    readonly hasNextPage: boolean;
  } {
    const end = this.createdBefore(cut);
    const entries: { index: number; id: string; event: EventRef }[] = [];
    let index = after === undefined ? 0 : after + 1;
    let hasNextPage = false;
    for (; index < end; index++) {
      const id = this.order[index]!;
      const event = this.lastBefore(id, cut);
      if (!event?.live) continue;
      if (entries.length === first) {
        hasNextPage = true;
        break;
      }
      entries.push({ index, id, event });
    }
    return { entries, hasNextPage };
  }

  /** One past the creation index of the newest entity created before `cut`. */
  private createdBefore(cut: PartitionOffsets): number {
    let end = 0;
    for (const [partition, entities] of this.partitions) {
      const limit = cut[partition];
      const n = limit === undefined ? entities.createdAt.length : entities.createdAt.countBelow(limit);
      if (n > 0) end = Math.max(end, entities.createdOrder.at(n - 1) + 1);
    }
    return end;
  }

  /** Entities and events indexed. */
  stats(): { readonly entities: number; readonly events: number } {
    let events = 0;
    for (const entity of this.entities.values()) events += entity.positions.length;
    return { entities: this.entities.size, events };
  }
}
