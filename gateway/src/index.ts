import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { buildSchema } from 'graphql';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { printSchema, Supergraph } from '@apollo/federation-internals';
import {
  CONSISTENCY_HEADER,
  CORRELATION_HEADER,
  correlationIdFrom,
  decodePosition,
  encodePosition,
  executeGraphQLPost,
  formatError,
  graphqlPostListener,
  hasReached,
  inSpan,
  mergePositions,
  metricsText,
  registerProjectionMetrics,
  registerSubscriptionMetrics,
  sendGraphQLResponse,
  SpanKind,
  toGraphQLError,
  topicOf,
  type Config,
  type EventLog,
  type Logger,
  type Position,
  type SnapshotSettings,
  type SubgraphManifest,
  type TopicNames,
} from '@shop/event-core';
import { dashboardRouter } from '@shop/dashboard';
import { SUBGRAPHS, SUPERGRAPH_PATH, TOPICS } from '@shop/schema';
import { ConsistentDataSource, roundRobin, type GatewayContext } from './data-source.ts';
import { createHttpFetcher } from './http-fetcher.ts';
import { ChangeFeed } from './subscriptions/change-feed.ts';
import { startSubscriptionServer, type SubscriptionLimits } from './subscriptions/server.ts';
import { holderOf, ownOrigins, protection, roleOf, unauthenticated, type Role, type SecurityOptions } from './security.ts';
import { ResponseCache, type ResponseCacheOptions, type ResponseCacheStats } from './response-cache.ts';
import { readsTouchedBy, recordingReads } from './response-cache-reads.ts';
import { createTrustedDocuments, persistedHashOf } from './trusted-documents.ts';

export { ConsistentDataSource, type GatewayContext } from './data-source.ts';
export { CHANGE_FEED_SNAPSHOTS } from './subscriptions/change-feed.ts';
export type { Role, SecurityOptions, QueryLimits, TokenHolder } from './security.ts';
export { ResponseCache, type ResponseCacheOptions, type ResponseCacheStats } from './response-cache.ts';
export type { TrustedDocumentsMode, TrustedDocumentsOptions } from './trusted-documents.ts';

/** Documents the response cache considers: at most this long, and this many remembered as queries or not. */
const MAX_CACHED_QUERY_LENGTH = 8 * 1024;
const MAX_KNOWN_DOCUMENTS = 2_000;

/** Largest request body the gateway accepts; larger ones are refused with 413. */
const MAX_BODY_BYTES = 100 * 1024;

/** One request header as a string (Node joins repeated ones). */
const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
};

/** The gateway's security settings from the validated configuration. */
export function securityFrom(config: Config): NonNullable<GatewayOptions['security']> {
  return {
    allowIntrospection: config.NODE_ENV !== 'production' || config.ALLOW_INTROSPECTION,
    ...(config.AUTH_TOKENS ? { tokens: config.AUTH_TOKENS } : {}),
    ...(config.SUBGRAPH_SECRET ? { subgraphSecret: config.SUBGRAPH_SECRET } : {}),
    ...(config.ALLOWED_ORIGINS ? { allowedOrigins: config.ALLOWED_ORIGINS } : {}),
    ...(config.ERROR_STACK_TRACES ? { stackTraces: true } : {}),
    trustedDocuments: {
      // Production runs only what its clients ship unless told otherwise.
      mode: config.TRUSTED_DOCUMENTS ?? (config.NODE_ENV === 'production' ? 'enforce' : 'off'),
      anyDocumentRoles: config.TRUSTED_DOCUMENTS_ANY_ROLES ?? [],
    },
  };
}

/** The response cache `RESPONSE_CACHE_ENTRIES` and `RESPONSE_CACHE_MB` ask for; `false` when it is off. */
export function responseCacheFrom(config: Config): ResponseCacheOptions | false {
  if (config.RESPONSE_CACHE_ENTRIES === 0) return false;
  return { maxEntries: config.RESPONSE_CACHE_ENTRIES, maxBytes: config.RESPONSE_CACHE_MB * 1024 * 1024 };
}

