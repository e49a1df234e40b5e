/**
 * How a snapshot lies in its Kafka topic, without a broker: the chunk records one snapshot is cut
 * into, the snapshots a read of the topic finds, and which of them a save may remove.
 *
 * Each chunk is a record keyed `<id>/<n>` whose headers say which snapshot it belongs to and where
 * (see {@link CHUNK_HEADERS}); every chunk repeats the snapshot's id, time, chunk count and size,
 * so a reader can tell a complete snapshot from one whose save was cut short without any other
 * record. Keys are unique per chunk, so compaction removes nothing but what a tombstone removes.
 *
 * After each save the topic ends with a small record keyed {@link NEWEST_KEY} that names the
 * newest complete snapshot and the offsets its chunks lie between: a start reads that record and
 * those offsets only, not every snapshot the topic still keeps ({@link parseNewest}).
 */
import { loadedSnapshot, newestFirst, type StoredSnapshot } from './store.ts';

export const CHUNK_HEADERS = {
  id: 'snapshot-id',
  savedAtMs: 'snapshot-saved-at-ms',
  /** This chunk's index, from 0. */
  chunk: 'snapshot-chunk',
  /** How many chunks the snapshot has. */
  chunks: 'snapshot-chunks',
  /** The snapshot's size in bytes, all chunks together. */
  bytes: 'snapshot-bytes',
} as const;

/** A chunk record to write. */
export interface ChunkRecord {
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

/** A record of the topic as read, in offset order; `value` null for a tombstone. */
export interface ReadChunk {
  readonly offset: number;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

/** A snapshot that still holds records in the topic, complete or not. */
export interface KnownSnapshot {
  readonly id: string;
  readonly savedAtMs: number;
  /** The keys of its chunks: what tombstones must name to remove it. */
  readonly keys: readonly string[];
  readonly complete: boolean;
  /** The lowest and the highest offset of its chunks, where they are known. */
  readonly offsets?: OffsetRange;
}

export interface OffsetRange {
  readonly first: number;
  readonly last: number;
}

/** The key of the record that names the newest complete snapshot (no chunk key is without a `/`). */
export const NEWEST_KEY = 'newest';

/** What the {@link NEWEST_KEY} record says. */
export interface NewestPointer extends OffsetRange {
  readonly id: string;
}

/** The {@link NEWEST_KEY} record naming `snapshot`, whose chunks lie in `offsets`. */
export function newestRecord(pointer: NewestPointer): { readonly key: string; readonly value: Buffer } {
  const { id, first, last } = pointer;
  return { key: NEWEST_KEY, value: Buffer.from(JSON.stringify({ id, first, last })) };
}

/** The pointer a record holds, if it is a well-formed {@link NEWEST_KEY} record written before `offset` ends. */
export function parseNewest(record: ReadChunk): NewestPointer | undefined {
  if (record.key !== NEWEST_KEY || record.value === null) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(record.value.toString('utf8'));
  } catch {
    return undefined;
  }
  const { id, first, last } = (parsed ?? {}) as Record<string, unknown>;
  const offset = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0 && (n as number) < record.offset;
  if (typeof id !== 'string' || !offset(first) || !offset(last) || first > last) return undefined;
  return { id, first, last };
}

export function chunkKey(id: string, chunk: number): string {
  return `${id}/${chunk}`;
}

/** Cuts `snapshot` into chunk records of at most `maxChunkBytes` each; an empty snapshot is one empty chunk. */
export function chunkRecords(snapshot: StoredSnapshot, maxChunkBytes: number): ChunkRecord[] {
  const { id, savedAtMs, bytes } = snapshot;
  const chunks = Math.max(1, Math.ceil(bytes.length / maxChunkBytes));
  return Array.from({ length: chunks }, (_, n) => ({
    key: chunkKey(id, n),
    // A view, not a copy: the producer encodes it before the snapshot's buffer can change.
    value: bytes.subarray(n * maxChunkBytes, Math.min(bytes.length, (n + 1) * maxChunkBytes)),
    headers: {
      [CHUNK_HEADERS.id]: id,
      [CHUNK_HEADERS.savedAtMs]: String(savedAtMs),
      [CHUNK_HEADERS.chunk]: String(n),
      [CHUNK_HEADERS.chunks]: String(chunks),
      [CHUNK_HEADERS.bytes]: String(bytes.length),
    },
  }));
}

interface Chunk {
  readonly id: string;
  readonly savedAtMs: number;
  readonly chunk: number;
  readonly chunks: number;
  readonly bytes: number;
  readonly value: Buffer;
}

/**
 * The snapshots in a topic, from its records in offset order: the last record of a key wins, a
 * tombstone removes it (as compaction will). Records that are not chunks of this format are left
 * out.
 */
export class TopicSnapshots {
  private readonly live = new Map<string, Chunk & { readonly offset: number }>();

