import { createHash } from 'node:crypto';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { deserialize, serialize } from 'node:v8';
import { crc32 } from 'node:zlib';
import type { Position } from '../position.ts';
import { packIntegers, unpackIntegers } from './packed.ts';

/**
 * The bytes of a snapshot: what it is of, where in the log it stands, and the read model's state.
 *
 *   "SHOPSNAP" | u32 header length | header (JSON) | body
 *
 * The body is a sequence of parts, each `u32 length | bytes`: first the state with its large arrays
 * taken out (the skeleton, v8-serialized), then those arrays in slices: plain arrays v8-serialized,
 * typed arrays a byte saying how, then either their bytes, in the machine's byte order as V8's own
 * serializer writes them (little-endian on x86-64 and arm64), or — for whole numbers, where it
 * saves at least a quarter — packed as differences in as few bytes as each needs (`packed.ts`:
 * most columns of a read model shrink to an eighth). Slices keep each synchronous step short, so a
 * snapshot of a million purchases is written between applies and requests instead of blocking
 * them for the whole encoding; a typed array's bytes are checksummed and copied once, into the
 * snapshot itself, with no serialized copy in between. The header carries a CRC-32 of the body
 * (the check Kafka makes of every record batch; a SHA-256 cost four times as long, a twentieth
 * of a start at a million purchases, and guards against nothing more that can happen to a
 * store): a snapshot with one bit changed is refused, never half-read.
 */

/**
 * The version of this container; a snapshot written by another is ignored (and the log replayed).
 * 2: typed arrays as raw slices. 3: typed arrays' slices raw or packed, a byte saying which.
 * 4: a CRC-32 of the body instead of a SHA-256.
 */
export const SNAPSHOT_FORMAT = 4;

const MAGIC = Buffer.from('SHOPSNAP', 'ascii');
/** Elements of an array encoded in one part. */
const SLICE = 50_000;
/** Arrays longer than this are taken out of the skeleton and encoded in slices. */
const LARGE = SLICE;
const PART_MARK = '__snapshotArray';
/** Bytes of a typed array written in one part; longer typed arrays are taken out of the skeleton. */
const TYPED_SLICE_BYTES = 256 * 1024;
const TYPED_MARK = '__snapshotTyped';
/** How a typed array's slice is written: the first byte of its part. */
const RAW = 0;
const PACKED = 1;
const RAW_TAG = Uint8Array.of(RAW);
const PACKED_TAG = Uint8Array.of(PACKED);

/** The typed arrays written as raw bytes, by their constructor's name. */
const TYPED = {
  Int8Array,
  Uint8Array,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
} as const;
type TypedName = keyof typeof TYPED;
type Typed = InstanceType<(typeof TYPED)[TypedName]>;

