type Offsets = Record<string, Record<string, number>>;

function decode(token: string): Offsets | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    for (const partitions of Object.values(value)) {
      if (partitions === null || typeof partitions !== 'object' || Array.isArray(partitions)) return undefined;
      if (!Object.values(partitions).every((offset) => Number.isSafeInteger(offset))) return undefined;
    }
    return value as Offsets;
  } catch {
    return undefined;
  }
}

/**
 * The token that covers both `a` (older) and `b` (newer).
 *
 * Why the client looks inside an "opaque" token: the gateway returns the position of what *this*
 * request wrote, not merged with the token the client sent. A client that keeps only the latest
 * token would, after creating a product and then a customer, send only the customer's position
 * with its `createPurchase`, and the purchases subgraph could still miss the product. So tokens are
 * merged partition by partition (the later offset wins), as the gateway merges them itself. Should
 * the format ever change, a token that does not decode simply replaces the older one.
 */
export function mergeConsistencyTokens(a: string | undefined, b: string): string {
  if (a === undefined || a === b) return b;
  const older = decode(a);
  const newer = decode(b);
  if (!older || !newer) return b;
  const merged: Offsets = {};
  for (const source of [older, newer]) {
    for (const [topic, partitions] of Object.entries(source)) {
      const target = (merged[topic] ??= {});
      for (const [partition, offset] of Object.entries(partitions)) target[partition] = Math.max(target[partition] ?? 0, offset);
    }
  }
  return Buffer.from(JSON.stringify(merged), 'utf8').toString('base64url');
}
