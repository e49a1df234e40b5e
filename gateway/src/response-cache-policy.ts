/**
 * When an answer to a query over HTTP may come from the response cache, and which answers it
 * keeps (docs/decisions/0011-response-cache.md, 0020-response-cache-by-what-it-read.md):
 *
 * - Only queries. Whether a document (its text, or a trusted document's hash, and its operation
 *   name) holds one is learned from its first execution, which runs as if there were no cache.
 * - Never for a request that asks for a fresh answer (`Cache-Control: no-cache` or `no-store`) or
 *   that Apollo Server will refuse (no token or a bad one, a malformed consistency token).
 * - Served and filled only at a feed position that has reached the client's
 *   `X-Consistency-Token` and every write this gateway acknowledged.
 * - A miss asks every subgraph for the feed's position (`X-Prefer-Position`), and its answer is
 *   kept only if complete, without error, given by every subgraph at that position, and made of
 *   reads no change touched meanwhile ({@link ResponseCache}).
 * - Keys: the caller's role, the document, operation name, variables and extensions.
 */
import type { ApolloServerPlugin, HTTPGraphQLResponse } from '@apollo/server';
import { CONSISTENCY_HEADER, hasReached, mergePositions, requestHeader, type Position } from '@shop/event-core';
import { requestedPosition, type GatewayContext, type RequestHeaders } from './data-source.ts';
import { ResponseCache, type CachedResponse, type ResponseCacheOptions, type ResponseCacheStats } from './response-cache.ts';
import { readsTouchedBy } from './response-cache-reads.ts';
import type { Role } from './security.ts';
import type { ChangeFeed } from './subscriptions/change-feed.ts';
import { persistedHashOf } from './trusted-documents.ts';

/** Documents the response cache considers: at most this long, and this many remembered as queries or not. */
const MAX_CACHED_QUERY_LENGTH = 8 * 1024;
const MAX_KNOWN_DOCUMENTS = 2_000;

/** What the policy reads of the change feed: its position and topics, and every change it applies. */
export type CacheFeed = Pick<ChangeFeed, 'topics' | 'position' | 'listen'>;

/** A request's part in the cache, as its context carries it (`GatewayContext['cache']`). */
export type CacheHolder = NonNullable<GatewayContext['cache']>;

export interface ResponseCachePolicyOptions {
  /** Bounds of the cache. */
  readonly cache?: ResponseCacheOptions;
  /**
   * The role a request's token gives: undefined when the gateway has no tokens, null when the
   * request will be refused (its token is missing or not valid).
   */
  readonly roleOf: (req: RequestHeaders) => Role | null | undefined;
}

/** Where one request stands with the cache. */
export interface CacheTicket {
  /** The stored answer to send, when there is one. */
  readonly hit?: CachedResponse;
  /** For the request's context when it is executed: what it asks the subgraphs for, and what its execution tells. */
  readonly holder: CacheHolder;
  /** After the execution: learns whether the document is a query, and keeps the answer when it may. */
  settle(response: Pick<HTTPGraphQLResponse, 'status' | 'headers'>, body: string | undefined): void;
}

/** A request that may be answered from the cache: its key, the cache's mark and the position it is answered at. */
interface Lookup {
  readonly key: string;
  readonly mark: number;
  readonly position: Position;
  readonly hit: CachedResponse | undefined;
}

export class ResponseCachePolicy {
  private readonly cache: ResponseCache;
  private readonly roleOf: ResponseCachePolicyOptions['roleOf'];
  private feed: CacheFeed | undefined;
  private feedTopics: ReadonlySet<string> = new Set();
  /** The latest position of a write this gateway acknowledged. */
  private acknowledged: Position | undefined;
  /** Whether each document (text and operation name) executed as a query; bounded, relearned when full. */
  private readonly kinds = new Map<string, boolean>();

  constructor({ cache = {}, roleOf }: ResponseCachePolicyOptions) {
    this.cache = new ResponseCache(cache);
    this.roleOf = roleOf;
  }

  /**
   * From now on the cache is told of every change `feed` applies; until then nothing is served or
   * kept. Called once the feed has replayed: the changes applied before precede every entry.
   */
  follow(feed: CacheFeed): void {
    if (this.feed) throw new Error('the response cache already follows a change feed');
    // The feed applies each batch of records and moves its position in one synchronous step, so
    // the cache has been told of exactly the changes `feed.position()` includes whenever a request
    // is looked up.
    feed.listen((change) => this.cache.changed(readsTouchedBy(change)));
    this.feed = feed;
    this.feedTopics = new Set(feed.topics);
  }

