import { upperBoundOf as upperBound } from './connection.ts';

/**
 * How far from the end an entity created out of order is put in its place at once; one further
 * back (a replay reading partition after partition) leaves the order to be sorted at the next read.
 */
const NEAR_END = 1024;

/**
 * Entity ids in a deterministic order: ascending by a key every instance computes the same from
 * the same events (creation time, then id), whatever order it read the partitions of a topic in.
 * A list paged in this order, with the key of its last entity as cursor, is the same list with the
 * same cursors on every instance (docs/deploy.md, "List order with several partitions").
 *
 * Entities mostly arrive in key order, and are appended; one that arrives a little late (created
 * at the same moment on another partition) is inserted in its place. A replay that reads one
 * partition after another delivers the others far out of order: those are appended and the whole
 * order is sorted once, when it is next read.
 */
export class OrderedIds {
  private ids: string[] = [];
  private keys: string[] = [];
  private sorted = true;

  get size(): number {
    return this.ids.length;
  }

  /** Adds an entity, once, under its key (unique: it ends with the id). */
  add(id: string, key: string): void {
    const last = this.keys.at(-1);
    if (!this.sorted || last === undefined || key > last) {
      this.ids.push(id);
      this.keys.push(key);
      return;
    }
    const at = upperBound(this.keys, key);
    if (this.keys.length - at <= NEAR_END) {
      this.ids.splice(at, 0, id);
      this.keys.splice(at, 0, key);
    } else {
      this.ids.push(id);
      this.keys.push(key);
      this.sorted = false;
    }
  }

  /** The ids and their keys, in key order. */
  view(): { readonly ids: readonly string[]; readonly keys: readonly string[] } {
    if (!this.sorted) {
      const order = this.keys.map((_, i) => i).sort((a, b) => (this.keys[a]! < this.keys[b]! ? -1 : 1));
      this.ids = order.map((i) => this.ids[i]!);
      this.keys = order.map((i) => this.keys[i]!);
      this.sorted = true;
    }
    return { ids: this.ids, keys: this.keys };
  }
}

/** The order key of an entity created at `createdAt`: its creation time, then its id. */
export const creationKey = (createdAt: string, id: string): string => `${createdAt} ${id}`;
