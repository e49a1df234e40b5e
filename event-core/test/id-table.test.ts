import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdTable, type IdTableSnapshot } from '../src/readmodel/id-table.ts';

const order = (x: string, y: string): number => Math.sign(x < y ? -1 : x > y ? 1 : 0);

/** Ids that collide in few characters: prefixes of each other, the empty id, ASCII and not. */
const idArb = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', 'b', '-', '_', '0'), maxLength: 6 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.uuid(),
);

describe('IdTable', () => {
  it('numbers ids densely in order of first sight, both ways, as a Map would', () => {
    fc.assert(
      fc.property(fc.array(idArb, { maxLength: 300 }), fc.array(idArb, { maxLength: 50 }), (ids, probes) => {
        const table = new IdTable();
        const numbers = new Map<string, number>();
        for (const id of ids) {
          const expected = numbers.has(id) ? undefined : numbers.size;
          if (expected !== undefined) numbers.set(id, expected);
          expect(table.add(id)).toBe(expected);
        }
        expect(table.size).toBe(numbers.size);
        for (const [id, n] of numbers) {
          expect(table.find(id)).toBe(n);
          expect(table.id(n)).toBe(id);
        }
        for (const probe of probes) expect(table.find(probe)).toBe(numbers.get(probe));
      }),
    );
  });

  it('compares ids in string order, ASCII or not', () => {
    fc.assert(
      fc.property(fc.uniqueArray(idArb, { minLength: 2, maxLength: 40 }), (ids) => {
        const table = new IdTable();
        ids.forEach((id) => table.add(id));
        for (let a = 0; a < ids.length; a++) {
          for (let b = 0; b < ids.length; b++) expect(Math.sign(table.compare(a, b))).toBe(order(ids[a]!, ids[b]!));
        }
      }),
    );
  });

  it('grows past many ids and keeps finding every one', () => {
    const table = new IdTable();
    const ids = Array.from({ length: 50_000 }, () => randomUUID());
    ids.forEach((id, n) => expect(table.add(id)).toBe(n));
    expect(ids.every((id, n) => table.find(id) === n && table.id(n) === id)).toBe(true);
    expect(table.find(randomUUID())).toBeUndefined();
  });

  it('restores from its snapshot, which later ids leave as it was', () => {
    fc.assert(
      fc.property(fc.uniqueArray(idArb, { maxLength: 200 }), fc.uniqueArray(idArb, { maxLength: 200 }), (before, after) => {
        const table = new IdTable();
        before.forEach((id) => table.add(id));
        const snapshot = table.toSnapshot();
        const copy: IdTableSnapshot = {
          bytes: snapshot.bytes.slice(),
          ends: snapshot.ends.slice(),
          hashes: snapshot.hashes.slice(),
        };
        after.forEach((id) => table.add(id));
        expect(snapshot).toEqual(copy);
        const restored = IdTable.from(snapshot);
        expect(restored.size).toBe(before.length);
        before.forEach((id, n) => {
          expect(restored.find(id)).toBe(n);
          expect(restored.id(n)).toBe(id);
        });
        // The restored table goes on numbering as the original did.
        const fresh = after.filter((id) => !before.includes(id));
        fresh.forEach((id, i) => expect(restored.add(id)).toBe(before.length + i));
        before.forEach((id) => expect(restored.add(id)).toBeUndefined());
      }),
    );
  });

  it('refuses a snapshot that holds an id twice or whose parts do not agree', () => {
    const table = new IdTable();
    ['a', 'b', 'c'].forEach((id) => table.add(id));
    const good = table.toSnapshot();
    const twice = new IdTable();
    ['a', 'a-'].forEach((id) => twice.add(id));
    const { bytes, ends, hashes } = twice.toSnapshot();
    // "a" and "a-" made into "a" and "a" (the second id's byte and hash replaced).
    const repeated = {
      bytes: Uint8Array.from([...bytes.subarray(0, 1), 0x61]),
      ends: Int32Array.from([1, 2]),
      hashes: Int32Array.from([hashes[0]!, hashes[0]!]),
    };
    expect(ends.length).toBe(2);
    expect(() => IdTable.from(repeated)).toThrow(/twice/);
    expect(() => IdTable.from({ ...good, hashes: good.hashes.subarray(1) })).toThrow(/a hash per id/);
    expect(() => IdTable.from({ ...good, bytes: good.bytes.subarray(1) })).toThrow(/ends/);
    expect(() => IdTable.from({ ...good, ends: Int32Array.from([2, 1, 3]) })).toThrow(/before it starts/);
  });

  it('keeps a UUID as randomUUID writes it in 17 bytes, and any other spelling as it is', () => {
    const table = new IdTable();
    const uuid = randomUUID();
    const others = [uuid.toUpperCase(), uuid.replaceAll('-', ''), `${uuid}-`, uuid.replace('-', '_'), `${uuid.slice(0, 35)}g`];
    expect(table.add(uuid)).toBe(0);
    others.forEach((id, i) => expect(table.add(id)).toBe(i + 1));
    expect(table.toSnapshot().ends[0]).toBe(17);
    [uuid, ...others].forEach((id, n) => {
      expect(table.find(id)).toBe(n);
      expect(table.id(n)).toBe(id);
    });
    const snapshot = table.toSnapshot();
    const marked = Uint8Array.from(snapshot.bytes);
    marked[17] = 0xff;
    expect(() => IdTable.from({ ...snapshot, bytes: marked })).toThrow(/marked a UUID/);
  });

  it('refuses an id with a lone surrogate, which UTF-8 could not tell from another', () => {
    const table = new IdTable();
    expect(() => table.add('a\uD800')).toThrow(RangeError);
    expect(() => table.find('\uDC00')).toThrow(RangeError);
    expect(table.add('a\uD83D\uDE00')).toBe(0);
    expect(table.id(0)).toBe('a\uD83D\uDE00');
  });

  it('says which numbers it does not have', () => {
    const table = new IdTable();
    expect(() => table.id(0)).toThrow(RangeError);
    table.add('x');
    expect(() => table.compare(0, 1)).toThrow(RangeError);
  });
});