  /** A write this gateway acknowledged at `position`: nothing older is served from now on. */
  acknowledge(position: Position): void {
    this.acknowledged = this.acknowledged ? mergePositions(this.acknowledged, position) : position;
  }

  /**
   * Where a GraphQL POST stands with the cache: undefined when it must not use it at all; else its
   * ticket, with the stored answer if there is one to serve.
   */
  consider(req: RequestHeaders, body: unknown): CacheTicket | undefined {
    const { feed } = this;
    if (!feed || typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
    const { query, operationName, variables, extensions } = body as Record<string, unknown>;
    // A trusted document sent by its hash is known by the hash.
    const source = typeof query === 'string' ? query : query === undefined ? persistedHashOf(extensions) : undefined;
    // Longer documents than any dashboard sends are not worth remembering (and bound `kinds`).
    if (source === undefined || source.length > MAX_CACHED_QUERY_LENGTH) return undefined;
    // A client may always ask for a fresh answer.
    if (/no-cache|no-store/i.test(requestHeader(req, 'cache-control') ?? '')) return undefined;
    // Refusals (no or a bad token, a bad consistency token) are Apollo Server's to answer.
    const role = this.roleOf(req);
    if (role === null) return undefined;
    let requested: Position | undefined;
    try {
      requested = requestedPosition(req);
    } catch {
      return undefined;
    }
    // Only a document once executed says which operation it holds: the first request of each
    // is executed as if there were no cache, and teaches it.
    const documentKey = JSON.stringify([source, operationName ?? null]);
    const isQuery = this.kinds.get(documentKey);
    if (isQuery === undefined) return this.ticket(documentKey);
    if (!isQuery) return undefined;
    const position = feed.position();
    // Older than the client's token or than a write this gateway acknowledged: not from here.
    if (requested && !hasReached(position, requested, this.feedTopics)) return undefined;
    if (this.acknowledged && !hasReached(position, this.acknowledged, this.feedTopics)) return undefined;
    const mark = this.cache.mark();
    const key = `${role ?? ''}\n${JSON.stringify([query ?? null, operationName ?? null, variables ?? null, extensions ?? null])}`;
    return this.ticket(documentKey, { key, mark, position, hit: this.cache.get(key) });
  }

  /** Entries, bytes, hits and misses of the cache. */
  stats(): ResponseCacheStats {
    return this.cache.stats();
  }

  private ticket(documentKey: string, lookup?: Lookup): CacheTicket {
    // A miss asks every subgraph for the position it would be stored under, and is stored only
    // if each one answered there: its answer is never older than its key says. A subgraph that
    // cannot get there soon (it lags, or the broker went away) answers from memory all the same,
    // and the answer is just not kept.
    const holder: CacheHolder = lookup ? { preferred: lookup.position } : {};
    return {
      ...(lookup?.hit ? { hit: lookup.hit } : {}),
      holder,
      settle: (response, body) => {
        if (holder.operation && !this.kinds.has(documentKey)) {
          if (this.kinds.size >= MAX_KNOWN_DOCUMENTS) this.kinds.clear();
          this.kinds.set(documentKey, holder.operation === 'query');
        }
        if (lookup && holder.cacheable && body !== undefined) {
          this.cache.set(lookup.key, lookup.mark, holder.reads ?? [], {
            status: response.status ?? 200,
            headers: [...response.headers],
            body,
            ...(holder.operationName ? { operationName: holder.operationName } : {}),
          });
        }
      },
    };
  }
}

/**
 * Marks the answers the response cache may keep: a query's, complete, without an error, that
 * wrote nothing and that every subgraph gave at the position asked for. After the plugin that
 * sets `X-Consistency-Token` on an answer that wrote.
 */
export const cacheablePlugin: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, operation, operationName, errors, response }) {
        const { cache } = contextValue;
        if (!cache) return;
        const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
        cache.cacheable =
          operation?.operation === 'query' &&
          !errors?.length &&
          body !== undefined &&
          !body.errors?.length &&
          (response.http.status ?? 200) === 200 &&
          !response.http.headers.has(CONSISTENCY_HEADER) &&
          !cache.behind;
        if (operationName) cache.operationName = operationName;
        if (operation) cache.operation = operation.operation;
      },
    };
  },
};
