import { RemoteGraphQLDataSource, type GraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import {
  CONSISTENCY_HEADER,
  CORRELATION_HEADER,
  decodePosition,
  encodePosition,
  mergePositions,
  READ_AT_HEADER,
  SUBGRAPH_SECRET_HEADER,
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
  /** The gateway's own operations (subscription hydration), authorized when they were subscribed. */
  readonly internal?: boolean;
}

/** Who a client says it is; the subgraphs record it in the events a mutation writes. */
const ACTOR_HEADER = 'x-actor';

type Request = Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['willSendRequest']>>[0];
type Response = Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['didReceiveResponse']>>[0];

/**
 * Calls one subgraph, carrying consistency both ways: every fetch asks for the client's token
 * merged with whatever this request has written so far, so the fetches that follow a mutation in
 * the same query plan read at least the state after it; and positions a subgraph reports come back.
 */
export class ConsistentDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    config: ConstructorParameters<typeof RemoteGraphQLDataSource<GatewayContext>>[0],
    /** Proves to the subgraph that the call comes from the gateway. */
    private readonly secret?: string,
  ) {
    super(config);
  }

  override willSendRequest(options: Request): void {
    const { request, context } = options;
    const headers = request.http?.headers;
    if (!headers) return;
    if (this.secret) headers.set(SUBGRAPH_SECRET_HEADER, this.secret);
    // Who made a change is recorded in its event (`meta.actor`) and shown by history.
    const actor =
      'incomingRequestContext' in options ? options.incomingRequestContext.request.http?.headers.get(ACTOR_HEADER) : undefined;
    // Events refuse a longer actor (`meta.actor` is at most 200 characters): cut it, never poison the log.
    if (actor) headers.set(ACTOR_HEADER, actor.slice(0, 200));
    if (!context) return;
    const written = context.written.position;
    const wanted = context.requested && written ? mergePositions(context.requested, written) : (context.requested ?? written);
    if (wanted) headers.set(CONSISTENCY_HEADER, encodePosition(wanted));
    if (context.correlationId) headers.set(CORRELATION_HEADER, context.correlationId);
    if (context.readAt) headers.set(READ_AT_HEADER, encodePosition(context.readAt));
  }

  override didReceiveResponse({ response, context }: Response): typeof response {
    const token = response.http?.headers.get(CONSISTENCY_HEADER);
    if (token && context) {
      const position = decodePosition(token);
      const { written } = context;
      written.position = written.position ? mergePositions(written.position, position) : position;
    }
    return response;
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

/** Spreads requests over the instances of one subgraph, in turn. */
export function roundRobin(sources: readonly ConsistentDataSource[]): GraphQLDataSource<GatewayContext> {
  if (sources.length === 1) return sources[0]!;
  let next = 0;
  return {
    process: (options) => {
      const source = sources[next]!;
      next = (next + 1) % sources.length;
      return source.process(options);
    },
  };
}
