/**
 * Answers to queries, kept for as long as the log has not moved. Keys are exact (operation,
 * variables, role); every entry also belongs to a generation of the log: a number that grows
 * with every record the gateway's change feed applies. An entry is served only in the generation
 * it was made in, so a new event makes every older answer unreachable, and they are dropped at
 * once. Bounded in entries and bytes, least recently used first. Which answers may be stored and
 * when one may be served is the gateway's business (see docs/decisions/0011-response-cache.md).
 */
export interface CachedResponse {
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
  /** For the operation log line of a hit. */
  readonly operationName?: string;
}

export interface ResponseCacheOptions {
  /** Default 1000. */
  readonly maxEntries?: number;
  /** Bound on the bodies kept, in bytes (UTF-16: two per character). Default 32 MiB. */
  readonly maxBytes?: number;
}

export interface ResponseCacheStats {
  readonly entries: number;
  readonly bytes: number;
  readonly hits: number;
  readonly misses: number;
  readonly generation: number;
}

const sizeOf = (key: string, response: CachedResponse): number => 2 * (key.length + response.body.length) + 200;

export class ResponseCache {
  private readonly entries = new Map<string, CachedResponse>();
  private generation = -1;
  private bytes = 0;
  private hits = 0;
  private misses = 0;
  private readonly maxEntries: number;
  private readonly maxBytes: number;

  constructor({ maxEntries = 1000, maxBytes = 32 * 1024 * 1024 }: ResponseCacheOptions = {}) {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
  }

  /** The answer stored for `key` in `generation`, if any. */
  get(key: string, generation: number): CachedResponse | undefined {
    this.advance(generation);
    const found = generation === this.generation ? this.entries.get(key) : undefined;
    if (!found) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Most recently used last: Map keeps insertion order.
    this.entries.delete(key);
    this.entries.set(key, found);
    return found;
  }

  /** Stores an answer made in `generation`; one from an older generation is dropped. */
  set(key: string, generation: number, response: CachedResponse): void {
    this.advance(generation);
    if (generation !== this.generation) return;
    const size = sizeOf(key, response);
    if (size > this.maxBytes) return;
    const previous = this.entries.get(key);
    if (previous) {
      this.entries.delete(key);
      this.bytes -= sizeOf(key, previous);
    }
    this.entries.set(key, response);
    this.bytes += size;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= sizeOf(oldest, entry);
    }
  }

  stats(): ResponseCacheStats {
    return { entries: this.entries.size, bytes: this.bytes, hits: this.hits, misses: this.misses, generation: this.generation };
  }

  /** A newer generation makes every entry unreachable: drop them now rather than wait for eviction. */
  private advance(generation: number): void {
    if (generation <= this.generation) return;
    this.generation = generation;
    this.entries.clear();
    this.bytes = 0;
  }
}