export interface GatewayOptions {
  readonly logger: Logger;
  readonly host?: string;
  /** Default 4000; 0 picks a free port. */
  readonly port?: number;
  /**
   * Subgraph URLs; a subgraph not listed is called at the URL in the supergraph. Several URLs are
   * instances of one subgraph: requests go round-robin, and consistency tokens make any instance's
   * answer as fresh as the caller needs.
   */
  readonly subgraphUrls?: Readonly<Record<string, string | readonly string[]>>;
  /**
   * The manifests of the subgraphs the supergraph composes (default the shop's, `SUBGRAPHS`): the
   * topics each one follows (the response cache), the changes and subscription fields the change
   * feed serves.
   */
  readonly subgraphs?: readonly SubgraphManifest[];
  /** The composed supergraph SDL; default: the checked-in `schema/supergraph.graphql`. */
  readonly supergraphSdl?: string;
  readonly production?: boolean;
  /** Timeout of each subgraph readiness probe behind `/readyz`, in ms. Default 1000. */
  readonly readinessTimeoutMs?: number;
  /** The event log subscriptions are fed from; without one, the gateway serves no subscriptions. */
  readonly log?: EventLog;
  /** The topic of each subgraph, by its name; default the public ones (`eventbus.*`). */
  readonly topics?: TopicNames;
  readonly subscriptionLimits?: SubscriptionLimits;
  /** Tokens, subgraph secret, introspection, origins and query limits. Default: open, development. */
  readonly security?: Partial<Omit<SecurityOptions, 'production'>>;
  /**
   * Bounds of the response cache of queries over HTTP (docs/decisions/0011-response-cache.md), or
   * `false` for none. It needs `log`: without the change feed, nothing is cached.
   */
  readonly responseCache?: ResponseCacheOptions | false;
  /**
   * Snapshots of the change feed's state (docs/snapshots.md): a start reads only the events after
   * the newest one. Without them, every start replays the subgraphs' topics from the beginning.
   */
  readonly snapshots?: SnapshotSettings;
}

export interface RunningGateway {
  readonly url: string;
  readonly port: number;
  /**
   * Subscription counters: open subscriptions, hydration queries run, payloads delivered, and
   * replays reading the log now or waiting for their turn.
   */
  subscriptionStats(): { active: number; hydrations: number; delivered: number; replaysReading: number; replaysWaiting: number };
  /** Entries, bytes, hits and misses of the response cache; undefined when it is off. */
  responseCacheStats(): ResponseCacheStats | undefined;
  close(): Promise<void>;
}

// @apollo/gateway otherwise starts telemetry to Apollo and probes cloud metadata endpoints: no network at run time.
process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';

/**
 * Sends the position of everything a request wrote back to the client, and remembers the latest
 * such position: the response cache serves nothing older than a write this gateway acknowledged.
 */
const consistencyPlugin = (onWritten: (position: Position) => void): ApolloServerPlugin<GatewayContext> => ({
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, response }) {
        const { position } = contextValue.written;
        if (!position) return;
        onWritten(position);
        response.http.headers.set(CONSISTENCY_HEADER, encodePosition(position));
      },
    };
  },
});

/** Codes of errors a client's request caused; `INVALID_GRAPHQL` is the query planner's word for one. */
const CLIENT_ERROR_CODES = new Set([
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'INVALID_GRAPHQL',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'PERSISTED_QUERY_NOT_FOUND',
]);

/**
 * No client input yields a 5xx: an answer Apollo Server or the query planner would send as a
 * 500 whose every error is a client's mistake goes out as 400. (The known cases are refused
 * earlier, with better messages; this holds the rule for ones not seen yet.)
 */
const clientMistakesAre4xx: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, errors }) {
        if ((response.http.status ?? 200) < 500 || !errors?.length) return;
        if (errors.every((e) => CLIENT_ERROR_CODES.has(String(e.extensions?.code)))) response.http.status = 400;
      },
    };
  },
};

