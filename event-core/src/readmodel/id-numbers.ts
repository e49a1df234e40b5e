/**
 * Dense numbers `0, 1, 2, …` for string ids, in order of first sight, both ways. A read model that
 * refers to the same ids over and over (the product and the customer of every purchase) keeps
 * each id once here and a 4-byte number per reference in a typed column, instead of a string
 * pointer per reference and a Map keyed by strings per entity.
 */
export class IdNumbers {
  private numbers = new Map<string, number>();
  private ids: string[] = [];

  /** How many ids have a number. */
  get size(): number {
    return this.ids.length;
  }

  /** The number of `id`, given it now if it has none. */
  intern(id: string): number {
    let n = this.numbers.get(id);
    if (n === undefined) {
      n = this.ids.length;
      this.numbers.set(id, n);
      this.ids.push(id);
    }
    return n;
  }

  /** A number for `id`, which must have none yet; undefined if it has one. */
  add(id: string): number | undefined {
    if (this.numbers.has(id)) return undefined;
    const n = this.ids.length;
    this.numbers.set(id, n);
    this.ids.push(id);
    return n;
  }

  /** The number of `id`, if it has one. */
  find(id: string): number | undefined {
    return this.numbers.get(id);
  }

  /** Every id, in number order (a snapshot). */
  toArray(): string[] {
    return this.ids.slice();
  }

  /** Numbers for `ids`, in their order (from {@link toArray}). */
  static from(ids: readonly string[]): IdNumbers {
    // One Map insert an id instead of a lookup and an insert: a million ids is a restore's
    // largest single cost. Repeated ids (a defect upstream) are numbered as `intern` numbers them.
    const numbers = new Map<string, number>();
    for (let n = 0; n < ids.length; n++) numbers.set(ids[n]!, n);
    const result = new IdNumbers();
    if (numbers.size === ids.length) {
      result.numbers = numbers;
      result.ids = ids.slice();
      return result;
    }
    for (const id of ids) result.intern(id);
    return result;
  }

  /** The id numbered `n`. */
  id(n: number): string {
    const id = this.ids[n];
    if (id === undefined) throw new RangeError(`no id numbered ${n}`);
    return id;
  }
}
