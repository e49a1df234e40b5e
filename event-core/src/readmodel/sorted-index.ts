/** Entries a block holds at most before it is split in two. */
const MAX_BLOCK = 1024;

/**
 * Whole numbers (rows or entity numbers of a read model) kept sorted by a comparator, with ranks:
 * the structure behind every sorted list the API serves. Insert and remove are O(log n + B), the
 * entry at a rank and the rank of a place O(log n) once ranks are current, where B (at most
 * {@link MAX_BLOCK}) is the size of a block: entries live in sorted blocks, so an insert moves at
 * most one block's entries, never the whole list, and a rank is a binary search over the blocks'
 * start ranks.
 *
 * The comparator must be a total order (ties broken by something unique, such as an id) and must
 * not change for an entry while the entry is in the index: remove an entry, change what it is
 * sorted by, then insert it again.
 *
 * Inserts cost O(1) until the next read: an entry that sorts after the last one is appended, any
 * other is set aside and placed when the index is next read or removed from. Placed one by one
 * when few, by one sort of the whole index when many (a replay of a million purchases by total,
 * with no read in between, costs one sort instead of a million searches and block moves).
 */
export class SortedIndex {
  private blocks: number[][] = [];
  /** Rank of each block's first entry; correct for the blocks before `validStarts`. */
  private starts: number[] = [];
  private validStarts = 0;
  private count = 0;
  /** Entries inserted out of order since the index was last read. */
  private pending: number[] = [];
  /** Entries it was made with in no order ({@link unsorted}), until the first read sorts them. */
  private unsortedRun: ArrayLike<number> | undefined;

  /**
   * @param compare the order (a total order over the entries it will hold)
   * @param maxBlock entries a block holds before it is split (small ones only in tests, to split often)
   */
  constructor(
    private readonly compare: (a: number, b: number) => number,
    private readonly maxBlock = MAX_BLOCK,
  ) {}

  get size(): number {
    return this.count;
  }

  /**
   * An index of `entries`, which must be in `compare`'s order already (as {@link toArray} gives
   * them): built without a sort, so a read model restored from a snapshot does not sort again
   * what it sorted before the snapshot.
   */
  static fromSorted(compare: (a: number, b: number) => number, entries: ArrayLike<number>, maxBlock = MAX_BLOCK): SortedIndex {
    const index = new SortedIndex(compare, maxBlock);
    const half = Math.max(1, maxBlock >> 1);
    for (let i = 0; i < entries.length; i += half) {
      const end = Math.min(entries.length, i + half);
      // Made at its size and filled: five times as fast as a push an entry, or Array.from.
      const block = new Array<number>(end - i);
      for (let j = i; j < end; j++) block[j - i] = entries[j]!;
      index.blocks.push(block);
      index.starts.push(0);
    }
    index.count = entries.length;
    return index;
  }

  /**
   * An index of `entries` in any order, sorted when it is first read: a read model restored from a
   * snapshot makes thousands of lists (a product's purchases, a customer's) that a start reads
   * few of, and sorts each when, and only if, it is asked for. `entries` are taken as they are
   * (not copied until then) and must not change.
   */
  static unsorted(compare: (a: number, b: number) => number, entries: ArrayLike<number>, maxBlock = MAX_BLOCK): SortedIndex {
    const index = new SortedIndex(compare, maxBlock);
    if (entries.length === 0) return index;
    index.unsortedRun = entries;
    index.count = entries.length;
    return index;
  }

  insert(entry: number): void {
    this.count++;
    const last = this.blocks.at(-1);
    if (
      this.pending.length === 0 &&
      this.unsortedRun === undefined &&
      (last === undefined || this.compare(last[last.length - 1]!, entry) < 0)
    ) {
      // In order: the common case of purchases by date, in a replay and live.
      if (last !== undefined && last.length < this.maxBlock) last.push(entry);
      else {
        this.blocks.push([entry]);
        this.starts.push(0);
      }
      return;
    }
    this.pending.push(entry);
  }

  /**
   * Places the entries set aside: one by one when they are few, else by sorting the whole index
   * once. Every read does it first; a read model calls it when its replay has caught up, so that
   * the first request does not pay for the replay's sort.
   */
  settle(): void {
    const pending = this.pending;
    const run = this.unsortedRun;
    if (pending.length === 0 && run === undefined) return;
    this.pending = [];
    this.unsortedRun = undefined;
    if (run === undefined && pending.length * 8 < this.count) {
      for (const entry of pending) this.place(entry);
      return;
    }
    // The index's own entries are one sorted run, which the sort merges with the rest cheaply.
    const all = this.blocks.flat();
    if (run) for (let i = 0; i < run.length; i++) all.push(run[i]!);
    for (const entry of pending) all.push(entry);
    all.sort(this.compare);
    const half = Math.max(1, this.maxBlock >> 1);
    this.blocks = [];
    for (let i = 0; i < all.length; i += half) this.blocks.push(all.slice(i, i + half));
    this.starts = this.blocks.map(() => 0);
    this.validStarts = 0;
  }

