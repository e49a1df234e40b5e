/**
 * The snapshot-store port: where read models keep snapshots of their state, next to the events,
 * so that a brand-new instance finds them. The store keeps bytes; what they mean, and whether
 * they can be trusted (format version, checksum, positions), is the reader's business
 * (`snapshot/format.ts`).
 *
 * A service gets the store of its log from the log itself: `log.snapshotStore?.({ topicPrefix })`
 * (see `EventLog.snapshotStore`); a log without one keeps no snapshots.
 *
 * Both adapters pass one contract suite (`testing/snapshot-contract.ts`):
 * - the embedded log keeps them in tables of its own SQLite file (`snapshot/embedded-store.ts`);
 * - Kafka keeps them in one compacted topic per read model, each snapshot cut into chunks under
 *   the broker's record size limit, and the chunks of older snapshots removed (tombstones) once
 *   a newer one is complete (`snapshot/kafka-store.ts`).
 *
 * Both write a snapshot the same way: its pieces first, then one atomic step that makes it
 * complete (the embedded log's index row; on Kafka, the last chunk acknowledged), then the removal
 * of what is older than the newest {@link KEPT_SNAPSHOTS} complete ones. A reader never sees a
 * snapshot that is not complete, and the newest complete one is never removed.
 */

/** One stored snapshot of a read model. */
export interface StoredSnapshot {
  /**
   * Unique per snapshot, chosen by the writer (a UUID): saving two snapshots under one id is not
   * supported. Snapshots sort newest first by `savedAtMs`, then by `id`.
   */
  readonly id: string;
  /** The read model's name: letters, digits, `.`, `_` and `-` (it names a Kafka topic). */
  readonly model: string;
  /** When it was saved, ms since the epoch (the writer's clock). */
  readonly savedAtMs: number;
  readonly bytes: Buffer;
  /**
   * As loaded: the bytes as the pieces the store kept them in, which a reader can decode without
   * joining them (`bytes` joins them, once, when first asked for).
   */
  readonly pieces?: readonly Buffer[];
}

/** A loaded snapshot of `pieces`, whose `bytes` are joined only if asked for. */
export function loadedSnapshot(about: Omit<StoredSnapshot, 'bytes' | 'pieces'>, pieces: readonly Buffer[]): StoredSnapshot {
  let joined: Buffer | undefined;
  return {
    ...about,
    pieces,
    get bytes() {
      return (joined ??= pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces));
    },
  };
}

export interface SnapshotStore {
  /**
   * Stores a snapshot of `model` and resolves once it is durable and complete. A snapshot that
   * was being saved when the process died, or whose save failed, is never returned by
   * {@link load} (incomplete). Once it is complete, older snapshots of the model beyond the newest
   * {@link KEPT_SNAPSHOTS} are removed; a failure of that clean-up does not fail the save (the
   * next save removes them).
   *
   * Rejects with `LogUnavailableError` when the log cannot take it (closed, broker down): nothing
   * that was stored of it is ever returned.
   *
   * `pace`, when given, is awaited between the pieces written (see `snapshot/pacer.ts`): the
   * save then takes longer and the service's other work less of a hit.
   */
  save(snapshot: StoredSnapshot, options?: { readonly pace?: () => Promise<void> }): Promise<void>;
  /** The complete snapshots of `model`, newest first (at most {@link KEPT_SNAPSHOTS}); none: `[]`. */
  load(model: string): Promise<StoredSnapshot[]>;
  /**
   * The newest complete snapshot of `model` (`load(model)[0]`), reading no other snapshot's bytes
   * where the store can tell which is newest without them: what a start needs first, and at a
   * million purchases, half of what `load` reads. Another instance saving at the same moment may
   * make it the newest but one, never an incomplete one.
   */
  loadNewest(model: string): Promise<StoredSnapshot | undefined>;
  /** Removes every snapshot of `model` (an operator's "rebuild from the log"). */
  drop(model: string): Promise<void>;
}

/** What `EventLog.snapshotStore` is asked for. */
export interface SnapshotStoreOptions {
  /**
   * The prefix of the service's event topics (`TOPIC_PREFIX`): snapshots of systems that share a
   * log under different prefixes are kept apart. Default `''`.
   */
  readonly topicPrefix?: string;
  /**
   * Largest piece a snapshot is written in, in bytes. Default 512 KiB: half the broker's default
   * record size limit on Kafka; on the embedded log, the size of one short write transaction.
   */
  readonly maxChunkBytes?: number;
}

/**
 * Complete snapshots kept per read model: the newest, and one before it to fall back on if the
 * newest turns out to be unreadable.
 */
export const KEPT_SNAPSHOTS = 2;

export const DEFAULT_MAX_CHUNK_BYTES = 512 * 1024;

const NAME = /^[A-Za-z0-9._-]*$/;

/** The options with their defaults, checked: a bad one throws, saying what to fix. */
export function snapshotStoreSettings({
  topicPrefix = '',
  maxChunkBytes = DEFAULT_MAX_CHUNK_BYTES,
}: SnapshotStoreOptions = {}): Required<SnapshotStoreOptions> {
  if (!NAME.test(topicPrefix)) {
    throw new Error(`snapshot topic prefix "${topicPrefix}" is not valid: use letters, digits, ".", "_" or "-"`);
  }
  if (!Number.isInteger(maxChunkBytes) || maxChunkBytes < 1) {
    throw new Error(`maxChunkBytes must be a whole number of bytes, at least 1, not ${maxChunkBytes}`);
  }
  return { topicPrefix, maxChunkBytes };
}

/** Throws unless `model` can name a Kafka topic, so that both adapters accept the same names. */
export function checkSnapshotModel(model: string): void {
  if (model.length === 0 || model.length > 200 || !NAME.test(model)) {
    throw new Error(
      `snapshot model name "${model}" is not valid: use 1 to 200 letters, digits, ".", "_" or "-" (it names a Kafka topic)`,
    );
  }
}

/** Newest first: by `savedAtMs`, then by `id`, so that every reader orders ties alike. */
export function newestFirst(a: { savedAtMs: number; id: string }, b: { savedAtMs: number; id: string }): number {
  if (a.savedAtMs !== b.savedAtMs) return b.savedAtMs - a.savedAtMs;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
