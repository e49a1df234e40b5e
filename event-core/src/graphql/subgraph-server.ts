import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import express from 'express';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, type DocumentNode } from 'graphql';
import type { EventMeta } from '../envelope.ts';
import { listen, requestHeader, sendError } from '../http/server.ts';
import { serviceRoutes, type MetricsAccess } from '../http/service-routes.ts';
import { observeMutation } from '../metrics.ts';
import type { Logger } from '../logger.ts';
import type { EventLog } from '../log/port.ts';
import { decodePosition, encodePosition, mergePositions, type Position } from '../position.ts';
import type { Projector } from '../projector.ts';
import { actorFrom, correlationIdFrom } from '../request-meta.ts';
import { inSpan, SpanKind } from '../tracing.ts';
import { formatError, toGraphQLError } from './errors.ts';
import { executeGraphQLPost, graphqlPostListener, sendGraphQLResponse } from './http.ts';

export const CONSISTENCY_HEADER = 'x-consistency-token';
export const CORRELATION_HEADER = 'x-correlation-id';
/** The shared secret the gateway sends; subgraphs configured with one refuse calls without it. */
export const SUBGRAPH_SECRET_HEADER = 'x-subgraph-secret';

/** Compares secrets in constant time, so response timing tells an attacker nothing. */
export function secretsMatch(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
/**
 * Asks for answers as of a position, where a subgraph can give them (the purchases subgraph's
 * aggregates). The gateway sends it when it hydrates a subscription payload, so the payload of a
 * customer's 5th purchase says `purchaseCount: 5` even if a 6th was applied meanwhile.
 */
export const READ_AT_HEADER = 'x-read-at';
/**
 * Asks a subgraph to answer at a position if it gets there soon, and to answer anyway if not:
 * the gateway's response cache sends its key's position (docs/decisions/0011-response-cache.md).
 * Unlike `X-Consistency-Token`, missing it is not an error: the answer then carries
 * {@link PREFERENCE_MISSED_HEADER}, and the gateway does not store it.
 */
export const PREFER_POSITION_HEADER = 'x-prefer-position';
/**
 * On an answer a subgraph gave without running anything of the request (it is still replaying its
 * events): whoever sent it may send it to another instance, a mutation too.
 */
export const NOT_SERVED_HEADER = 'x-not-served';
/** Set on an answer given before the subgraph reached its request's `X-Prefer-Position`. */
export const PREFERENCE_MISSED_HEADER = 'x-prefer-position-missed';

/** What every resolver of every subgraph receives. */
export interface SubgraphContext {
  /** Metadata for events written by this request. */
  readonly meta: EventMeta;
  /** Resolvers that write record their event's position here; it goes back as `X-Consistency-Token`. */
  recordPosition(position: Position): void;
  readonly logger: Logger;
  /** The position to answer as of (`X-Read-At`), for resolvers that can. */
  readonly readAt?: Position;
}

/** A module as `buildSubgraphSchema` takes it: its SDL and its resolvers. */
type SubgraphSchemaModule = Exclude<Extract<Parameters<typeof buildSubgraphSchema>[0], readonly unknown[]>[number], DocumentNode>;

/**
 * A resolver map as Apollo's `buildSubgraphSchema` takes it. Each subgraph types its own with the
 * `Resolvers` generated from its SDL (`npm run codegen:resolvers`), which fits this one.
 */
export type SubgraphResolvers = NonNullable<SubgraphSchemaModule['resolvers']>;

export interface SubgraphServerOptions {
  readonly name: string;
  readonly typeDefs: DocumentNode;
  readonly resolvers: SubgraphResolvers;
  readonly projector: Projector;
  readonly log: EventLog;
  readonly logger: Logger;
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Bound on waiting for a request's `X-Consistency-Token`, in ms. Default 5000. */
  readonly consistencyTimeoutMs?: number;
  /** Bound on waiting for a request's `X-Prefer-Position` before answering anyway, in ms. Default 500. */
  readonly preferredWaitMs?: number;
  /** Hides internal error details. Default false. */
  readonly production?: boolean;
  /** When set, `/graphql` answers only requests carrying it in `X-Subgraph-Secret` (the gateway). */
  readonly secret?: string;
}

export interface RunningSubgraph {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Largest request body a subgraph accepts. */
const MAX_BODY_BYTES = 1024 * 1024;

const GATEWAY_ONLY = 'subgraphs answer the gateway only';

/** Refuses a call that does not come from the gateway. */
const refuse = (res: ServerResponse): void => sendError(res, 401, 'UNAUTHENTICATED', GATEWAY_ONLY);

/**
 * With a secret, a subgraph's figures are for whoever holds it: the gateway, or a scraper that
 * sends it as a bearer token.
 */
const secretHolders = (secret: string): MetricsAccess => ({
  allows: (req) =>
    secretsMatch(
      requestHeader(req, SUBGRAPH_SECRET_HEADER) ?? /^Bearer (.+)$/i.exec(requestHeader(req, 'authorization') ?? '')?.[1],
      secret,
    ),
  refusal: GATEWAY_ONLY,
});

/**
 * The last tokens decoded: the gateway sends the same one to every subgraph call of a plan, and
 * every payload of one change is hydrated with it. Positions are never mutated once made.
 */
const recentTokens = new Map<string, Position>();
const decoded = (token: string): Position => {
  let position = recentTokens.get(token);
  if (!position) {
    position = decodePosition(token);
    if (recentTokens.size >= 256) recentTokens.clear();
    recentTokens.set(token, position);
  }
  return position;
};

interface RequestState extends SubgraphContext {
  /** A holder, not a field: Apollo Server shallow-copies the context per operation. */
  readonly written: { position?: Position };
  /** True when the request's `X-Prefer-Position` was not reached in time. */
  readonly preferenceMissed: boolean;
}

/** Times every mutation for `shop_mutation_seconds`. */
const mutationTimer = (service: string): ApolloServerPlugin<RequestState> => ({
  async requestDidStart() {
    const startedAt = performance.now();
    return {
      async willSendResponse({ operation, response, errors }) {
        if (operation?.operation !== 'mutation') return;
        const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
        const failed = Boolean(errors?.length || body?.errors?.length);
        const field = operation.selectionSet.selections.find((s) => s.kind === 'Field');
        observeMutation(
          service,
          field && 'name' in field ? field.name.value : 'mutation',
          (performance.now() - startedAt) / 1000,
          !failed,
        );
      },
    };
  },
});

/**
 * Writes the merged position of a request's events back as a response header, and says when the
 * answer was given short of the position the request preferred.
 */
const consistencyPlugin: ApolloServerPlugin<RequestState> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, response }) {
        if (contextValue.written.position)
          response.http.headers.set(CONSISTENCY_HEADER, encodePosition(contextValue.written.position));
        if (contextValue.preferenceMissed) response.http.headers.set(PREFERENCE_MISSED_HEADER, 'true');
      },
    };
  },
};

