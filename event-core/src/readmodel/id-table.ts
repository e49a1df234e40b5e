import { isAscii } from 'node:buffer';

/**
 * Dense numbers `0, 1, 2, …` for a great many string ids (every purchase's), in order of first
 * sight, both ways — kept as bytes, not as strings in a Map.
 *
 * The ids' bytes lie back to back in one growing array, with where each ends; an open-addressing
 * hash table of id numbers (linear probing, at most half full) finds an id by its bytes. An id is
 * kept as its UTF-8, except a UUID as `randomUUID` writes it (lowercase, 36 characters), which is
 * kept as a mark byte (0xff, never in UTF-8) and its 16 bytes. An id takes its bytes, 8 bytes of
 * end and hash, and 16 to 32 of table: about 45 bytes a UUID or 50 for the 22 characters of
 * `newEntityId`, where a string and a Map entry took about 100, none of it objects for the garbage
 * collector to walk; and the whole table is four typed arrays, so a snapshot copies them as they
 * are and a restore reads them back and fills the hash table from the stored hashes, with no
 * string made and no Map grown a million times.
 *
 * Ids must be well-formed strings (no lone surrogate): their UTF-8 would not tell them apart.
 */
export class IdTable {
  /** Every id's UTF-8, back to back. */
  private bytes: Uint8Array = new Uint8Array(1024);
  private used = 0;
  /** How many ids. */
  private count = 0;
  /** Where id n's bytes end (they start where id n - 1's end). */
  private ends: Int32Array = new Int32Array(256);
  /** Id n's hash (of its bytes). */
  private hashes: Int32Array = new Int32Array(256);
  /**
   * The hash table: per slot, an id's hash and its number + 1 (0: an empty slot), side by side so
   * that a probe reads one place in memory. A power of two slots.
   */
  private slots = new Int32Array(2 * 1024);
  /** An id's home slot is its hash's top bits: `hash >>> shift` (32 less log2 of the slots). */
  private shift = 32 - 10;
  /**
   * Every id so far is ASCII or a packed UUID: within each kind byte order is string order (hex
   * digits sort as the numbers they write).
   */
  private ascii = true;
  /** The bytes as a Buffer, for decoding ids (made again when `bytes` grows). */
  private text = Buffer.from(this.bytes.buffer);
  /** The id being looked up, encoded, and its hash. */
  private probe = new Uint8Array(256);
  private probeLength = 0;
  private probeHash = 0;
  /** The probe is a packed UUID. */
  private probePacked = false;

  /** How many ids have a number. */
  get size(): number {
    return this.count;
  }

  /** Bytes held, for memory reports. */
  get byteSize(): number {
    return this.bytes.byteLength + this.ends.byteLength + this.hashes.byteLength + this.slots.byteLength;
  }

  /** A number for `id`, which must have none yet; undefined if it has one. */
  add(id: string): number | undefined {
    this.encode(id);
    const slot = this.slotOf(this.probe, 0, this.probeLength, this.probeHash);
    if (this.slots[slot + 1] !== 0) return undefined;
    return this.append(slot, this.probe, this.probeLength, this.probeHash, this.probePacked);
  }

  /** The number of `id`, if it has one. */
  find(id: string): number | undefined {
    this.encode(id);
    const n = this.slots[this.slotOf(this.probe, 0, this.probeLength, this.probeHash) + 1]!;
    return n === 0 ? undefined : n - 1;
  }

  /** The id numbered `n`. */
  id(n: number): string {
    if (!(n >= 0 && n < this.count)) throw new RangeError(`no id numbered ${n}`);
    const start = n === 0 ? 0 : this.ends[n - 1]!;
    const end = this.ends[n]!;
    if (isPackedUuid(this.bytes, start, end)) return uuidText(this.bytes, start + 1);
    return this.text.toString(this.ascii ? 'latin1' : 'utf8', start, end);
  }

