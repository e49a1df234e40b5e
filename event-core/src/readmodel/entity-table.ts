import type { Connection, PageArgs } from './connection.ts';
import { paginateByKey } from './connection.ts';
import { OrderedIds } from './ordered-ids.ts';

/** What every stored entity has. */
export interface Versioned {
  readonly id: string;
  readonly version: number;
  readonly deletedAt: string | null;
}

/**
 * The in-memory table behind a subgraph: entities by id plus their order, so `get` is O(1) and a
 * page is O(page). Deleted entities stay (entity references still resolve) but leave lists and
 * counts.
 *
 * The order is by `orderKey` (products and customers: creation time, then id), the same on every
 * instance however its topic's partitions were read; without one, the order entities arrived in
 * (tables that are never listed).
 */
export class EntityTable<T extends Versioned> {
  private readonly byId = new Map<string, T>();
  /** Each entity's key in the order, as it was given at its creation. */
  private readonly keys = new Map<string, string>();
  /** Every entity's id in list order (shared with the history index of the same entities). */
  readonly order = new OrderedIds();
  private live = 0;

  constructor(private readonly orderKey?: (entity: T) => string) {}

  /** Any entity, deleted or not (for entity references). */
  get(id: string): T | undefined {
    return this.byId.get(id);
  }

  /** An entity that is not deleted. */
  getLive(id: string): T | undefined {
    const entity = this.byId.get(id);
    return entity && entity.deletedAt === null ? entity : undefined;
  }

  /**
   * Stores an entity; a new one takes its place in the order by `orderKey` (or, restoring a
   * snapshot, by the key it was given when it was created: `key`).
   */
  put(entity: T, key?: string): void {
    const before = this.byId.get(entity.id);
    if (!before) {
      const placed = key ?? this.keyOf(entity);
      this.order.add(entity.id, placed);
      this.keys.set(entity.id, placed);
    }
    this.live += (entity.deletedAt === null ? 1 : 0) - (before && before.deletedAt === null ? 1 : 0);
    this.byId.set(entity.id, entity);
  }

  /** Where a new entity goes in the order (arrival: a zero-padded count, so the text sorts the same). */
  private keyOf(entity: T): string {
    return this.orderKey ? this.orderKey(entity) : String(this.order.size).padStart(12, '0');
  }

  get size(): number {
    return this.live;
  }

  /** An entity's key in the order (what ties in another order are broken by, the same on every replica). */
  orderKeyOf(id: string): string | undefined {
    return this.keys.get(id);
  }

  /** Every entity, deleted ones included, in list order (a copy). */
  all(): T[] {
    return this.order.view().ids.map((id) => this.byId.get(id)!);
  }

  page(args: PageArgs): Connection<T> {
    return paginateByKey(this.order.view(), args, this.live, (id) => this.getLive(id));
  }
}
