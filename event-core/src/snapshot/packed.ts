/**
 * Whole numbers of a typed array written as the differences between neighbours, in as few bytes
 * as each needs: what a read model's columns mostly are (offsets that count up by one, rows in
 * nearly the order they were made, a product number out of a thousand, cents, the same day's
 * milliseconds again and again). A million offsets take about 1 MB instead of 8, and the bytes
 * a snapshot saves are bytes a restart does not read from the log's store, hash and copy.
 *
 * Each value is the difference from the one before (the first from 0), zigzagged (0, -1, 1, -2,
 * … → 0, 1, 2, 3, …) and written 7 bits a byte, low bits first, the top bit saying that more
 * follow. A `Float64Array` may hold `NaN` (a read model's "none"): it is written as 0 and every
 * other value one higher, and does not count as the value before the next.
 *
 * Only exact whole numbers are packed: a `Float64Array` with a fraction, an infinity, `-0`, or a
 * value of 2^51 or more either way is left to be written as its bytes ({@link packIntegers} says
 * no), so that a value always comes back with the same bits.
 */

/** Largest magnitude packed: the difference of two is under 2^52, its zigzag under 2^53, exact in a double. */
const LIMIT = 2 ** 51;
const TWO_32 = 2 ** 32;

export type PackableArray = Int32Array | Float64Array;

/**
 * `values` packed, or undefined when they are not all exact whole numbers within ±2^51 or when
 * packing would not save at least a quarter of their bytes.
 */
export function packIntegers(values: PackableArray): Uint8Array | undefined {
  const floats = values instanceof Float64Array;
  const budget = Math.floor(values.byteLength * 0.75);
  // The worst case of a value is 8 bytes (a zigzag below 2^53); past the budget packing stops.
  const out = new Uint8Array(budget + 8);
  let at = 0;
  let previous = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    let token: number;
    if (floats) {
      if (Number.isNaN(value)) {
        token = 0;
      } else {
        if (!Number.isInteger(value) || value >= LIMIT || value <= -LIMIT || Object.is(value, -0)) return undefined;
        const delta = value - previous;
        token = (delta >= 0 ? delta * 2 : -delta * 2 - 1) + 1;
        previous = value;
      }
    } else {
      const delta = value - previous;
      token = delta >= 0 ? delta * 2 : -delta * 2 - 1;
      previous = value;
    }
    if (token < 0x80) {
      out[at++] = token;
    } else if (token < TWO_32) {
      // Bit operations while the token fits 32 bits (the >>> keeps it unsigned).
      let rest = token >>> 0;
      while (rest >= 0x80) {
        out[at++] = (rest & 0x7f) | 0x80;
        rest >>>= 7;
      }
      out[at++] = rest;
    } else {
      let rest = token;
      while (rest >= 0x80) {
        out[at++] = (rest % 0x80) | 0x80;
        rest = Math.floor(rest / 0x80);
      }
      out[at++] = rest;
    }
    if (at > budget) return undefined;
  }
  return out.subarray(0, at);
}

/**
 * Reads `count` values packed by {@link packIntegers} from `bytes` into `into`, from index `at`;
 * throws when the bytes do not hold exactly that many values, or one that does not fit `into`.
 */
export function unpackIntegers(bytes: Uint8Array, into: PackableArray, at: number, count: number): void {
  if (at < 0 || at + count > into.length) throw new RangeError(`${count} values do not fit at ${at} of ${into.length}`);
  // One loop per array type, so that each stays monomorphic (a shared one ran at a third of the speed).
  const read = into instanceof Float64Array ? unpackFloats(bytes, into, at, count) : unpackInts(bytes, into, at, count);
  if (read !== bytes.length) throw new RangeError('the packed values have bytes left over');
}

function unpackInts(bytes: Uint8Array, into: Int32Array, at: number, count: number): number {
  const reader = { read: 0 };
  let previous = 0;
  for (let i = at; i < at + count; i++) {
    const token = nextToken(bytes, reader);
    previous += token < 0x80000000 ? (token >>> 1) ^ -(token & 1) : unzigzag(token);
    if (previous !== (previous | 0)) throw new RangeError(`a packed value ${previous} does not fit a 32-bit integer`);
    into[i] = previous;
  }
  return reader.read;
}

function unpackFloats(bytes: Uint8Array, into: Float64Array, at: number, count: number): number {
  const reader = { read: 0 };
  let previous = 0;
  for (let i = at; i < at + count; i++) {
    let token = nextToken(bytes, reader);
    if (token === 0) {
      into[i] = Number.NaN;
      continue;
    }
    token -= 1;
    previous += token < 0x80000000 ? (token >>> 1) ^ -(token & 1) : unzigzag(token);
    into[i] = previous;
  }
  return reader.read;
}

const unzigzag = (token: number): number => (token % 2 === 0 ? token / 2 : -(token + 1) / 2);

/**
 * The token at `reader.read`, which moves past it. Up to four bytes (below 2^28: every row number,
 * most differences) with bit operations; longer ones by arithmetic.
 */
function nextToken(bytes: Uint8Array, reader: { read: number }): number {
  const at = reader.read;
  // A byte past the end reads as 0x100: "more follows", caught below.
  const b0 = bytes[at] ?? 0x100;
  if (b0 < 0x80) {
    reader.read = at + 1;
    return b0;
  }
  const b1 = bytes[at + 1] ?? 0x100;
  if (b1 < 0x80) {
    reader.read = at + 2;
    return (b0 & 0x7f) | (b1 << 7);
  }
  const b2 = bytes[at + 2] ?? 0x100;
  if (b2 < 0x80) {
    reader.read = at + 3;
    return (b0 & 0x7f) | ((b1 & 0x7f) << 7) | (b2 << 14);
  }
  const b3 = bytes[at + 3] ?? 0x100;
  if (b3 < 0x80) {
    reader.read = at + 4;
    return (b0 & 0x7f) | ((b1 & 0x7f) << 7) | ((b2 & 0x7f) << 14) | (b3 << 21);
  }
  return longToken(bytes, reader);
}

/** A token of more than one byte (or none left), read from `reader.read` on. */
function longToken(bytes: Uint8Array, reader: { read: number }): number {
  let token = 0;
  let scale = 1;
  for (let length = 0; length < 8; length++) {
    if (reader.read >= bytes.length) throw new RangeError('the packed values end early');
    const byte = bytes[reader.read++]!;
    token += (byte & 0x7f) * scale;
    if (byte < 0x80) return token;
    scale *= 0x80;
  }
  throw new RangeError('a packed value runs past 8 bytes');
}