  constructor(private readonly model: string) {}

  add(record: ReadChunk): void {
    if (record.key === null) return;
    if (record.value === null) {
      this.live.delete(record.key);
      return;
    }
    const chunk = parseChunk(record.value, record.headers);
    if (chunk) this.live.set(record.key, { ...chunk, offset: record.offset });
    else this.live.delete(record.key);
  }

  /** Every snapshot that still holds a record, complete or not. */
  known(): KnownSnapshot[] {
    return [...this.byId()].map(([id, chunks]) => ({
      id,
      savedAtMs: Math.min(...chunks.map(({ chunk }) => chunk.savedAtMs)),
      keys: chunks.map(({ key }) => key),
      complete: inOrder(chunks.map(({ chunk }) => chunk)) !== undefined,
      offsets: {
        first: Math.min(...chunks.map(({ chunk }) => chunk.offset)),
        last: Math.max(...chunks.map(({ chunk }) => chunk.offset)),
      },
    }));
  }

  /** The complete snapshots, newest first. */
  complete(): StoredSnapshot[] {
    const snapshots: StoredSnapshot[] = [];
    for (const [id, chunks] of this.byId()) {
      const ordered = inOrder(chunks.map(({ chunk }) => chunk));
      if (!ordered) continue;
      const pieces = ordered.map((chunk) => chunk.value);
      snapshots.push(loadedSnapshot({ id, model: this.model, savedAtMs: ordered[0]!.savedAtMs }, pieces));
    }
    return snapshots.sort(newestFirst);
  }

  private byId(): Map<string, { key: string; chunk: Chunk & { readonly offset: number } }[]> {
    const byId = new Map<string, { key: string; chunk: Chunk & { readonly offset: number } }[]>();
    for (const [key, chunk] of this.live) {
      const list = byId.get(chunk.id);
      if (list) list.push({ key, chunk });
      else byId.set(chunk.id, [{ key, chunk }]);
    }
    return byId;
  }
}

function parseChunk(value: Buffer, headers: Readonly<Record<string, string>>): Chunk | undefined {
  const id = headers[CHUNK_HEADERS.id];
  const savedAtMs = wholeNumber(headers[CHUNK_HEADERS.savedAtMs]);
  const chunk = wholeNumber(headers[CHUNK_HEADERS.chunk]);
  const chunks = wholeNumber(headers[CHUNK_HEADERS.chunks]);
  const bytes = wholeNumber(headers[CHUNK_HEADERS.bytes]);
  if (id === undefined || savedAtMs === undefined || chunk === undefined || chunks === undefined || bytes === undefined) {
    return undefined;
  }
  return { id, savedAtMs, chunk, chunks, bytes, value };
}

function wholeNumber(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,15}$/.test(text)) return undefined;
  return Number(text);
}

/**
 * A snapshot's chunks in order when they are complete and consistent: every chunk 0..N-1 present
 * once, all agreeing on the snapshot's time, chunk count and size, and their sizes adding up to it.
 */
function inOrder(chunks: readonly Chunk[]): Chunk[] | undefined {
  const first = chunks[0];
  if (!first || chunks.length !== first.chunks) return undefined;
  const ordered = new Array<Chunk | undefined>(first.chunks);
  let bytes = 0;
  for (const chunk of chunks) {
    if (chunk.savedAtMs !== first.savedAtMs || chunk.chunks !== first.chunks || chunk.bytes !== first.bytes) return undefined;
    if (chunk.chunk >= first.chunks || ordered[chunk.chunk]) return undefined;
    ordered[chunk.chunk] = chunk;
    bytes += chunk.value.length;
  }
  if (bytes !== first.bytes) return undefined;
  return ordered as Chunk[];
}

/**
 * The snapshots a save may remove: every one, complete or not, older than the `kept`-th newest
 * complete one. Incomplete snapshots newer than that are left alone, since another instance may
 * be saving them right now; and the newest complete snapshot is never among them, as long as
 * whoever removes knows of `kept` complete snapshots at least as new.
 */
/** The newest complete snapshot of `known` whose chunks' offsets are known: what the {@link NEWEST_KEY} record names. */
export function newestPointer(known: readonly KnownSnapshot[]): NewestPointer | undefined {
  const newest = known.filter((snapshot) => snapshot.complete).sort(newestFirst)[0];
  return newest?.offsets ? { id: newest.id, ...newest.offsets } : undefined;
}

export function obsoleteSnapshots(known: readonly KnownSnapshot[], kept: number): KnownSnapshot[] {
  const boundary = known.filter((snapshot) => snapshot.complete).sort(newestFirst)[kept - 1];
  if (!boundary) return [];
  return known.filter((snapshot) => newestFirst(snapshot, boundary) > 0);
}