/** Marks the answers the response cache may keep: a query's, complete, without an error. */
const cacheablePlugin: ApolloServerPlugin<GatewayContext> = {
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

/**
 * One structured log line per operation, with the correlation id that also reaches the subgraphs,
 * the events they write (`meta.correlationId`) and the subscription payloads those events cause.
 */
const requestLog = (logger: Logger): ApolloServerPlugin<GatewayContext> => ({
  async requestDidStart({ contextValue }) {
    const startedAt = performance.now();
    return {
      async willSendResponse({ operation, operationName, errors }) {
        const entry = {
          correlationId: contextValue.correlationId,
          operation: operation?.operation,
          operationName: operationName ?? undefined,
          ms: Math.round((performance.now() - startedAt) * 10) / 10,
          ...(errors?.length ? { errors: errors.map((e) => e.extensions?.code ?? e.message) } : {}),
        };
        if (contextValue.internal) logger.debug(entry, 'subscription payload hydrated');
        else logger.info(entry, 'operation');
      },
    };
  },
});

/**
 * The gateway: `@apollo/gateway` on the supergraph composed ahead of time (no network at start),
 * Apollo Server 5 on Express, one port for `/graphql`, `/healthz` and `/readyz`.
 */
export async function startGateway({
  logger,
  host = '127.0.0.1',
  port = 4000,
  subgraphUrls = {},
  subgraphs = SUBGRAPHS,
  supergraphSdl = readFileSync(SUPERGRAPH_PATH, 'utf8'),
  production = false,
  readinessTimeoutMs = 1000,
  log,
  topics = TOPICS,
  subscriptionLimits = {},
  security: securityOptions = {},
  responseCache = {},
  snapshots,
}: GatewayOptions): Promise<RunningGateway> {
  const security: SecurityOptions = { allowIntrospection: !production, ...securityOptions, production };
  if (!security.tokens) logger.warn('no AUTH_TOKENS: the graph is open to anyone who can reach it (development only)');
  const guard = protection(security);
  const urls = new Map<string, string>();
  const fetcher = createHttpFetcher();
  // Rebuilt from its SDL with this module's graphql: federation-internals may load another copy.
  const apiSchema = buildSchema(printSchema(Supergraph.build(supergraphSdl).apiSchema()));
  const trusted = createTrustedDocuments(security.trustedDocuments ?? { mode: 'off' }, {
    schema: apiSchema,
    validationRules: guard.socketValidationRules,
    maxTokens: guard.parseOptions.maxTokens,
    logger: logger.child({ module: 'trusted-documents' }),
  });
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) => {
      const configured = subgraphUrls[name] ?? url;
      const targets = typeof configured === 'string' ? [configured] : [...(configured ?? [])];
      if (targets.length === 0) throw new Error(`no URL for subgraph ${name}`);
      targets.forEach((target, i) => urls.set(targets.length > 1 ? `${name}#${i + 1}` : name, target));
      // Not the default client (make-fetch-happen), which reuses sockets the subgraph has already
      // closed (ECONNRESET under load) and builds a stack trace per request; see http-fetcher.ts.
      const source = roundRobin(
        targets.map((target) => new ConsistentDataSource({ url: target, fetcher }, security.subgraphSecret)),
      );
      // A subgraph without a manifest may follow any topic.
      const known = subgraphs.find((subgraph) => subgraph.name === name);
      const follows = known ? known.follows.map((followed) => topicOf(topics, followed)) : Object.values(topics);
      return recordingReads(source, follows);
    },
  });
  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer();
  /** The latest position of a write this gateway acknowledged (see the response cache). */
  let acknowledged: Position | undefined;
  const server = new ApolloServer<GatewayContext>({
    gateway,
    formatError: formatError(production),
    // Stack traces (absolute paths, ~1.5 KB an error) only when asked for, and never in production.
    includeStacktraceInErrorResponses: !production && security.stackTraces === true,
    // Persisted queries are the trusted documents, read-only: a hash is looked up in the manifest,
    // never registered. Their parsed and validated documents are in the document store from the start.
    persistedQueries: trusted.persistedQueries,
    documentStore: trusted.documentStore,
    // Shutdown is ours (handleShutdownSignals): Apollo's own SIGTERM handler would stop twice and hang.
    stopOnTerminationSignals: false,
    introspection: security.allowIntrospection,
    // Apollo Server's defaults, stated because they are part of the defence: no batched requests
    // (one request, one operation) and CSRF prevention (no simple requests; GET never mutates).
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    validationRules: guard.validationRules,
    parseOptions: guard.parseOptions,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Apollo's landing page loads scripts and fonts from its CDN; a browser asking for /graphql
      // is sent to the local playground instead (below).
      ApolloServerPluginLandingPageDisabled(),
      clientMistakesAre4xx,
      consistencyPlugin((position) => {
        acknowledged = acknowledged ? mergePositions(acknowledged, position) : position;
      }),
      cacheablePlugin,
      requestLog(logger),
      ...guard.plugins,
    ],
  });
  await server.start();

  // Subscriptions: @apollo/gateway cannot execute them, so the gateway follows the log itself.
  const feed = log ? new ChangeFeed(topics, log, logger.child({ module: 'subscriptions' }), snapshots, subgraphs) : undefined;
  const subscriptions = feed
    ? startSubscriptionServer({
        httpServer,
        path: '/graphql',
        apollo: server,
        apiSchema,
        admitDocument: trusted.admit,
        feed,
        logger,
        validationRules: guard.socketValidationRules,
        checkOperation: guard.checkOperation,
        maxTokens: guard.parseOptions.maxTokens,
        production,
        ...(security.tokens ? { tokens: security.tokens } : {}),
        allowedOrigins: () => allowedOrigins,
        ...subscriptionLimits,
      })
    : undefined;
  await feed?.start();
  /** The gateway's own origins (known once it listens) and the configured extra ones. */
  let allowedOrigins: ReadonlySet<string> = new Set(security.allowedOrigins ?? []);

  const unregisterMetrics = [
    ...(feed ? [registerProjectionMetrics({ service: 'gateway', projector: feed.projector, log: log! })] : []),
    ...(subscriptions ? [registerSubscriptionMetrics({ service: 'gateway', stats: subscriptions.stats })] : []),
  ];
  app.get('/metrics', async (req, res) => {
    // With tokens, per-operation counts and latencies are for holders of a token, like the graph.
    if (security.tokens && !roleFor(req)) {
      res.status(401).json({
        errors: [{ message: 'send a valid token: Authorization: Bearer <token>', extensions: { code: 'UNAUTHENTICATED' } }],
      });
      return;
    }
    const { contentType, body } = await metricsText();
    res.type(contentType).send(body);
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', service: 'gateway' });
  });
  app.get('/readyz', async (_req, res) => {
    const checks = await Promise.all(
      [...urls].map(async ([name, url]) => {
        try {
          const response = await fetch(new URL('/readyz', url), { signal: AbortSignal.timeout(readinessTimeoutMs) });
          return [name, response.ok ? 'ready' : `not ready (${response.status})`] as const;
        } catch (error) {
          return [name, `unreachable (${(error as Error).message})`] as const;
        }
      }),
    );
    const feedReady = feed ? feed.isReady() : true;
    const ready = feedReady && checks.every(([, state]) => state === 'ready');
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not ready',
      service: 'gateway',
      subscriptions: feed ? (feedReady ? 'ready' : 'replaying') : 'off',
      // In production a probe learns no internal address or error, only which subgraph is not ready.
      subgraphs: Object.fromEntries(checks.map(([name, state]) => [name, production && state !== 'ready' ? 'not ready' : state])),
    });
  });
  const roleFor = (req: IncomingMessage): Role | null | undefined =>
    security.tokens ? roleOf(security.tokens, header(req, 'authorization')) : undefined;
  /** The position the client's `X-Consistency-Token` asks for; throws when it is malformed. */
  const requestedBy = (req: IncomingMessage): Position | undefined => {
    const token = header(req, CONSISTENCY_HEADER);
    return token ? decodePosition(token) : undefined;
  };
  /** The context of one HTTP request; `cache` when the response cache may keep its answer. */
  const contextFor = async (req: IncomingMessage, cache?: GatewayContext['cache']): Promise<GatewayContext> => {
    const holder = security.tokens ? holderOf(security.tokens, header(req, 'authorization')) : undefined;
    if (holder === null) throw unauthenticated('this token is not valid');
    let requested;
    try {
      requested = requestedBy(req);
    } catch (error) {
      throw toGraphQLError(error);
    }
    return {
      correlationId: correlationIdFrom(header(req, CORRELATION_HEADER)),
      written: {},
      ...(requested ? { requested } : {}),
      ...(holder ? { role: holder.role, actor: holder.name } : {}),
      ...(cache ? { cache } : {}),
    };
  };
  const cache = feed && responseCache ? new ResponseCache(responseCache) : undefined;
  // The feed applies each batch of records and moves its position in one synchronous step, so
  // the cache has been told of exactly the changes `feed.position()` includes whenever a request
  // is looked up. Changes applied before now precede every entry.
  if (cache) feed!.listen((change) => cache.changed(readsTouchedBy(change)));
  const feedTopics = new Set(feed?.topics);

  /** Whether each document (text and operation name) executed as a query; bounded, relearned when full. */
  const kinds = new Map<string, boolean>();
  /**
   * Where a request stands with the response cache: undefined when it must not use it at all;
   * otherwise its key, the cache's mark and the position it would be answered at, and the stored
   * answer if there is one. See docs/decisions/0011-response-cache.md and
   * 0020-response-cache-by-what-it-read.md for why this is safe.
   */
  const lookup = (req: IncomingMessage, body: unknown) => {
    if (!cache || !feed || Array.isArray(body)) return undefined;
    const { query, operationName, variables, extensions } = body as Record<string, unknown>;
    // A trusted document sent by its hash is known by the hash.
    const source = typeof query === 'string' ? query : query === undefined ? persistedHashOf(extensions) : undefined;
    // Longer documents than any dashboard sends are not worth remembering (and bound `kinds`).
    if (source === undefined || source.length > MAX_CACHED_QUERY_LENGTH) return undefined;
    // A client may always ask for a fresh answer.
    if (/no-cache|no-store/i.test(header(req, 'cache-control') ?? '')) return undefined;
    // Refusals (no or a bad token, a bad consistency token) are Apollo Server's to answer.
    const role = roleFor(req);
    if (role === null || (security.tokens && !role)) return undefined;
    let requested: Position | undefined;
    try {
      requested = requestedBy(req);
    } catch {
      return undefined;
    }
    // Only queries are cached, and only a document once executed says which operation it holds:
    // the first request of each is executed as if there were no cache, and teaches it.
    const documentKey = JSON.stringify([source, operationName ?? null]);
    const isQuery = kinds.get(documentKey);
    if (isQuery === undefined) return { documentKey };
    if (!isQuery) return undefined;
    const position = feed.position();
    // Older than the client's token or than a write this gateway acknowledged: not from here.
    if (requested && !hasReached(position, requested, feedTopics)) return undefined;
    if (acknowledged && !hasReached(position, acknowledged, feedTopics)) return undefined;
    const mark = cache.mark();
    const key = `${role ?? ''}\n${JSON.stringify([query ?? null, operationName ?? null, variables ?? null, extensions ?? null])}`;
    return { documentKey, key, mark, position, hit: cache.get(key) };
  };

  // A browser opening /graphql gets the local playground, which loads nothing from the internet.
  app.get('/graphql', (req, res, next) => {
    if (req.query.query !== undefined || !req.accepts('html') || req.accepts(['application/json', 'html']) !== 'html')
      return next();
    if (!security.allowIntrospection) return next();
    res.redirect(302, '/playground');
  });
  app.use(
    '/graphql',
    express.json({ limit: MAX_BODY_BYTES }),
    (req, res, next) => {
      if (!refuseUntrusted(req, res, req.method === 'GET' ? req.query : req.body)) next();
    },
    expressMiddleware(server, { context: ({ req }) => contextFor(req) }),
  );
  // JSON POSTs, nearly every request, skip Express (see @shop/event-core's graphqlPostListener).
  httpServer.on(
    'request',
    graphqlPostListener({
      path: '/graphql',
      maxBodyBytes: MAX_BODY_BYTES,
      fallback: app,
      // With tracing on, a client's `traceparent` is continued, through the subgraphs, into the events written.
      handle: (req, res, body) =>
        inSpan('gateway POST /graphql', { kind: SpanKind.SERVER, continues: req.headers }, () =>
          serveGraphQLPost(req, res, body),
        ),
    }),
  );
  // The playground shows the schema: off where introspection is (production, unless ALLOW_INTROSPECTION).
  if (!security.allowIntrospection) {
    app.use('/playground', (_req, res) => {
      res.status(404).type('text/plain').send('The playground is off: introspection is off here (ALLOW_INTROSPECTION).\n');
    });
  }
  // The dashboard at / and GraphiQL at /playground; after /graphql and the health routes, which it must not shadow.
  app.use(dashboardRouter());

  /**
   * Answers a request whose document may not run here (trusted documents) and says so; `false`
   * when it may. Before the response cache, which holds answers to admitted documents only.
   */
  function refuseUntrusted(req: IncomingMessage, res: ServerResponse, body: unknown): boolean {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
    const role = roleFor(req);
    // Without a valid token nothing runs anyway: that answer (401) is Apollo Server's.
    if (security.tokens && !role) return false;
    const refusal = trusted.refusal(body as Record<string, unknown>, role ?? undefined);
    if (!refusal) return false;
    const { code, http } = refusal.extensions as { code: string; http: { status: number } };
    res.statusCode = http.status;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(JSON.stringify({ errors: [{ message: refusal.message, extensions: { code } }] }));
    const { operationName } = body as { operationName?: unknown };
    logger.info(
      {
        correlationId: correlationIdFrom(header(req, CORRELATION_HEADER)),
        ...(typeof operationName === 'string' ? { operationName: operationName.slice(0, 100) } : {}),
        errors: [code],
      },
      'operation',
    );
    return true;
  }

  /** One GraphQL POST: from the response cache when it can, else executed (and maybe stored). */
  async function serveGraphQLPost(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const startedAt = performance.now();
    if (refuseUntrusted(req, res, body)) return;
    const cached = lookup(req, body);
    if (cached?.hit) {
      const { status, headers, body: text, operationName } = cached.hit;
      for (const [name, value] of headers) res.setHeader(name, value);
      res.statusCode = status;
      res.end(text);
      logger.info(
        {
          correlationId: correlationIdFrom(header(req, CORRELATION_HEADER)),
          operation: 'query',
          operationName,
          ms: Math.round((performance.now() - startedAt) * 10) / 10,
          cached: true,
        },
        'operation',
      );
      return;
    }
    // A miss asks every subgraph for the position it would be stored under, and is stored only
    // if each one answered there: its answer is never older than its key says. A subgraph
    // that cannot get there soon (it lags, or the broker went away) answers from memory all
    // the same, and the answer is just not kept.
    const holder: NonNullable<GatewayContext['cache']> | undefined = cached
      ? { ...(cached.position ? { preferred: cached.position } : {}) }
      : undefined;
    const response = await executeGraphQLPost(server, req, body, () => contextFor(req, holder));
    const text = await sendGraphQLResponse(res, response);
    if (cached && holder?.operation && !kinds.has(cached.documentKey)) {
      if (kinds.size >= MAX_KNOWN_DOCUMENTS) kinds.clear();
      kinds.set(cached.documentKey, holder.operation === 'query');
    }
    if (cached?.key !== undefined && holder?.cacheable && text !== undefined) {
      cache!.set(cached.key, cached.mark, holder.reads ?? [], {
        status: response.status ?? 200,
        headers: [...response.headers],
        body: text,
        ...(holder.operationName ? { operationName: holder.operationName } : {}),
      });
    }
  }

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, () => resolve());
  });
  const actualPort = (httpServer.address() as AddressInfo).port;
  allowedOrigins = new Set([...ownOrigins(host, actualPort), ...(security.allowedOrigins ?? [])]);
  const url = `http://${host === '0.0.0.0' ? 'localhost' : host}:${actualPort}/graphql`;
  logger.info({ url }, `gateway listening on ${url}`);
  return {
    url,
    port: actualPort,
    subscriptionStats: () => {
      const { reading, waiting } = subscriptions?.replayStats() ?? { reading: 0, waiting: 0 };
      return {
        ...(subscriptions?.stats() ?? { active: 0, hydrations: 0, delivered: 0 }),
        replaysReading: reading,
        replaysWaiting: waiting,
      };
    },
    responseCacheStats: () => cache?.stats(),
    async close() {
      for (const unregister of unregisterMetrics) unregister();
      await subscriptions?.close();
      await server.stop();
      await feed?.stop();
      fetcher.close();
    },
  };
}