  /** Puts an entry in its block (counted already). */
  private place(entry: number): void {
    if (this.blocks.length === 0) {
      this.blocks.push([entry]);
      this.starts.push(0);
      this.validStarts = 0;
      return;
    }
    const b = this.blockFor((probe) => this.compare(probe, entry) > 0);
    const block = this.blocks[b]!;
    block.splice(
      lowerBound(block.length, (i) => this.compare(block[i]!, entry) > 0),
      0,
      entry,
    );
    this.changed(b);
    if (block.length > this.maxBlock) {
      this.blocks.splice(b + 1, 0, block.splice(this.maxBlock >> 1));
      this.starts.splice(b + 1, 0, 0);
    }
  }

  /** Removes `entry`, sorted as it was when inserted; false if it is not in the index. */
  remove(entry: number): boolean {
    this.settle();
    if (this.count === 0) return false;
    const b = this.blockFor((probe) => this.compare(probe, entry) >= 0);
    const block = this.blocks[b]!;
    const i = lowerBound(block.length, (n) => this.compare(block[n]!, entry) >= 0);
    if (block[i] !== entry) return false;
    block.splice(i, 1);
    this.count--;
    if (block.length === 0) {
      this.blocks.splice(b, 1);
      this.starts.splice(b, 1);
      // The block that takes its place starts where it started: recompute from there.
      this.validStarts = Math.min(this.validStarts, b);
    } else this.changed(b);
    return true;
  }

  /**
   * The rank of the first entry for which `isAfter` holds, given that it holds for every entry from
   * some rank on (a place in the order: "sorts after this cursor"); `size` if for none.
   */
  rankWhere(isAfter: (entry: number) => boolean): number {
    this.settle();
    if (this.count === 0) return 0;
    const b = this.blockFor(isAfter);
    const block = this.blocks[b]!;
    const i = lowerBound(block.length, (n) => isAfter(block[n]!));
    this.updateStarts();
    return this.starts[b]! + i;
  }

  /** The entry at `rank` (0 is the first in the order). */
  at(rank: number): number {
    this.settle();
    if (rank < 0 || rank >= this.count) throw new RangeError(`rank ${rank} outside 0..${this.count - 1}`);
    this.updateStarts();
    const b = lowerBound(this.blocks.length, (n) => this.starts[n]! > rank) - 1;
    return this.blocks[b]![rank - this.starts[b]!]!;
  }

  /**
   * The entries from `rank` on, forwards, or backwards (`rank`, `rank - 1`, …) with `descending`;
   * O(log n) to start, O(1) an entry. The index must not change while a walk is in use.
   */
  *walk(rank: number, descending = false): Generator<number, void, undefined> {
    this.settle();
    if (rank < 0 || rank >= this.count) return;
    this.updateStarts();
    let b = lowerBound(this.blocks.length, (n) => this.starts[n]! > rank) - 1;
    let i = rank - this.starts[b]!;
    while (b >= 0 && b < this.blocks.length) {
      const block = this.blocks[b]!;
      if (descending) {
        for (; i >= 0; i--) yield block[i]!;
        b--;
        i = b >= 0 ? this.blocks[b]!.length - 1 : 0;
      } else {
        for (; i < block.length; i++) yield block[i]!;
        b++;
        i = 0;
      }
    }
  }

  /** Every entry in order (tests and rebuilds). */
  toArray(): number[] {
    this.settle();
    return this.blocks.flat();
  }

  /** Every entry in order, copied into one `Int32Array` without an array in between (a snapshot's capture). */
  toInt32Array(): Int32Array {
    this.settle();
    const entries = new Int32Array(this.count);
    let at = 0;
    for (const block of this.blocks) for (let i = 0; i < block.length; i++) entries[at++] = block[i]!;
    return entries;
  }

  /** The first block whose last entry satisfies `isAfter` (monotone over the order); the last block if none does. */
  private blockFor(isAfter: (entry: number) => boolean): number {
    const found = lowerBound(this.blocks.length, (n) => {
      const block = this.blocks[n]!;
      return isAfter(block[block.length - 1]!);
    });
    return Math.min(found, this.blocks.length - 1);
  }

  private changed(block: number): void {
    // The block's own start is unchanged; those after it moved.
    this.validStarts = Math.min(this.validStarts, block + 1);
  }

  private updateStarts(): void {
    if (this.validStarts >= this.blocks.length) return;
    let start = this.validStarts === 0 ? 0 : this.starts[this.validStarts - 1]! + this.blocks[this.validStarts - 1]!.length;
    for (let b = this.validStarts; b < this.blocks.length; b++) {
      this.starts[b] = start;
      start += this.blocks[b]!.length;
    }
    this.validStarts = this.blocks.length;
  }
}

/** The first of `0..length - 1` for which `holds` is true, given that it stays true from there on; `length` if none. */
function lowerBound(length: number, holds: (index: number) => boolean): number {
  let low = 0;
  let high = length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (holds(mid)) high = mid;
    else low = mid + 1;
  }
  return low;
}