const typedName = (value: unknown): TypedName | undefined => {
  if (!ArrayBuffer.isView(value)) return undefined;
  const name = value.constructor.name;
  return Object.hasOwn(TYPED, name) && value.constructor === TYPED[name as TypedName] ? (name as TypedName) : undefined;
};

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
  /** CRC-32 of the body (zlib's), as Kafka checks each record batch: what a damaged store or disk changes, it changes. */
  readonly crc32: number;
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
 * Encodes a snapshot, calling `pace` between parts (by default it only yields to the event loop):
 * `state` must not change meanwhile (a read model's `toSnapshot` gives copies).
 */
export async function encodeSnapshot(
  header: Omit<SnapshotHeader, 'format' | 'bodyBytes' | 'crc32'>,
  state: unknown,
  pace: () => Promise<unknown> = yieldToLoop,
): Promise<Buffer> {
  const large: (unknown[] | Typed)[] = [];
  const skeleton = takeOutLarge(state, large);
  let crc = 0;
  // The parts are kept as they are (a typed array's slices as views of it) and copied once, at the end.
  const parts: Uint8Array[] = [];
  let bodyBytes = 0;
  const add = (...pieces: Uint8Array[]) => {
    const size = pieces.reduce((sum, piece) => sum + piece.length, 0);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(size);
    parts.push(length, ...pieces);
    crc = crc32(length, crc);
    for (const piece of pieces) crc = crc32(piece, crc);
    bodyBytes += 4 + size;
  };
  add(serialize(skeleton));
  for (const array of large) {
    if (Array.isArray(array)) {
      for (let start = 0; start < array.length; start += SLICE) {
        await pace();
        add(serialize(array.slice(start, start + SLICE)));
      }
      continue;
    }
    const sliceLength = TYPED_SLICE_BYTES / array.BYTES_PER_ELEMENT;
    for (let start = 0; start < array.length; start += sliceLength) {
      await pace();
      const slice = array.subarray(start, start + sliceLength);
      const packed = slice instanceof Int32Array || slice instanceof Float64Array ? packIntegers(slice) : undefined;
      if (packed) add(PACKED_TAG, packed);
      else add(RAW_TAG, new Uint8Array(slice.buffer, slice.byteOffset, slice.byteLength));
    }
  }
  const head = Buffer.from(
    JSON.stringify({
      ...header,
      format: SNAPSHOT_FORMAT,
      bodyBytes,
      crc32: crc,
    } satisfies SnapshotHeader),
    'utf8',
  );
  const headLength = Buffer.alloc(4);
  headLength.writeUInt32BE(head.length);
  return Buffer.concat([MAGIC, headLength, head, ...parts]);
}

/**
 * A snapshot's bytes as the pieces a store kept them in (a Kafka record each, a table row each),
 * read front to back without joining them first: at a million purchases that join was a copy of
 * 40 MB. A read within one piece is a view of it; only a read across two is copied.
 */
class PieceReader {
  private piece = 0;
  private at = 0;
  /** Bytes not read yet. */
  left: number;

  constructor(private readonly pieces: readonly Buffer[]) {
    this.left = pieces.reduce((sum, piece) => sum + piece.length, 0);
  }

  /** The next `length` bytes; throws {@link SnapshotError} when fewer are left. */
  take(length: number, what: string): Buffer {
    if (length > this.left) throw new SnapshotError('corrupt', `the snapshot is cut short in ${what}`);
    this.left -= length;
    while (this.piece < this.pieces.length && this.at === this.pieces[this.piece]!.length) {
      this.piece++;
      this.at = 0;
    }
    const current = this.pieces[this.piece];
    if (current && this.at + length <= current.length) {
      this.at += length;
      return current.subarray(this.at - length, this.at);
    }
    const joined = Buffer.allocUnsafe(length);
    for (let filled = 0; filled < length;) {
      const from = this.pieces[this.piece]!;
      const count = Math.min(length - filled, from.length - this.at);
      from.copy(joined, filled, this.at, this.at + count);
      filled += count;
      this.at += count;
      if (this.at === from.length) {
        this.piece++;
        this.at = 0;
      }
    }
    return joined;
  }

  /** The CRC-32 of the bytes not read yet, without reading them. */
  crcOfRest(): number {
    let crc = 0;
    for (let piece = this.piece, at = this.at; piece < this.pieces.length; piece++, at = 0) {
      crc = crc32(this.pieces[piece]!.subarray(at), crc);
    }
    return crc;
  }
}

/** A snapshot as one buffer or as the pieces it was stored in, in order. */
export type SnapshotBytes = Buffer | readonly Buffer[];

/** The header alone; throws {@link SnapshotError} when the bytes are not a snapshot of this format. */
export function readSnapshotHeader(bytes: SnapshotBytes): { readonly header: SnapshotHeader } {
  return readHeader(new PieceReader(Buffer.isBuffer(bytes) ? [bytes] : bytes));
}

function readHeader(reader: PieceReader): { readonly header: SnapshotHeader } {
  if (reader.left < MAGIC.length + 4 || !reader.take(MAGIC.length, 'its mark').equals(MAGIC)) {
    throw new SnapshotError('corrupt', 'not a snapshot (no SHOPSNAP mark)');
  }
  const headLength = reader.take(4, 'its header').readUInt32BE(0);
  const head = reader.take(headLength, 'its header');
  let header: SnapshotHeader;
  try {
    header = JSON.parse(head.toString('utf8')) as SnapshotHeader;
  } catch {
    throw new SnapshotError('corrupt', 'the snapshot header is not JSON');
  }
  if (header.format !== SNAPSHOT_FORMAT) {
    throw new SnapshotError(
      'format',
      `the snapshot is of format ${String(header.format)}, this version reads ${SNAPSHOT_FORMAT}`,
    );
  }
  return { header };
}

/**
 * Checks and decodes a whole snapshot, given as one buffer or as the pieces a store kept it in;
 * throws {@link SnapshotError} for anything but an intact one.
 */
export function decodeSnapshot(bytes: SnapshotBytes): { readonly header: SnapshotHeader; readonly state: unknown } {
  const reader = new PieceReader(Buffer.isBuffer(bytes) ? [bytes] : bytes);
  const { header } = readHeader(reader);
  if (reader.left !== header.bodyBytes) {
    throw new SnapshotError('corrupt', `the snapshot body is ${reader.left} bytes, its header says ${header.bodyBytes}`);
  }
  if (reader.crcOfRest() !== header.crc32) {
    throw new SnapshotError('corrupt', 'the snapshot does not match its checksum');
  }
  const parts: Buffer[] = [];
  while (reader.left > 0) {
    const length = reader.take(4, 'a part').readUInt32BE(0);
    parts.push(reader.take(length, 'a part'));
  }
  if (parts.length === 0) throw new SnapshotError('corrupt', 'the snapshot has no state');
  let next = 1;
  const state = putBackLarge(deserialize(parts[0]!), () => {
    if (next >= parts.length) throw new SnapshotError('corrupt', 'the snapshot has fewer parts than its skeleton names');
    return parts[next++]!;
  });
  if (next !== parts.length) throw new SnapshotError('corrupt', 'the snapshot has more parts than its skeleton names');
  return { header, state };
}

/** `value` with every large array replaced by a mark, the arrays appended to `large` in walk order. */
function takeOutLarge(value: unknown, large: (unknown[] | Typed)[]): unknown {
  const typed = typedName(value);
  if (typed !== undefined && (value as Typed).byteLength > TYPED_SLICE_BYTES) {
    large.push(value as Typed);
    return { [TYPED_MARK]: typed, [PART_MARK]: (value as Typed).length };
  }
  if (Array.isArray(value)) {
    if (value.length > LARGE) {
      large.push(value);
      return { [PART_MARK]: value.length };
    }
    // Copied only where something was taken out: a state of many small objects (entities, their
    // histories) is walked, not rebuilt, and leaves no garbage behind.
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const taken = takeOutLarge(item, large);
      if (taken !== item) (copy ??= value.slice())[i] = taken;
    }
    return copy ?? value;
  }
  if (isPlainObject(value)) {
    let copy: Record<string, unknown> | undefined;
    for (const key in value) {
      const item = value[key];
      const taken = takeOutLarge(item, large);
      if (taken !== item) (copy ??= { ...value })[key] = taken;
    }
    return copy ?? value;
  }
  return value;
}

