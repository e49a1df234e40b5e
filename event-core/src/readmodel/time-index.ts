import type { AsOf } from '../as-of.ts';
import { badInput } from '../errors.ts';
import type { PartitionOffsets } from '../log/port.ts';
import type { Position } from '../position.ts';
import { NumberColumn } from './numbers.ts';

interface PartitionTimesSnapshot {
  readonly offsets: Float64Array;
  readonly times: Float64Array;
  readonly lastOffset: number;
  readonly maxTimeMs: number;
}

/** A {@link TimeIndex} as data: per topic, per partition, its times. */
export type TimeIndexSnapshot = readonly (readonly [
  topic: string,
  partitions: readonly (readonly [number, PartitionTimesSnapshot])[],
])[];

/**
 * When the events of one partition occurred. Writers' clocks may disagree, so times are kept as a
 * running maximum: monotonic, hence searchable, and an event is "at or before T" once every event
 * before it in the partition is. A pair is stored only when that maximum grows, so a burst of
 * events in the same millisecond costs one entry.
 */
class PartitionTimes {
  private offsets = new NumberColumn();
  private times = new NumberColumn();
  private lastOffset = -1;
  private maxTimeMs = Number.NEGATIVE_INFINITY;

  toSnapshot(): PartitionTimesSnapshot {
    return {
      offsets: this.offsets.toArray(),
      times: this.times.toArray(),
      lastOffset: this.lastOffset,
      maxTimeMs: this.maxTimeMs,
    };
  }

  static from(snapshot: PartitionTimesSnapshot): PartitionTimes {
    const times = new PartitionTimes();
    times.offsets = NumberColumn.from(snapshot.offsets);
    times.times = NumberColumn.from(snapshot.times);
    times.lastOffset = snapshot.lastOffset;
    times.maxTimeMs = snapshot.maxTimeMs;
    return times;
  }

  record(offset: number, timeMs: number): void {
    this.lastOffset = offset;
    if (timeMs <= this.maxTimeMs) return;
    this.maxTimeMs = timeMs;
    this.offsets.push(offset);
    this.times.push(timeMs);
  }

  /** The first offset whose event occurred after `atMs`: the cut that keeps exactly the events up to `atMs`. */
  cutAt(atMs: number): number {
    const i = this.times.countAtOrBelow(atMs);
    return i < this.times.length ? this.offsets.at(i) : this.lastOffset + 1;
  }

  /** When the newest event before `cut` occurred; -Infinity if there is none. */
  timeBefore(cut: number): number {
    const i = this.offsets.countBelow(cut);
    return i === 0 ? Number.NEGATIVE_INFINITY : this.times.at(i - 1);
  }

  get bytes(): number {
    return this.offsets.bytes + this.times.bytes;
  }
}

/**
 * Turns an `asOf` into cuts of the topics a read model follows. An instant cuts every topic at the
 * events that occurred up to it. A position cuts the partitions it names where it says; the
 * others (other topics, other partitions) at the instant of the newest event it covers, so "the
 * customer as of this change of theirs" also counts exactly the purchases made up to that change.
 */
export class TimeIndex {
  private readonly topics = new Map<string, Map<number, PartitionTimes>>();

  constructor(topics: readonly string[]) {
    for (const topic of topics) this.topics.set(topic, new Map());
  }

  /** The index as data, copied: what a snapshot of the read model keeps. */
  toSnapshot(): TimeIndexSnapshot {
    return [...this.topics].map(
      ([topic, partitions]) => [topic, [...partitions].map(([p, times]) => [p, times.toSnapshot()] as const)] as const,
    );
  }

  /** Takes the state of a snapshot ({@link toSnapshot}) of an index of the same topics. */
  restore(snapshot: TimeIndexSnapshot): void {
    for (const [topic, partitions] of snapshot) {
      const mine = this.topics.get(topic);
      if (!mine) throw new Error(`the snapshot's time index follows ${topic}, this one does not`);
      mine.clear();
      for (const [partition, times] of partitions) mine.set(partition, PartitionTimes.from(times));
    }
  }

  /** Records an applied event; call in log order. Events that changed nothing need not be recorded. */
  record(topic: string, partition: number, offset: number, occurredAtMs: number): void {
    const partitions = this.topics.get(topic);
    if (!partitions) throw new Error(`the time index does not follow ${topic}`);
    let times = partitions.get(partition);
    if (!times) partitions.set(partition, (times = new PartitionTimes()));
    times.record(offset, occurredAtMs);
  }

  /**
   * The cut of `topic` for `asOf`: per partition, the offset of the first record the answer must
   * not include. Partitions with no recorded event are left out (there is nothing to hide there).
   * Throws BAD_USER_INPUT for a position that names none of the topics this index follows.
   */
  cut(topic: string, asOf: AsOf): PartitionOffsets {
    const partitions = this.topics.get(topic);
    if (!partitions) throw new Error(`the time index does not follow ${topic}`);
    const named = asOf.kind === 'position' ? asOf.position[topic] : undefined;
    let atMs: number | undefined = asOf.kind === 'instant' ? asOf.atMs : undefined;
    const instant = (): number => (atMs ??= this.timeOfPosition(asOf.kind === 'position' ? asOf.position : {}));
    const cut: Record<number, number> = { ...named };
    for (const [partition, times] of partitions) {
      if (cut[partition] === undefined) cut[partition] = times.cutAt(instant());
    }
    return cut;
  }

  /** `asOf` as a position over `topics`: what other read models need to answer as of the same point. */
  position(topics: readonly string[], asOf: AsOf): Position {
    return Object.fromEntries(topics.map((topic) => [topic, this.cut(topic, asOf)]));
  }

  /** The instant of the newest event before `position`, in the topics this index follows. */
  private timeOfPosition(position: Position): number {
    let known = false;
    let atMs = Number.NEGATIVE_INFINITY;
    for (const [topic, cuts] of Object.entries(position)) {
      const partitions = this.topics.get(topic);
      if (!partitions) continue;
      known = true;
      for (const [partition, cut] of Object.entries(cuts)) {
        const times = partitions.get(Number(partition));
        if (times) atMs = Math.max(atMs, times.timeBefore(cut));
      }
    }
    if (!known) {
      throw badInput(
        `asOf names a position in ${Object.keys(position).join(', ') || 'no topic'}, which this part of the graph does not read (${[...this.topics.keys()].join(', ')}); pass an ISO-8601 instant instead`,
        'asOf',
      );
    }
    return atMs;
  }

  /** Bytes held, for memory reports. */
  get bytes(): number {
    let bytes = 0;
    for (const partitions of this.topics.values()) for (const times of partitions.values()) bytes += times.bytes;
    return bytes;
  }
}
