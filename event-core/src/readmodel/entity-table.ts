import type { Connection, PageArgs } from './connection.ts';
import { paginate } from './connection.ts';

/** What every stored entity has. */
export interface Versioned {
  readonly id: string;
  readonly version: number;
  readonly deletedAt: string | null;
}

/**
 * The in-memory table behind a subgraph: entities by id plus their creation order, so `get` is
 * O(1) and a page is O(page). Deleted entities stay (entity references still resolve) but leave
 * lists and counts.
 */
export class EntityTable<T extends Versioned> {
  private readonly byId = new Map<string, T>();
  private readonly order: string[] = [];
  private live = 0;

  /** Any entity, deleted or not (for entity references). */
  get(id: string): T | undefined {
    return this.byId.get(id);
  }

  /** An entity that is not deleted. */
  getLive(id: string): T | undefined {
    const entity = this.byId.get(id);
    return entity && entity.deletedAt === null ? entity : undefined;
  }

  put(entity: T): void {
    const before = this.byId.get(entity.id);
    if (!before) this.order.push(entity.id);
    this.live += (entity.deletedAt === null ? 1 : 0) - (before && before.deletedAt === null ? 1 : 0);
    this.byId.set(entity.id, entity);
  }

  get size(): number {
    return this.live;
  }

  page(args: PageArgs): Connection<T> {
    return paginate(this.order, args, this.live, (id) => this.getLive(id));
  }
}