  /** The ids numbered `a` and `b` in string order (negative, 0, positive), without making strings when they are ASCII. */
  compare(a: number, b: number): number {
    if (!(a >= 0 && a < this.count && b >= 0 && b < this.count)) throw new RangeError(`no ids numbered ${a} and ${b}`);
    const { bytes, ends } = this;
    let i = a === 0 ? 0 : ends[a - 1]!;
    let j = b === 0 ? 0 : ends[b - 1]!;
    const endA = ends[a]!;
    const endB = ends[b]!;
    if (!this.ascii || isPackedUuid(bytes, i, endA) !== isPackedUuid(bytes, j, endB)) {
      const x = this.id(a);
      const y = this.id(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    for (; i < endA && j < endB; i++, j++) {
      const d = bytes[i]! - bytes[j]!;
      if (d !== 0) return d;
    }
    return endA - i - (endB - j);
  }

  /**
   * The table as data: views of its bytes and ends as they are now (no copy: both only grow, so
   * later ids never change these), and its hashes, so that a restore need not compute them again.
   */
  toSnapshot(): IdTableSnapshot {
    return {
      bytes: this.bytes.subarray(0, this.used),
      ends: this.ends.subarray(0, this.count),
      hashes: this.hashes.subarray(0, this.count),
    };
  }

  /**
   * The table of a snapshot ({@link toSnapshot}), which it takes over (no copy). Its ids are
   * checked as they are put in the hash table: ends that go backwards or past the bytes, a UUID
   * mark on an id of another length, or an id twice, throw. The hashes are taken as stored (the
   * snapshot's checksum stands for them): computing a million again cost as much as the rest of
   * the restore of the table.
   */
  static from(snapshot: IdTableSnapshot): IdTable {
    const { bytes, ends, hashes } = snapshot;
    const n = ends.length;
    if (hashes.length !== n) throw new Error('the id table has a hash per id');
    if ((n === 0 ? 0 : ends[n - 1]) !== bytes.length) throw new Error("the id table's ends do not end with its bytes");
    const table = new IdTable();
    // Taken as they are: each is exactly full, so the next id moves it to a larger array, and
    // whoever made them (a decoded snapshot, or a table that only writes past their end) leaves them be.
    table.bytes = bytes;
    table.used = bytes.length;
    table.text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    table.count = n;
    table.ends = ends;
    table.hashes = hashes;
    // All ASCII (no UUID packed either: the mark is not ASCII) is found at once; else id by id.
    const plain = isAscii(bytes);
    let start = 0;
    for (let id = 0; id < n; id++) {
      const end = ends[id]!;
      if (end < start) throw new Error(`the id table's id ${id} ends before it starts`);
      if (plain) {
        start = end;
        continue;
      }
      if (end > start && bytes[start] === PACKED_UUID) {
        if (end - start !== 17) throw new Error(`the id table's id ${id} is marked a UUID and is not 16 bytes`);
      } else {
        for (let i = start; i < end && table.ascii; i++) if (bytes[i]! >= 0x80) table.ascii = false;
      }
      start = end;
    }
    table.fill(capacityFor(n), true);
    return table;
  }

  /** Writes `id` to `probe` as it is kept (a UUID packed, else its UTF-8) and hashes it. */
  private encode(id: string): void {
    const length = id.length;
    if (this.probe.length < length * 3) this.probe = new Uint8Array(length * 3 + 64);
    const probe = this.probe;
    this.probePacked = length === 36 && packUuid(id, probe);
    if (this.probePacked) {
      this.probeLength = 17;
      this.probeHash = hashOf(probe, 0, 17);
      return;
    }
    let hash = FNV_OFFSET;
    for (let i = 0; i < length; i++) {
      const c = id.charCodeAt(i);
      if (c >= 0x80) return this.encodeUtf8(id);
      probe[i] = c;
      hash = Math.imul(hash ^ c, FNV_PRIME);
    }
    this.probeLength = length;
    this.probeHash = mix(hash);
  }

  private encodeUtf8(id: string): void {
    if (LONE_SURROGATE.test(id)) throw new RangeError('an id with a lone surrogate cannot be told apart from others in UTF-8');
    const { written } = utf8.encodeInto(id, this.probe);
    this.probeLength = written;
    this.probeHash = hashOf(this.probe, 0, written);
  }

  /** The slot (its index in `slots`) holding the id with these bytes, or the empty slot where it would go. */
  private slotOf(from: Uint8Array, start: number, end: number, hash: number): number {
    const { slots, ends, bytes } = this;
    const length = end - start;
    for (let slot = (hash >>> this.shift) << 1; ; slot = (slot + 2) & (slots.length - 1)) {
      const n = slots[slot + 1]!;
      if (n === 0) return slot;
      if (slots[slot] !== hash) continue;
      const id = n - 1;
      const at = id === 0 ? 0 : ends[id - 1]!;
      if (ends[id]! - at !== length) continue;
      let same = true;
      for (let i = 0; i < length; i++) {
        if (bytes[at + i] !== from[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return slot;
    }
  }

  private append(slot: number, from: Uint8Array, length: number, hash: number, packed: boolean): number {
    if (this.used + length > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.used + length));
      grown.set(this.bytes.subarray(0, this.used));
      this.bytes = grown;
      this.text = Buffer.from(grown.buffer, 0, grown.byteLength);
    }
    for (let i = 0; i < length; i++) {
      const byte = from[i]!;
      if (byte >= 0x80 && !packed) this.ascii = false;
      this.bytes[this.used + i] = byte;
    }
    this.used += length;
    const n = this.count;
    if (n === this.ends.length) {
      this.ends = grownCopy(this.ends, n * 2);
      this.hashes = grownCopy(this.hashes, n * 2);
    }
    this.ends[n] = this.used;
    this.hashes[n] = hash;
    this.count = n + 1;
    this.slots[slot] = hash;
    this.slots[slot + 1] = n + 1;
    // Over half full: every id into a table twice the size, by the hashes kept.
    if ((n + 1) * 4 > this.slots.length) this.fill(this.slots.length, false);
    return n;
  }

  /**
   * Puts every id into a new table of `capacity` slots (a power of two), region by region: the
   * ids are first ordered by the top 16 bits of their hashes (one counting pass), so that putting
   * them in walks the table from one end to the other, where a million ids put in at random cost
   * a cache miss each. With `check`, a probe that meets an id with the same hash compares their
   * bytes: the same id twice throws.
   */
  private fill(capacity: number, check: boolean): void {
    this.slots = new Int32Array(2 * capacity);
    this.shift = 32 - Math.log2(capacity);
    const { hashes, count, ends } = this;
    const regionShift = Math.max(0, 16 - Math.log2(capacity)) + 16;
    const next = new Int32Array((1 << (32 - regionShift)) + 1);
    for (let id = 0; id < count; id++) next[(hashes[id]! >>> regionShift) + 1]!++;
    for (let region = 1; region < next.length; region++) next[region]! += next[region - 1]!;
    const order = new Int32Array(count);
    for (let id = 0; id < count; id++) order[next[hashes[id]! >>> regionShift]!++] = id;
    const slots = this.slots;
    for (let k = 0; k < count; k++) {
      const id = order[k]!;
      const start = id === 0 ? 0 : ends[id - 1]!;
      const slot = check ? this.slotOf(this.bytes, start, ends[id]!, hashes[id]!) : this.freeSlot(hashes[id]!);
      if (slots[slot + 1] !== 0) throw new Error(`the id table holds id ${id} twice`);
      slots[slot] = hashes[id]!;
      slots[slot + 1] = id + 1;
    }
  }

  /** The first free slot from `hash`'s home on (for ids known to be new). */
  private freeSlot(hash: number): number {
    const slots = this.slots;
    let slot = (hash >>> this.shift) << 1;
    while (slots[slot + 1] !== 0) slot = (slot + 2) & (slots.length - 1);
    return slot;
  }
}

/** {@link IdTable} as data. */
export interface IdTableSnapshot {
  readonly bytes: Uint8Array;
  readonly ends: Int32Array;
  readonly hashes: Int32Array;
}

/** The first byte of a packed UUID: never a byte of UTF-8. */
const PACKED_UUID = 0xff;

/** Are `bytes[start..end)` a packed UUID (the mark and 16 bytes)? */
const isPackedUuid = (bytes: Uint8Array, start: number, end: number): boolean =>
  end - start === 17 && bytes[start] === PACKED_UUID;

/** Hex digit → value, for '0'–'9' and 'a'–'f'; -1 for every other character code below 128. */
const HEX_VALUE = Int8Array.from({ length: 128 }, (_, c) => (c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1));

/**
 * Writes a UUID as `randomUUID` writes it (36 characters, lowercase hex, dashes at 8, 13, 18 and
 * 23) to `out` as the mark and its 16 bytes; false, writing nothing meaningful, for any other text.
 */
function packUuid(id: string, out: Uint8Array): boolean {
  out[0] = PACKED_UUID;
  let at = 1;
  for (let i = 0; i < 36;) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (id.charCodeAt(i) !== 45) return false;
      i++;
      continue;
    }
    const high = HEX_VALUE[id.charCodeAt(i)] ?? -1;
    const low = HEX_VALUE[id.charCodeAt(i + 1)] ?? -1;
    if (high < 0 || low < 0) return false;
    out[at++] = (high << 4) | low;
    i += 2;
  }
  return true;
}

/** The UUID text of the 16 bytes at `at`: written into one buffer, made a string once. */
function uuidText(bytes: Uint8Array, at: number): string {
  let to = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) UUID_TEXT[to++] = 45;
    const byte = bytes[at + i]!;
    UUID_TEXT[to++] = HEX_DIGITS[byte >>> 4]!;
    UUID_TEXT[to++] = HEX_DIGITS[byte & 15]!;
  }
  return UUID_TEXT.toString('latin1', 0, 36);
}

const UUID_TEXT = Buffer.alloc(36);
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
const utf8 = new TextEncoder();
/** A surrogate not in a pair (in `u` mode a pair is one code point, which `\p{Cs}` does not match). */
const LONE_SURROGATE = /\p{Cs}/u;

/** 32-bit FNV-1a of `bytes[start..end)`, as a signed integer (what an Int32Array holds). */
function hashOf(bytes: Uint8Array, start: number, end: number): number {
  let hash = FNV_OFFSET;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, FNV_PRIME);
  return mix(hash);
}

/**
 * MurmurHash3's finish: every bit of FNV-1a's result moves the top bits, which choose the slot
 * (FNV-1a alone spreads ids that differ in their last characters poorly there).
 */
function mix(hash: number): number {
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return hash ^ (hash >>> 16);
}

/** A copy of `values` in an array of `capacity` (at least their length, and 256). */
function grownCopy(values: Int32Array, capacity: number): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(Math.max(256, capacity, values.length));
  grown.set(values);
  return grown;
}

/** Slots for `n` ids: a power of two at least twice `n` (and 1,024). */
function capacityFor(n: number): number {
  let capacity = 1024;
  while (capacity < n * 2 + 2) capacity *= 2;
  return capacity;
}
