import type { IncomingMessage } from 'node:http';
import { RemoteGraphQLDataSource, type GraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import {
  actorFrom,
  CONSISTENCY_HEADER,
  CORRELATION_HEADER,
  decodePosition,
  positionToken,
  mergePositions,
  NOT_SERVED_HEADER,
  PREFER_POSITION_HEADER,
  PREFERENCE_MISSED_HEADER,
  READ_AT_HEADER,
  requestHeader,
  SUBGRAPH_SECRET_HEADER,
  traceHeaders,
  type Position,
} from '@shop/event-core';

/** Per-request state of the gateway. */
export interface GatewayContext {
  /** Position the client asked for (its `X-Consistency-Token`), if any. */
  readonly requested?: Position;
  readonly correlationId: string;
  /**
   * Positions of events written by this request, merged; returned as `X-Consistency-Token`.
   * A holder, not a field: Apollo Server shallow-copies the context per operation.
   */
  readonly written: { position?: Position };
  /** Answer as of this position where a subgraph can (subscription payloads). */
  readonly readAt?: Position;
  /** The caller's role when tokens are configured. */
  readonly role?: 'viewer' | 'editor';
  /**
   * With tokens, the name of the token's holder: the actor its changes record. The client's
   * `X-Actor` then counts for nothing (it is free text anyone can send).
   */
  readonly actor?: string;
  /** The gateway's own operations (subscription hydration), authorized when they were subscribed. */
  readonly internal?: boolean;
  /**
   * Set for a request the response cache may keep the answer of: the position it would be kept
   * under, which every subgraph is asked for softly (`X-Prefer-Position`), whether it may be
   * kept (a holder: a subgraph that answered short of that position says so) and what it read.
   */
  readonly cache?: {
    readonly preferred?: Position;
    behind?: boolean;
    cacheable?: boolean;
    operationName?: string;
    operation?: string;
    /** What the subgraph fetches of the request read (response-cache-reads.ts). */
    reads?: string[];
  };
}

/** What the gateway reads of a client's request to make its context. */
export type RequestHeaders = Pick<IncomingMessage, 'headers'>;

/** The position a request's `X-Consistency-Token` asks for (its `requested`); throws when the token is malformed. */
export function requestedPosition(req: RequestHeaders): Position | undefined {
  const token = requestHeader(req, CONSISTENCY_HEADER);
  return token ? decodePosition(token) : undefined;
}

/** Who a client says it is; the subgraphs record it in the events a mutation writes. */
const ACTOR_HEADER = 'x-actor';

type Response = Awaited<ReturnType<GraphQLDataSource['process']>>;

/**
 * Calls one subgraph, carrying consistency both ways: every fetch asks for the client's token
 * merged with whatever this request has written so far, so the fetches that follow a mutation in
 * the same query plan read at least the state after it; and positions a subgraph reports come back.
 *
 * `process` is `RemoteGraphQLDataSource.process` without what this gateway never uses (automatic
 * persisted queries, subgraph cache hints: its responses carry no cache policy) and without the
 * `node-fetch` Headers and Request it builds per call: the same request, body and error handling.
 */
export class ConsistentDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    config: ConstructorParameters<typeof RemoteGraphQLDataSource<GatewayContext>>[0],
    /** Proves to the subgraph that the call comes from the gateway. */
    private readonly secret?: string,
  ) {
    super(config);
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<Response> {
    const { request } = options;
    if (!request.query) throw new Error('Missing query');
    const headers = this.headersFor(options);
    const response = await this.fetcher(this.url!, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        query: request.query,
        ...(request.operationName === undefined ? {} : { operationName: request.operationName }),
        ...(request.variables === undefined ? {} : { variables: request.variables }),
        ...(request.extensions === undefined ? {} : { extensions: request.extensions }),
      }),
    });
    if (!response.ok) {
      const error = await this.errorFromResponse(response);
      // The instance ran nothing of it (it is still replaying): another may take it.
      throw response.headers.has(NOT_SERVED_HEADER) ? Object.assign(error, { [NOT_SERVED]: true }) : error;
    }
    const body = await this.parseBody(response);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new Error(`Expected JSON response body, but received: ${String(body)}`);
    }
    const token = response.headers.get(CONSISTENCY_HEADER);
    const context = options.context as GatewayContext | undefined;
    if (context?.cache && response.headers.has(PREFERENCE_MISSED_HEADER)) context.cache.behind = true;
    if (token && context?.written) {
      const position = decodePosition(token);
      const { written } = context;
      written.position = written.position ? mergePositions(written.position, position) : position;
    }
    return { ...(body as Response), http: response };
  }

  private headersFor(options: GraphQLDataSourceProcessOptions<GatewayContext>): Record<string, string> {
    const headers: Record<string, string> = {};
    // Headers the query planner put on the request (none today), then ours.
    for (const [name, value] of options.request.http?.headers ?? []) headers[name.toLowerCase()] = value;
    headers['content-type'] = 'application/json';
    if (this.secret) headers[SUBGRAPH_SECRET_HEADER] = this.secret;
    // The trace context of the call (`traceparent`): @apollo/gateway's fetch span, when tracing is on.
    Object.assign(headers, traceHeaders());
    const context = options.context as GatewayContext | undefined;
    // Who made a change is recorded in its event (`meta.actor`) and shown by history: the token's
    // holder when tokens are on, else what the client says in X-Actor.
    const actor =
      context?.actor ??
      ('incomingRequestContext' in options ? options.incomingRequestContext.request.http?.headers.get(ACTOR_HEADER) : undefined);
    // Normalised here, at the edge: nothing a client sends may make an event the readers refuse.
    const cleanActor = actorFrom(actor ?? undefined);
    if (cleanActor) headers[ACTOR_HEADER] = cleanActor;
    if (!context?.written) return headers;
    const written = context.written.position;
    const wanted = context.requested && written ? mergePositions(context.requested, written) : (context.requested ?? written);
    if (wanted) headers[CONSISTENCY_HEADER] = positionToken(wanted);
    if (context.correlationId) headers[CORRELATION_HEADER] = context.correlationId;
    if (context.readAt) headers[READ_AT_HEADER] = positionToken(context.readAt);
    if (context.cache?.preferred) headers[PREFER_POSITION_HEADER] = positionToken(context.cache.preferred);
    return headers;
  }

  /** Keeps a subgraph's own error (message and code) when it answers with a non-2xx status. */
  override async errorFromResponse(response: Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0]): Promise<GraphQLError> {
    const fallback = await super.errorFromResponse(response.clone());
    try {
      const body = (await response.json()) as { errors?: { message?: string; extensions?: Record<string, unknown> }[] };
      const first = body.errors?.[0];
      if (first?.message && typeof first.extensions?.code === 'string') {
        return new GraphQLError(first.message, { extensions: { code: first.extensions.code } });
      }
    } catch {
      // Not a GraphQL error body: the generic error says what the status was.
    }
    return fallback;
  }
}

