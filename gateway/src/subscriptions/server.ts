import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import {
  GraphQLError,
  Kind,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import type { ApolloServer } from '@apollo/server';
import type { Logger } from '@shop/event-core';
import type { GatewayContext } from '../data-source.ts';
import type { ChangeFeed } from './change-feed.ts';
import { originAllowed, roleOf, type Role } from '../security.ts';
import { createSubscriptionEngine } from './engine.ts';
import { ENTITY_VARIABLE, planSubscription } from './plan.ts';

export interface SubscriptionLimits {
  /** Subscriptions one socket may hold at once. Default 100. */
  readonly maxSubscriptionsPerSocket?: number;
  /** Largest message a client may send, in bytes. Default 64 KiB. */
  readonly maxMessageBytes?: number;
  /** How long a client has to send `connection_init`, in ms. Default 10000. */
  readonly connectionInitTimeoutMs?: number;
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
  readonly tokens?: ReadonlyMap<string, Role>;
  /** Origins allowed to connect; default: the gateway's own. */
  readonly allowedOrigins?: readonly string[];
  /** Largest document, in tokens, like the HTTP parser's limit. Default 3000. */
  readonly maxTokens?: number;
}

interface SocketState {
  subscriptions: number;
  role?: Role;
}

interface OperationContext {
  readonly socket?: object;
  readonly role?: Role;
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

/** An iterator that fails at once: graphql-ws sends its message as the operation's `error`. */
function failing(errors: readonly GraphQLError[]): AsyncIterableIterator<ExecutionResult> {
  const error = new Error(errors.map((e) => e.message).join('; '));
  return {
    next: () => Promise.reject(error),
    return: () => Promise.resolve({ done: true, value: undefined }),
    [Symbol.asyncIterator]() {
      return this;
    },
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
  maxTokens = 3000,
  maxSubscriptionsPerSocket = 100,
  maxMessageBytes = 64 * 1024,
  connectionInitTimeoutMs = 10_000,
}: SubscriptionServerOptions): { close(): Promise<void>; stats(): { active: number; hydrations: number; delivered: number } } {
  const engine = createSubscriptionEngine({
    feed,
    logger,
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

  const wsServer = new WebSocketServer({ server: httpServer, path, maxPayload: maxMessageBytes });
  const sockets = new WeakMap<object, SocketState>();
  const rules = [...specifiedRules, ...validationRules];

  const disposable = useServer<Record<string, unknown>, { state?: SocketState }>(
    {
      schema: apiSchema,
      connectionInitWaitTimeout: connectionInitTimeoutMs,
      onConnect: (ctx) => {
        // Returning false closes the socket with 4403 Forbidden.
        const { origin, host } = ctx.extra.request.headers;
        if (!originAllowed(origin, host, allowedOrigins)) return false;
        let role: Role | undefined;
        if (tokens) {
          const params = ctx.connectionParams ?? {};
          const given =
            typeof params.authorization === 'string'
              ? params.authorization
              : typeof params.token === 'string'
                ? `Bearer ${params.token}`
                : undefined;
          const found = roleOf(tokens, given);
          if (!found) return false;
          role = found;
        }
        sockets.set(ctx.extra.socket, { subscriptions: 0, ...(role ? { role } : {}) });
        return true;
      },
      onSubscribe: (ctx, _id, payload) => {
        const refuse = (errors: readonly GraphQLError[], operation: 'query' | 'subscription') => ({
          schema: apiSchema,
          document: operation === 'subscription' ? REFUSED_SUBSCRIPTION : REFUSED_QUERY,
          contextValue: { refusal: errors } satisfies OperationContext,
        });
        let document: DocumentNode;
        try {
          document = parse(payload.query, { maxTokens });
        } catch (error) {
          return refuse([error as GraphQLError], 'subscription');
        }
        const isSubscription = document.definitions.some(
          (d) =>
            d.kind === Kind.OPERATION_DEFINITION &&
            d.operation === 'subscription' &&
            (!payload.operationName || d.name?.value === payload.operationName),
        );
        const operation = isSubscription ? 'subscription' : 'query';
        const errors = validate(apiSchema, document, rules);
        if (errors.length > 0) return refuse(errors, operation);
        const state = sockets.get(ctx.extra.socket);
        if (isSubscription && state && state.subscriptions >= maxSubscriptionsPerSocket) {
          return refuse([new GraphQLError(`at most ${maxSubscriptionsPerSocket} subscriptions per connection`)], operation);
        }
        return {
          schema: apiSchema,
          document,
          variableValues: payload.variables ?? {},
          operationName: payload.operationName ?? null,
          contextValue: { socket: ctx.extra.socket, ...(state?.role ? { role: state.role } : {}) } satisfies OperationContext,
        };
      },
      subscribe: (args) => {
        const context = args.contextValue as OperationContext;
        if (context.refusal) return failing(context.refusal);
        let plan;
        try {
          plan = planSubscription(
            args.schema,
            args.document,
            args.operationName,
            (args.variableValues ?? {}) as Record<string, unknown>,
          );
        } catch (error) {
          return failing([error as GraphQLError]);
        }
        const state = context.socket ? sockets.get(context.socket) : undefined;
        if (state) state.subscriptions++;
        const iterator = engine.stream(plan);
        let released = false;
        const release = () => {
          if (state && !released) state.subscriptions--;
          released = true;
        };
        return {
          next: () => iterator.next().then((r) => (r.done && release(), r)),
          return: (value?: unknown) => (release(), iterator.return!(value)),
          throw: (error?: unknown) => (release(), iterator.throw!(error)),
          [Symbol.asyncIterator]() {
            return this;
          },
        } as AsyncIterableIterator<ExecutionResult>;
      },
      execute: async (args) => {
        const { refusal, role } = args.contextValue as OperationContext;
        if (refusal) return { errors: refusal };
        const response = await apollo.executeOperation(
          {
            query: args.document,
            variables: (args.variableValues ?? {}) as Record<string, unknown>,
            ...(args.operationName ? { operationName: args.operationName } : {}),
          },
          { contextValue: { correlationId: randomUUID(), written: {}, ...(role ? { role } : {}) } },
        );
        return response.body.kind === 'single'
          ? (response.body.singleResult as ExecutionResult)
          : { errors: [new GraphQLError('unexpected incremental result')] };
      },
      onError: (_ctx, _id, _payload, errors) => {
        logger.debug({ errors: errors.map((e) => e.message) }, 'subscription refused');
      },
    },
    wsServer,
  );

  return {
    stats: engine.stats,
    async close() {
      await disposable.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}