/** The inverse of {@link takeOutLarge}: each mark becomes its array, rebuilt from its slices in order. */
function putBackLarge(value: unknown, nextPart: () => Buffer): unknown {
  if (Array.isArray(value)) return value.map((item) => putBackLarge(item, nextPart));
  if (isPlainObject(value)) {
    const length = value[PART_MARK];
    const typed = value[TYPED_MARK];
    if (typeof length === 'number' && typeof typed === 'string') {
      if (!Object.hasOwn(TYPED, typed)) throw new SnapshotError('corrupt', `the snapshot names an unknown array type ${typed}`);
      const array = new TYPED[typed as TypedName](length);
      // Copied into an array of its own: a part starts at any byte, and an Int32Array or a Float64Array needs aligned memory.
      const bytes = new Uint8Array(array.buffer);
      const sliceLength = TYPED_SLICE_BYTES / array.BYTES_PER_ELEMENT;
      for (let at = 0; at < length; at += sliceLength) {
        const part = nextPart();
        const count = Math.min(sliceLength, length - at);
        const body = part.subarray(1);
        if (part[0] === RAW && body.length === count * array.BYTES_PER_ELEMENT) {
          bytes.set(body, at * array.BYTES_PER_ELEMENT);
        } else if (part[0] === PACKED && (array instanceof Int32Array || array instanceof Float64Array)) {
          try {
            unpackIntegers(body, array, at, count);
          } catch (error) {
            throw new SnapshotError('corrupt', `a snapshot array's packed slice is damaged: ${(error as Error).message}`);
          }
        } else {
          throw new SnapshotError('corrupt', 'a snapshot array has other bytes than its mark says');
        }
      }
      return array;
    }
    if (typeof length === 'number') {
      const slices: unknown[][] = [];
      let count = 0;
      while (count < length) {
        const slice = deserialize(nextPart()) as unknown[];
        slices.push(slice);
        count += slice.length;
      }
      if (count !== length) throw new SnapshotError('corrupt', 'a snapshot array has more elements than its mark says');
      return slices.length === 1 ? slices[0]! : ([] as unknown[]).concat(...slices);
    }
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, putBackLarge(item, nextPart)]));
  }
  return value;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