export type { GraphQLDataSourceProcessOptions };

/** Errors of a connection that was never made: the request reached no server, so nothing can have been stored. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** Connection failures after the request may have been sent: a query may go elsewhere, a mutation may not. */
const CONNECTION_LOST = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT']);

const connectionLost = (error: unknown): boolean => {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (typeof code === 'string' && CONNECTION_LOST.has(code)) || message === 'socket hang up';
};

/** A subgraph request the query planner made for a mutation (its operation says so first). */
const isMutation = (options: GraphQLDataSourceProcessOptions<GatewayContext>): boolean =>
  /^\s*mutation\b/.test(options.request.query ?? '');

/** Marks an error of an instance that answered without running anything of the request. */
const NOT_SERVED = Symbol('not served');

/** Did the request reach no instance, or one that ran nothing of it? Either way nothing can have been stored. */
const neverSent = (error: unknown): boolean => {
  if ((error as { [NOT_SERVED]?: boolean } | undefined)?.[NOT_SERVED]) return true;
  const code =
    (error as { code?: unknown; cause?: { code?: unknown } } | undefined)?.code ??
    (error as { cause?: { code?: unknown } })?.cause?.code;
  return typeof code === 'string' && NEVER_SENT.has(code);
};

/**
 * Spreads requests over the instances of one subgraph, in turn, and goes around one that cannot be
 * reached or is still replaying. A request whose connection was refused never reached the
 * instance, and one answered with `X-Not-Served` ran nothing there: nothing stored either way, so
 * it is sent to the next instance — a mutation too — and the client never learns that one
 * instance was down or starting. A query whose connection broke after it was sent goes to the
 * next instance as well (it changed nothing); a mutation's never does: it may have been stored. An instance that refused a connection is passed over for
 * `downMs`, then tried again; when every instance refuses, the request fails with the last error.
 */
export function roundRobin(
  sources: readonly Pick<GraphQLDataSource<GatewayContext>, 'process'>[],
  { downMs = 1_000, now = Date.now }: { readonly downMs?: number; readonly now?: () => number } = {},
): GraphQLDataSource<GatewayContext> {
  if (sources.length === 1) return sources[0]!;
  let next = 0;
  const downUntil = sources.map(() => 0);
  /** The next instance in turn that is not known to be down (the next in turn if all are). */
  const pick = (): number => {
    const at = now();
    for (let step = 0; step < sources.length; step++) {
      const index = (next + step) % sources.length;
      if (downUntil[index]! <= at) {
        next = (index + 1) % sources.length;
        return index;
      }
    }
    const index = next;
    next = (next + 1) % sources.length;
    return index;
  };
  return {
    process: async (options) => {
      let lastError: unknown;
      for (let tried = 0; tried < sources.length; tried++) {
        const index = pick();
        try {
          return await sources[index]!.process(options);
        } catch (error) {
          // Nothing stored: another instance may take it. A query changes nothing wherever it
          // ran: one whose connection broke (an instance killed mid-answer) goes on too.
          if (!neverSent(error) && (isMutation(options) || !connectionLost(error))) throw error;
          downUntil[index] = now() + downMs;
          lastError = error;
        }
      }
      throw lastError;
    },
  };
}
