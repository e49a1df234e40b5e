import { createHash } from 'node:crypto';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { deserialize, serialize } from 'node:v8';
import type { Position } from '../position.ts';

/**
 * The bytes of a snapshot: what it is of, where in the log it stands, and the read model's state.
 *
 *   "SHOPSNAP" | u32 header length | header (JSON) | body
 *
 * The body is a sequence of parts, each `u32 length | v8-serialized value`: first the state with
 * its large arrays taken out (the skeleton), then those arrays in slices. Slices keep each
 * synchronous step short, so a snapshot of a million purchases is written between applies and
 * requests instead of blocking them for the whole encoding. The header carries a SHA-256 of the
 * body: a snapshot with one bit changed is refused, never half-read.
 */

/** The version of this container; a snapshot written by another is ignored (and the log replayed). */
export const SNAPSHOT_FORMAT = 1;

const MAGIC = Buffer.from('SHOPSNAP', 'ascii');
/** Elements of an array encoded in one part. */
const SLICE = 50_000;
/** Arrays longer than this are taken out of the skeleton and encoded in slices. */
const LARGE = SLICE;
const PART_MARK = '__snapshotArray';

/** What a snapshot says of itself, readable without decoding the state. */
export interface SnapshotHeader {
  readonly format: number;
  /** The read model it is of (`purchases`), and the version of that model's state. */
  readonly model: string;
  readonly modelVersion: number;
  /** The next offset to apply, per topic and partition: where the replay after it starts. */
  readonly positions: Position;
  /**
   * The last record applied in each partition, as its key and the SHA-256 of its value: a
   * snapshot of topics that were deleted and created again (a different record there, or none
   * where there should be one) is recognised and ignored.
   */
  readonly fingerprints: Readonly<Record<string, Readonly<Record<number, RecordFingerprint>>>>;
  /** Events the model had applied (for logs and metrics). */
  readonly events: number;
  readonly createdAt: string;
  readonly bodyBytes: number;
  readonly sha256: string;
}

export interface RecordFingerprint {
  readonly key: string | null;
  readonly sha256: string;
}

/** Why a stored snapshot was not used. */
export type SnapshotProblem = 'corrupt' | 'format' | 'model' | 'topics';

export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
  constructor(
    readonly problem: SnapshotProblem,
    message: string,
  ) {
    super(message);
  }
}

export const fingerprintOf = (key: string | null, value: Buffer | null): RecordFingerprint => ({
  key,
  sha256: createHash('sha256')
    .update(value ?? Buffer.alloc(0))
    .digest('hex'),
});

/**
 * Encodes a snapshot, yielding to the event loop between parts: `state` must not change meanwhile
 * (a read model's `toSnapshot` gives copies).
 */
export async function encodeSnapshot(
  header: Omit<SnapshotHeader, 'format' | 'bodyBytes' | 'sha256'>,
  state: unknown,
): Promise<Buffer> {
  const large: unknown[][] = [];
  const skeleton = takeOutLarge(state, large);
  const hash = createHash('sha256');
  const parts: Buffer[] = [];
  const add = (value: unknown) => {
    const bytes = serialize(value);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
    hash.update(length).update(bytes);
  };
  add(skeleton);
  for (const array of large) {
    for (let start = 0; start < array.length; start += SLICE) {
      await yieldToLoop();
      add(array.slice(start, start + SLICE));
    }
  }
  const body = Buffer.concat(parts);
  const head = Buffer.from(
    JSON.stringify({
      ...header,
      format: SNAPSHOT_FORMAT,
      bodyBytes: body.length,
      sha256: hash.digest('hex'),
    } satisfies SnapshotHeader),
    'utf8',
  );
  const headLength = Buffer.alloc(4);
  headLength.writeUInt32BE(head.length);
  return Buffer.concat([MAGIC, headLength, head, body]);
}

/** The header alone; throws {@link SnapshotError} when the bytes are not a snapshot of this format. */
export function readSnapshotHeader(bytes: Buffer): { readonly header: SnapshotHeader; readonly bodyStart: number } {
  if (bytes.length < MAGIC.length + 4 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new SnapshotError('corrupt', 'not a snapshot (no SHOPSNAP mark)');
  }
  const headLength = bytes.readUInt32BE(MAGIC.length);
  const bodyStart = MAGIC.length + 4 + headLength;
  if (bodyStart > bytes.length) throw new SnapshotError('corrupt', 'the snapshot is cut short in its header');
  let header: SnapshotHeader;
  try {
    header = JSON.parse(bytes.subarray(MAGIC.length + 4, bodyStart).toString('utf8')) as SnapshotHeader;
  } catch {
    throw new SnapshotError('corrupt', 'the snapshot header is not JSON');
  }
  if (header.format !== SNAPSHOT_FORMAT) {
    throw new SnapshotError(
      'format',
      `the snapshot is of format ${String(header.format)}, this version reads ${SNAPSHOT_FORMAT}`,
    );
  }
  return { header, bodyStart };
}

/** Checks and decodes a whole snapshot; throws {@link SnapshotError} for anything but an intact one. */
export function decodeSnapshot(bytes: Buffer): { readonly header: SnapshotHeader; readonly state: unknown } {
  const { header, bodyStart } = readSnapshotHeader(bytes);
  const body = bytes.subarray(bodyStart);
  if (body.length !== header.bodyBytes) {
    throw new SnapshotError('corrupt', `the snapshot body is ${body.length} bytes, its header says ${header.bodyBytes}`);
  }
  if (createHash('sha256').update(body).digest('hex') !== header.sha256) {
    throw new SnapshotError('corrupt', 'the snapshot does not match its checksum');
  }
  const parts: unknown[] = [];
  for (let at = 0; at < body.length;) {
    const length = body.readUInt32BE(at);
    parts.push(deserialize(body.subarray(at + 4, at + 4 + length)));
    at += 4 + length;
  }
  let next = 1;
  const state = putBackLarge(parts[0], () => {
    if (next >= parts.length) throw new SnapshotError('corrupt', 'the snapshot has fewer parts than its skeleton names');
    return parts[next++] as unknown[];
  });
  return { header, state };
}

/** `value` with every large array replaced by a mark, the arrays appended to `large` in walk order. */
function takeOutLarge(value: unknown, large: unknown[][]): unknown {
  if (Array.isArray(value)) {
    if (value.length > LARGE) {
      large.push(value);
      return { [PART_MARK]: value.length };
    }
    return value.map((item) => takeOutLarge(item, large));
  }
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, takeOutLarge(item, large)]));
  }
  return value;
}

/** The inverse of {@link takeOutLarge}: each mark becomes its array, rebuilt from its slices in order. */
function putBackLarge(value: unknown, nextSlice: () => unknown[]): unknown {
  if (Array.isArray(value)) return value.map((item) => putBackLarge(item, nextSlice));
  if (isPlainObject(value)) {
    const length = value[PART_MARK];
    if (typeof length === 'number') {
      const array: unknown[] = [];
      while (array.length < length) {
        const slice = nextSlice();
        for (const item of slice) array.push(item);
      }
      if (array.length !== length) throw new SnapshotError('corrupt', 'a snapshot array has more elements than its mark says');
      return array;
    }
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, putBackLarge(item, nextSlice)]));
  }
  return value;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
