/**
 * Answers to queries, each kept for as long as nothing it read has changed. Keys are exact
 * (operation, variables, role); every entry also records what it read (its _reads_: opaque
 * strings, see response-cache-reads.ts) and the _mark_ it was made at: how many changes the
 * cache had been told of when its request was looked up. The change feed tells the cache of
 * every change it applies, with the reads that change touches; an entry is served only while no
 * change told after its mark touched any of its reads.
 *
 * Which answers may be stored, what they read and when one may be served is the gateway's
 * business (see docs/decisions/0011-response-cache.md and 0020-response-cache-by-what-it-read.md).
 * Bounded in entries and bytes, least recently used first; the last change of at most
 * `maxTrackedReads` reads is remembered, and a read forgotten counts as changed as late as the
 * latest one forgotten, so forgetting only ever makes an entry look older, never newer.
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
  /** Reads whose last change is remembered (about 100 bytes each). Default 200,000. */
  readonly maxTrackedReads?: number;
}

export interface ResponseCacheStats {
  readonly entries: number;
  readonly bytes: number;
  readonly hits: number;
  readonly misses: number;
  /** Changes the cache was told of. */
  readonly changes: number;
  /** Entries found but no longer valid (something they read changed), and dropped. */
  readonly invalidated: number;
}

interface Entry {
  readonly response: CachedResponse;
  readonly mark: number;
  readonly reads: readonly string[];
  readonly size: number;
}

const sizeOf = (key: string, response: CachedResponse, reads: readonly string[]): number =>
  2 * (key.length + response.body.length) + reads.reduce((sum, read) => sum + 2 * read.length + 16, 0) + 200;

export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  /** Read → the count of changes when it last changed. */
  private readonly lastChanged = new Map<string, number>();
  /** What a read no longer in `lastChanged` is assumed to have last changed at. */
  private forgottenAt = 0;
  private changes = 0;
  private bytes = 0;
  private hits = 0;
  private misses = 0;
  private invalidated = 0;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly maxTrackedReads: number;

  constructor({ maxEntries = 1000, maxBytes = 32 * 1024 * 1024, maxTrackedReads = 200_000 }: ResponseCacheOptions = {}) {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    this.maxTrackedReads = Math.max(1, maxTrackedReads);
  }

  /**
   * The mark a request looked up now is made at. It must be taken in the same synchronous step
   * as the position the request is then answered at: the cache must have been told of exactly
   * the changes that position includes.
   */
  mark(): number {
    return this.changes;
  }

  /** One change, with every read it touches; in the order the feed applies them. */
  changed(reads: Iterable<string>): void {
    const at = ++this.changes;
    // Set in place: deleting and adding a key again to keep the Map in order of change cost about
    // 2.5 µs a read in V8 (its table fills with holes), minutes of gateway CPU over the catch-up
    // on a million purchases.
    for (const read of reads) this.lastChanged.set(read, at);
    if (this.lastChanged.size > this.maxTrackedReads) this.forgetOldest();
  }

  /**
   * Forgets the reads that changed longest ago, down to nine tenths of the bound (of a bound of 10
   * or more), so that this runs once per many new reads; a forgotten read counts as changed at the
   * latest of them.
   */
  private forgetOldest(): void {
    const keep = this.maxTrackedReads - Math.floor(this.maxTrackedReads / 10);
    const byAge = [...this.lastChanged].sort((a, b) => a[1] - b[1]);
    for (const [read, changedAt] of byAge.slice(0, byAge.length - keep)) {
      this.lastChanged.delete(read);
      this.forgottenAt = Math.max(this.forgottenAt, changedAt);
    }
  }

  /** The answer stored for `key`, if nothing it read has changed since it was made. */
  get(key: string): CachedResponse | undefined {
    const found = this.entries.get(key);
    if (found && !this.isValid(found)) {
      this.drop(key, found);
      this.invalidated++;
    } else if (found) {
      this.hits++;
      // Most recently used last: Map keeps insertion order.
      this.entries.delete(key);
      this.entries.set(key, found);
      return found.response;
    }
    this.misses++;
    return undefined;
  }

  /**
   * Stores an answer made at `mark` (from {@link mark}, taken when its request was looked up)
   * that read `reads`; one a change has already made stale is not stored.
   */
  set(key: string, mark: number, reads: readonly string[], response: CachedResponse): void {
    const entry: Entry = { response, mark, reads, size: sizeOf(key, response, reads) };
    if (entry.size > this.maxBytes || !this.isValid(entry)) return;
    const previous = this.entries.get(key);
    if (previous) this.drop(key, previous);
    this.entries.set(key, entry);
    this.bytes += entry.size;
    for (const [oldest, old] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.drop(oldest, old);
    }
  }

  stats(): ResponseCacheStats {
    return {
      entries: this.entries.size,
      bytes: this.bytes,
      hits: this.hits,
      misses: this.misses,
      changes: this.changes,
      invalidated: this.invalidated,
    };
  }

  private isValid(entry: Entry): boolean {
    // Nothing was forgotten since the entry was made, and no read of it changed since.
    if (this.forgottenAt > entry.mark) return false;
    for (const read of entry.reads) if ((this.lastChanged.get(read) ?? 0) > entry.mark) return false;
    return true;
  }

  private drop(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.size;
  }
}
