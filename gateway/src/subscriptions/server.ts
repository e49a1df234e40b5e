import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import {
  GraphQLError,
  Kind,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import type { ApolloServer } from '@apollo/server';
import { formatError, toGraphQLError, type Logger } from '@shop/event-core';
import type { GatewayContext } from '../data-source.ts';
import type { ChangeFeed } from './change-feed.ts';
import { holderOf, originAllowed, unresolvedOperation, withoutSuggestions, type Role, type TokenHolder } from '../security.ts';
import type { AdmittedDocument } from '../trusted-documents.ts';
import { createSubscriptionEngine, type Payload, type Subscription, type SubscriptionSink } from './engine.ts';
import { createOperationCache } from './operations.ts';
import { ENTITY_VARIABLE } from './plan.ts';

export interface SubscriptionLimits {
  /** Subscriptions one socket may hold at once. Default 100. */
  readonly maxSubscriptionsPerSocket?: number;
  /** Largest message a client may send, in bytes. Default 64 KiB. */
  readonly maxMessageBytes?: number;
  /** How long a client has to send `connection_init`, in ms. Default 10000. */
  readonly connectionInitTimeoutMs?: number;
  /**
   * Bytes a socket may have waiting to be written before its subscriptions wait for it. Default 1 MiB.
   */
  readonly socketHighWaterBytes?: number;
  /**
   * Changes a live subscription may have waiting (its socket not writing them out) before it ends
   * with UNAVAILABLE, for the client to subscribe again with `after`. Default 10000.
   */
  readonly maxQueuedChanges?: number;
}

export interface SubscriptionServerOptions extends SubscriptionLimits {
  readonly httpServer: Server;
  readonly path: string;
  readonly apollo: ApolloServer<GatewayContext>;
  /** The client-facing schema, Subscription type included, to validate operations against. */
  readonly apiSchema: GraphQLSchema;
  readonly feed: ChangeFeed;
  readonly logger: Logger;
  /** Extra validation rules, the same as Apollo Server's for queries. */
  readonly validationRules?: readonly ValidationRule[];
  /** Tokens a client must present in `connection_init` (`{ authorization: 'Bearer …' }`); none: open. */
  readonly tokens?: ReadonlyMap<string, Role | TokenHolder>;
  /** Origins allowed to connect (the gateway's own and any extra ones); asked at each connection. */
  readonly allowedOrigins: () => ReadonlySet<string>;
  /** Production: errors carry no field suggestions and no internals. */
  readonly production?: boolean;
  /** Largest document, in tokens, like the HTTP parser's limit. Default 3000. */
  readonly maxTokens?: number;
  /** The checks Apollo Server runs with an operation's variables (scalar values, cost); throw to refuse. */
  readonly checkOperation?: (
    schema: GraphQLSchema,
    document: DocumentNode,
    operationName: string | null | undefined,
    variables: Readonly<Record<string, unknown>>,
  ) => void;
  /**
   * Which document an operation runs (its text, or the hash of a trusted document), or why it
   * may not run (trusted documents). Default: the text sent, parsed and validated here.
   */
  readonly admitDocument?: (
    request: { query: string; extensions?: unknown; operationName?: string | null | undefined },
    role: Role | undefined,
  ) => AdmittedDocument | GraphQLError;
}

interface SocketState {
  /** Operations accepted and not yet ended, by id: taken when one is accepted, so a burst cannot pass the limit. */
  readonly operations: Set<string>;
  holder?: TokenHolder;
}

interface OperationContext {
  readonly socket?: WebSocket;
  /** The operation's id on its socket, as JSON. */
  readonly id?: string;
  readonly holder?: TokenHolder;
  /** Why the operation was refused; it is then answered with these errors and nothing runs. */
  readonly refusal?: readonly GraphQLError[];
}

/*
 * A refused operation still goes through graphql-ws as a (never executed) placeholder, and its
 * errors are raised from there. Returning errors from `onSubscribe` would rely on graphql-ws's
 * `instanceof GraphQLError`, which fails whenever two copies of graphql are loaded (its CommonJS
 * and ESM builds, as under test runners and bundlers).
 */
const REFUSED_SUBSCRIPTION = parse('subscription Refused { __typename }');
const REFUSED_QUERY = parse('query Refused { __typename }');

/** Carries an operation's errors through graphql-ws, which wraps whatever a subscription throws. */
class OperationFailed extends Error {
  constructor(readonly errors: readonly GraphQLFormattedError[]) {
    super(errors.map((e) => e.message).join('; '));
  }
}

/** An iterator that fails at once: graphql-ws sends its errors as the operation's `error`. */
function failing(errors: readonly (GraphQLError | GraphQLFormattedError)[]): AsyncIterableIterator<ExecutionResult> {
  const error = new OperationFailed(errors.map(plainError));
  return {
    next: () => Promise.reject(error),
    return: () => Promise.resolve({ done: true, value: undefined }),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * What graphql-ws iterates for a subscription whose payloads the engine writes to the socket itself:
 * nothing, until the subscription ends (graphql-ws then sends `complete`) or fails (`error`).
 * graphql-ws calls `return` when the client completes it or the socket closes.
 */
function untilEnded(subscription: Subscription): AsyncIterableIterator<ExecutionResult> {
  return {
    // Not an async function: ten thousand idle subscriptions would each hold one suspended.
    next: () => subscription.ended.then((error) => (error ? Promise.reject(error) : { value: undefined, done: true as const })),
    return: async () => {
      await subscription.stop();
      return { value: undefined, done: true };
    },
    throw: async (error?: unknown) => {
      await subscription.stop();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * A socket as a subscription's sink: each payload, serialized once for all its subscribers, is
 * written as this operation's `next` message, with no copy of the result per socket.
 */
class SocketSink implements SubscriptionSink {
  constructor(
    private readonly socket: WebSocket,
    private readonly id: string,
    private readonly highWaterBytes: number,
  ) {}
  next(payload: Payload, written?: () => void): void {
    this.socket.send(`{"id":${this.id},"type":"next","payload":${payload.json}}`, written);
  }
  full(): boolean {
    return this.socket.bufferedAmount > this.highWaterBytes;
  }
}

/** The error with `code`, unless it has one (graphql-armor's limits have none). */
const withCode = (error: GraphQLError, code: string): GraphQLError =>
  error.extensions?.code
    ? error
    : new GraphQLError(error.message, { nodes: error.nodes ?? null, extensions: { ...error.extensions, code } });

/**
 * An error as JSON: GraphQLErrors (of any copy of graphql) by their own `toJSON`, the formatted
 * plain objects Apollo Server hands back as they are, anything else by its message.
 */
function plainError(error: GraphQLError | GraphQLFormattedError | Error): GraphQLFormattedError {
  if ('toJSON' in error && typeof error.toJSON === 'function') return (error as GraphQLError).toJSON();
  const { message, locations, path, extensions } = error as GraphQLFormattedError;
  return {
    message: String(message),
    ...(locations ? { locations } : {}),
    ...(path ? { path } : {}),
    ...(extensions ? { extensions } : {}),
  };
}

/**
 * `graphql-ws` on the gateway's HTTP server and path. Subscriptions are served from the change
 * feed and hydrated through Apollo Server (so its limits and rules apply to them); queries and
 * mutations sent over the socket go through Apollo Server too.
 */
export function startSubscriptionServer({
  httpServer,
  path,
  apollo,
  apiSchema,
  feed,
  logger,
  validationRules = [],
  tokens,
  allowedOrigins,
  production = false,
  checkOperation = () => undefined,
  admitDocument = ({ query }) => ({ text: query, hash: '' }),
  maxTokens = 3000,
  maxSubscriptionsPerSocket = 100,
  maxMessageBytes = 64 * 1024,
  connectionInitTimeoutMs = 10_000,
  socketHighWaterBytes = 1024 * 1024,
  maxQueuedChanges = 10_000,
}: SubscriptionServerOptions): {
  close(): Promise<void>;
  stats(): { active: number; hydrations: number; delivered: number };
  replayStats(): { reading: number; waiting: number };
} {
  const wsServer = new WebSocketServer({ server: httpServer, path, maxPayload: maxMessageBytes });
  const sockets = new WeakMap<object, SocketState>();
  const rules = [...specifiedRules, ...validationRules];
  const format = formatError(production);
  /**
   * Every error a socket sends, as HTTP would send it: a public code, no stack trace, no field
   * suggestions or internals in production. An error belongs to its operation: it is sent as that
   * operation's `next` or `error` message, never as a reason to close the socket.
   */
  const publicErrors = (errors: readonly (GraphQLError | GraphQLFormattedError | Error)[]): GraphQLFormattedError[] =>
    errors
      .flatMap((error) => {
        const original = (error as GraphQLError).originalError;
        if (original instanceof OperationFailed) return original.errors;
        // What a subscription threw, which graphql-ws wrapped without its code.
        if (original && 'extensions' in original) return [plainError(original as GraphQLError)];
        if (original) return [plainError(toGraphQLError(original))];
        return [plainError(error)];
      })
      .map((error) => {
        const { stacktrace: _stacktrace, ...extensions } = error.extensions ?? {};
        const formatted = format({ ...error, extensions }, error);
        return production ? withoutSuggestions(formatted) : formatted;
      });
  const engine = createSubscriptionEngine({
    feed,
    logger,
    maxQueued: maxQueuedChanges,
    // Once per change and selection, as graphql-ws's onNext would have it for every socket.
    serialize: (result) => JSON.stringify(result.errors?.length ? { ...result, errors: publicErrors(result.errors) } : result),
    hydrate: async (plan, change) => {
      const response = await apollo.executeOperation(
        { query: plan.queryText!, variables: { ...plan.variables, [ENTITY_VARIABLE]: change.entityId } },
        // At least the state after the change in every subgraph, aggregates as of it exactly.
        {
          contextValue: {
            correlationId: change.correlationId ?? randomUUID(),
            written: {},
            requested: change.position,
            readAt: change.position,
            internal: true,
          },
        },
      );
      if (response.body.kind !== 'single') return { errors: [new GraphQLError('unexpected incremental result')] };
      return response.body.singleResult as ExecutionResult;
    },
  });

  const operationCache = createOperationCache(apiSchema, feed.fields, (text) => {
    let document: DocumentNode;
    try {
      document = parse(text, { maxTokens });
    } catch (error) {
      return { errors: [withCode(error as GraphQLError, 'GRAPHQL_PARSE_FAILED')] };
    }
    return { document, errors: validate(apiSchema, document, rules).map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED')) };
  });
  /** Ends an operation's hold on its socket's limit; called once it completes or fails, harmless twice. */
  const release = (socket: object, id: string) => sockets.get(socket)?.operations.delete(id);

  const disposable = useServer<Record<string, unknown>, { state?: SocketState }>(
    {
      schema: apiSchema,
      connectionInitWaitTimeout: connectionInitTimeoutMs,
      onConnect: (ctx) => {
        // Returning false closes the socket with 4403 Forbidden.
        // The Origin is compared with the gateway's own origins, never with the Host header, which
        // the same page sets (a DNS-rebinding page is its own origin and host at once).
        if (!originAllowed(ctx.extra.request.headers.origin, allowedOrigins())) return false;
        let holder: TokenHolder | undefined;
        if (tokens) {
          const params = ctx.connectionParams ?? {};
          const given =
            typeof params.authorization === 'string'
              ? params.authorization
              : typeof params.token === 'string'
                ? `Bearer ${params.token}`
                : undefined;
          const found = holderOf(tokens, given);
          if (!found) return false;
          holder = found;
        }
        sockets.set(ctx.extra.socket, { operations: new Set(), ...(holder ? { holder } : {}) });
        // The upgrade request was needed for the checks above only; graphql-ws would otherwise
        // hold it, headers and all, for as long as the socket is open.
        Reflect.deleteProperty(ctx.extra, 'request');
        return true;
      },
      onSubscribe: (ctx, id, payload) => {
        const refuse = (errors: readonly GraphQLError[], operation: 'query' | 'subscription') => ({
          schema: apiSchema,
          document: operation === 'subscription' ? REFUSED_SUBSCRIPTION : REFUSED_QUERY,
          contextValue: { refusal: errors } satisfies OperationContext,
        });
        const state = sockets.get(ctx.extra.socket);
        const admitted = admitDocument(payload, state?.holder?.role);
        if (admitted instanceof Error) return refuse([admitted], 'subscription');
        // A trusted document was parsed and validated at start, any other once per distinct text.
        const checked = admitted.document ? { document: admitted.document, errors: [] } : operationCache.document(admitted.text);
        const document = checked.document;
        if (!document) return refuse(checked.errors, 'subscription');
        const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
        const resolvable = payload.operationName
          ? operations.some((o) => o.name?.value === payload.operationName)
          : operations.length === 1;
        if (!resolvable) return refuse([unresolvedOperation(document, payload.operationName)], 'query');
        const isSubscription = document.definitions.some(
          (d) =>
            d.kind === Kind.OPERATION_DEFINITION &&
            d.operation === 'subscription' &&
            (!payload.operationName || d.name?.value === payload.operationName),
        );
        const operation = isSubscription ? 'subscription' : 'query';
        if (checked.errors.length > 0) return refuse(checked.errors, operation);
        // Queries and mutations get these checks from Apollo Server; subscriptions never reach it.
        if (isSubscription) {
          try {
            checkOperation(apiSchema, document, payload.operationName, payload.variables ?? {});
          } catch (error) {
            return refuse([error as GraphQLError], operation);
          }
        }
        // Counted here, synchronously, before anything is awaited: operations sent in one burst
        // are each checked against the count that includes the ones before them.
        if (state && state.operations.size >= maxSubscriptionsPerSocket) {
          return refuse(
            [
              new GraphQLError(
                `at most ${maxSubscriptionsPerSocket} subscriptions (and other operations) per connection at once: complete one, or open another connection`,
                { extensions: { code: 'BAD_USER_INPUT' } },
              ),
            ],
            operation,
          );
        }
        state?.operations.add(id);
        return {
          schema: apiSchema,
          document,
          variableValues: payload.variables ?? {},
          operationName: payload.operationName ?? null,
          contextValue: {
            socket: ctx.extra.socket,
            id: JSON.stringify(id),
            ...(state?.holder ? { holder: state.holder } : {}),
          } satisfies OperationContext,
        };
      },
      subscribe: (args) => {
        const context = args.contextValue as OperationContext;
        if (context.refusal) return failing(context.refusal);
        let plan;
        try {
          plan = operationCache.plan(args.document, args.operationName, (args.variableValues ?? {}) as Record<string, unknown>);
        } catch (error) {
          return failing([error as GraphQLError]);
        }
        // The engine writes the payloads to the socket itself, each serialized once for all.
        const socket = context.socket!;
        return untilEnded(engine.subscribe(plan, new SocketSink(socket, context.id!, socketHighWaterBytes), socket));
      },
      execute: async (args) => {
        const { refusal, holder } = args.contextValue as OperationContext;
        if (refusal) return { errors: refusal };
        const response = await apollo.executeOperation(
          {
            query: args.document,
            variables: (args.variableValues ?? {}) as Record<string, unknown>,
            ...(args.operationName ? { operationName: args.operationName } : {}),
          },
          {
            contextValue: {
              correlationId: randomUUID(),
              written: {},
              ...(holder ? { role: holder.role, actor: holder.name } : {}),
            },
          },
        );
        return response.body.kind === 'single'
          ? (response.body.singleResult as ExecutionResult)
          : { errors: [new GraphQLError('unexpected incremental result')] };
      },
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors?.length ? { ...result, errors: publicErrors(result.errors) } : undefined,
      onError: (ctx, id, _payload, errors) => {
        release(ctx.extra.socket, id);
        logger.debug({ errors: errors.map((e) => e.message) }, 'operation failed');
        return publicErrors(errors) as unknown as readonly GraphQLError[];
      },
      onComplete: (ctx, id) => {
        release(ctx.extra.socket, id);
      },
    },
    wsServer,
  );

  return {
    stats: engine.stats,
    replayStats: engine.replayStats,
    async close() {
      await disposable.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}
