/**
 * Kafka's default partitioner: `toPositive(murmur2(utf8(key))) % partitions`. The embedded log
 * uses it too, so a key lands in the same partition on both adapters.
 */
export function partitionFor(key: string, partitions: number): number {
  if (partitions <= 1) return 0;
  return (murmur2(Buffer.from(key, 'utf8')) & 0x7fffffff) % partitions;
}

/** MurmurHash2, 32-bit, with Kafka's seed, as in the Java client's `Utils.murmur2`. */
export function murmur2(data: Uint8Array): number {
  const seed = 0x9747b28c;
  const m = 0x5bd1e995;
  const length = data.length;
  let h = (seed ^ length) | 0;
  const fours = length & ~3;
  for (let i = 0; i < fours; i += 4) {
    let k = (data[i]! & 0xff) | ((data[i + 1]! & 0xff) << 8) | ((data[i + 2]! & 0xff) << 16) | ((data[i + 3]! & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const rest = length & 3;
  if (rest === 3) h ^= (data[fours + 2]! & 0xff) << 16;
  if (rest >= 2) h ^= (data[fours + 1]! & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[fours]! & 0xff;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}
