import { ApolloLink } from '@apollo/client';
import { tap } from 'rxjs';

/** The header of read-your-writes: the gateway sends it with every write. */
export const CONSISTENCY_HEADER = 'x-consistency-token';

type Offsets = Record<string, Record<string, number>>;

function decode(token: string): Offsets | undefined {
  try {
    const json = atob(token.replace(/-/g, '+').replace(/_/g, '/'));
    const value: unknown = JSON.parse(json);
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

const encode = (offsets: Offsets): string =>
  btoa(JSON.stringify(offsets)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/**
 * The token covering both `older` and `newer`. The gateway answers with the position of what one
 * request wrote, so after "create a product" then "create a customer" the latest token alone would
 * not make the purchases subgraph wait for the product. Tokens are merged partition by partition,
 * as the gateway merges them; a token that does not decode (a future format) replaces the older one.
 * The shell's client does the same (docs/decisions/0007).
 */
export function mergeConsistencyTokens(older: string | undefined, newer: string): string {
  if (older === undefined || older === newer) return newer;
  const [a, b] = [decode(older), decode(newer)];
  if (!a || !b) return newer;
  const merged: Offsets = {};
  for (const source of [a, b]) {
    for (const [topic, partitions] of Object.entries(source)) {
      const target = (merged[topic] ??= {});
      for (const [partition, offset] of Object.entries(partitions)) target[partition] = Math.max(target[partition] ?? 0, offset);
    }
  }
  return encode(merged);
}

/**
 * The position this tab's reads must include: every write it made, and every event it has shown
 * (a subscription payload's `position` is a token of the same kind). Merged partition by partition.
 */
export class ConsistencyToken {
  #token: string | undefined;

  get = (): string | undefined => this.#token;

  /** A write's `X-Consistency-Token`. */
  wrote(token: string): void {
    this.#token = mergeConsistencyTokens(this.#token, token);
  }

  /**
   * An event applied from the live feed: a list asked for again because of it must show it,
   * whichever instance answers. A position that does not decode is ignored: a read must never
   * wait for something this tab cannot name.
   */
  observe = (position: string): void => {
    if (decode(position)) this.wrote(position);
  };
}

/**
 * Read-your-writes for this tab: every HTTP request carries the merged position of the writes
 * this tab has made and the events it has shown, so a purchase of a product created a moment ago
 * is decided after the purchases subgraph has applied that product, and a page asked for because
 * of an event includes it.
 */
export function consistencyLink(token = new ConsistencyToken()): ApolloLink {
  return new ApolloLink((operation, forward) => {
    const sent = token.get();
    if (sent) {
      operation.setContext(({ headers }: { headers?: Record<string, string> }) => ({
        headers: { ...headers, [CONSISTENCY_HEADER]: sent },
      }));
    }
    return forward(operation).pipe(
      tap(() => {
        const response = operation.getContext()['response'] as { headers?: Headers } | undefined;
        const written = response?.headers?.get(CONSISTENCY_HEADER);
        if (written) token.wrote(written);
      }),
    );
  });
}