/**
 * The one way to serve a subgraph: Apollo Server 5 on Express with `/graphql`, `/healthz` and
 * `/readyz`. A request carrying `X-Consistency-Token` is executed only after this subgraph's
 * projector has applied that position.
 */
export async function startSubgraphServer(options: SubgraphServerOptions): Promise<RunningSubgraph> {
  const {
    name,
    typeDefs,
    resolvers,
    projector,
    log,
    logger,
    host = '127.0.0.1',
    port,
    consistencyTimeoutMs = 5000,
    preferredWaitMs = 500,
    production = false,
    secret,
  } = options;
  const app = express();
  app.disable('x-powered-by');
  const httpServer: Server = createServer();
  // The gateway's HTTP agent keeps idle sockets without a time limit, Node closes them after 5 s by
  // default, and a query sent on a socket as it closes fails with ECONNRESET: keep them far longer.
  httpServer.keepAliveTimeout = 65_000;
  httpServer.headersTimeout = 66_000;
  const server = new ApolloServer<RequestState>({
    schema: buildSubgraphSchema([{ typeDefs, resolvers }]),
    formatError: formatError(production),
    // The gateway makes its own errors from a subgraph's; a stack trace here would only cost bytes.
    includeStacktraceInErrorResponses: false,
    persistedQueries: false,
    introspection: true, // Shutdown is ours (handleShutdownSignals): Apollo's own SIGTERM handler would stop twice and hang.
    stopOnTerminationSignals: false,

    // Inline traces are for Apollo's hosted usage reporting, which this system does not use. Cache
    // hints would cost a hook per resolved field, for a `Cache-Control: no-store` that the only
    // caller, the gateway, does not read (its response cache is keyed by log positions instead).
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginInlineTraceDisabled(),
      // Apollo's landing page loads from its CDN: nothing this system serves loads from the internet.
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      consistencyPlugin,
      mutationTimer(name),
    ],
  });
  await server.start();

  app.use(
    serviceRoutes({
      service: name,
      readiness: async () => {
        const logHealthy = await log.healthy();
        return {
          ready: projector.isReady() && logHealthy,
          parts: { replayed: projector.isReady(), log: logHealthy ? 'up' : 'down' },
        };
      },
      ...(secret ? { metricsAccess: secretHolders(secret) } : {}),
    }),
  );
  const context = async (req: IncomingMessage): Promise<RequestState> => {
    if (!projector.isReady()) {
      // Refused before anything ran: the header tells the gateway so, and it sends the request
      // to another instance of the subgraph (a mutation too: nothing was decided, nothing stored).
      throw new GraphQLError(`the ${name} subgraph is still replaying its events; retry in a moment`, {
        extensions: {
          code: 'UNAVAILABLE',
          stored: 'NO',
          http: { status: 503, headers: new Map([[NOT_SERVED_HEADER, 'replaying']]) },
        },
      });
    }
    const token = requestHeader(req, CONSISTENCY_HEADER);
    const preferredToken = requestHeader(req, PREFER_POSITION_HEADER);
    const readAtToken = requestHeader(req, READ_AT_HEADER);
    let readAt: Position | undefined;
    let preferenceMissed = false;
    try {
      if (token) await projector.waitFor(decoded(token), consistencyTimeoutMs);
      if (preferredToken) {
        const preferred = decoded(preferredToken);
        // Only the wait may fail softly: a malformed token is refused like any other.
        await projector.waitFor(preferred, preferredWaitMs).catch(() => {
          preferenceMissed = true;
        });
      }
      readAt = readAtToken ? decoded(readAtToken) : undefined;
    } catch (error) {
      throw toGraphQLError(error);
    }
    const correlationId = correlationIdFrom(requestHeader(req, CORRELATION_HEADER));
    const actor = actorFrom(requestHeader(req, 'x-actor'));
    const written: RequestState['written'] = {};
    let child: Logger | undefined;
    return {
      meta: { correlationId, ...(actor ? { actor } : {}) },
      // A child logger per request costs more than most requests log: made on first use.
      get logger() {
        return (child ??= logger.child({ correlationId }));
      },
      ...(readAt ? { readAt } : {}),
      written,
      preferenceMissed,
      recordPosition(position) {
        written.position = written.position ? mergePositions(written.position, position) : position;
      },
    };
  };
  if (secret) {
    app.use('/graphql', (req, res, next) => {
      if (secretsMatch(req.header(SUBGRAPH_SECRET_HEADER), secret)) return next();
      refuse(res);
    });
  } else {
    logger.warn({ subgraph: name }, 'no SUBGRAPH_SECRET: this subgraph answers anyone who can reach it (development only)');
  }
  app.use('/graphql', express.json({ limit: MAX_BODY_BYTES }), expressMiddleware(server, { context: ({ req }) => context(req) }));
  // Every call from the gateway: a JSON POST, served without Express (see http.ts).
  httpServer.on(
    'request',
    graphqlPostListener({
      path: '/graphql',
      maxBodyBytes: MAX_BODY_BYTES,
      fallback: app,
      async handle(req, res, body) {
        if (secret && !secretsMatch(requestHeader(req, SUBGRAPH_SECRET_HEADER), secret)) return refuse(res);
        // The gateway's call continues its trace here (when tracing is on), down to the append.
        await inSpan(
          `${name} POST /graphql`,
          { kind: SpanKind.SERVER, continues: req.headers, attributes: { 'shop.subgraph': name } },
          async () => sendGraphQLResponse(res, await executeGraphQLPost(server, req, body, () => context(req))),
        );
      },
    }),
  );

  const { port: actualPort, url } = await listen(httpServer, { host, port, path: '/graphql' });
  logger.info({ subgraph: name, url }, `${name} subgraph listening on ${url}`);
  return {
    name,
    url,
    port: actualPort,
    async close() {
      await server.stop();
    },
  };
}
