/**
 * An append-only column of numbers in a growable `Float64Array`: 8 bytes a value, no per-value
 * object, and exact for every offset and millisecond timestamp (integers below 2^53).
 */
export class NumberColumn {
  private data: Float64Array = new Float64Array(16);
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(value: number): void {
    this.data = withRoom(this.data, this.size);
    this.data[this.size++] = value;
  }

  at(index: number): number {
    if (index < 0 || index >= this.size) throw new RangeError(`index ${index} outside 0..${this.size - 1}`);
    return this.data[index]!;
  }

  /** Bytes held, for memory reports. */
  get bytes(): number {
    return this.data.byteLength;
  }

  /** The values, copied. */
  toArray(): Float64Array {
    return this.data.slice(0, this.size);
  }

  /** The values so far, without a copy; see {@link IntColumn.view}. */
  view(): Float64Array {
    return this.data.subarray(0, this.size);
  }

  /** A column that starts with `values`, taken as they are (no copy); see {@link IntColumn.adopt}. */
  static adopt(values: Float64Array): NumberColumn {
    const column = new NumberColumn();
    column.data = values;
    column.size = values.length;
    return column;
  }

  /** A column holding `values` (from {@link toArray}). */
  static from(values: Float64Array): NumberColumn {
    const column = new NumberColumn();
    column.data = values.length > 0 ? values.slice() : new Float64Array(16);
    column.size = values.length;
    return column;
  }

  /** The number of leading values below `value`, for a column in ascending order (binary search). */
  countBelow(value: number): number {
    return countBelow(this.size, (i) => this.data[i]!, value);
  }

  /** The number of leading values at or below `value`, for a column in ascending order. */
  countAtOrBelow(value: number): number {
    return countBelow(this.size, (i) => this.data[i]!, value, true);
  }
}

/**
 * An append-only column of small whole numbers (row numbers of other columns, interned ids,
 * partitions) in a growable `Int32Array`: 4 bytes a value.
 */
export class IntColumn {
  private data: Int32Array;
  private size = 0;

  constructor(initialCapacity = 16) {
    this.data = new Int32Array(initialCapacity);
  }

  get length(): number {
    return this.size;
  }

  push(value: number): void {
    if (value !== (value | 0)) throw new RangeError(`${value} does not fit a 32-bit integer column`);
    this.data = withRoom(this.data, this.size);
    this.data[this.size++] = value;
  }

  at(index: number): number {
    if (index < 0 || index >= this.size) throw new RangeError(`index ${index} outside 0..${this.size - 1}`);
    return this.data[index]!;
  }

  /** The values, copied. */
  toArray(): Int32Array {
    return this.data.slice(0, this.size);
  }

  /** A column holding `values` (from {@link toArray}). */
  static from(values: Int32Array): IntColumn {
    const column = new IntColumn(Math.max(16, values.length));
    column.data.set(values);
    column.size = values.length;
    return column;
  }

  /**
   * A column that starts with `values`, taken as they are (no copy): the caller hands them over
   * and does not change them. A `push` past their end copies them into a larger array.
   */
  static adopt(values: Int32Array): IntColumn {
    const column = new IntColumn(0);
    column.data = values;
    column.size = values.length;
    return column;
  }

  /**
   * The values so far, without a copy. The column only grows, and a push writes past them or into
   * a new array, so the view keeps exactly these values whatever is pushed later: a snapshot's
   * capture takes a column in no time and encodes it afterwards.
   */
  view(): Int32Array {
    return this.data.subarray(0, this.size);
  }

  /** Bytes held, for memory reports. */
  get bytes(): number {
    return this.data.byteLength;
  }
}

/** `data` when it has room past its first `size` values, else a copy of it twice as long. */
function withRoom<T extends Float64Array | Int32Array>(data: T, size: number): T {
  if (size < data.length) return data;
  const grown = new (data.constructor as new (length: number) => T)(Math.max(1, data.length * 2));
  grown.set(data);
  return grown;
}

/**
 * Binary search over an ascending sequence of `length` values read by `at`: how many leading
 * values are below `value` (or at or below it, with `inclusive`).
 */
export function countBelow<V extends number | string>(
  length: number,
  at: (index: number) => V,
  value: V,
  inclusive = false,
): number {
  let low = 0;
  let high = length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const probe = at(mid);
    if (probe < value || (inclusive && probe === value)) low = mid + 1;
    else high = mid;
  }
  return low;
}
