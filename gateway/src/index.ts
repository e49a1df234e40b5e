import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import express from 'express';
import { buildSchema } from 'graphql';
import { ApolloGateway, type GraphQLDataSource, type ServiceEndpointDefinition } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { printSchema, Supergraph } from '@apollo/federation-internals';
import {
  formatError,
  listen,
  registerProjectionMetrics,
  registerSubscriptionMetrics,
  serviceRoutes,
  topicOf,
  type Config,
  type EventLog,
  type Logger,
  type SnapshotSettings,
  type SubgraphManifest,
  type TopicNames,
} from '@shop/event-core';
import { dashboardRouter } from '@shop/dashboard';
import { SUBGRAPHS, SUPERGRAPH_PATH, TOPICS } from '@shop/schema';
import { ConsistentDataSource, roundRobin, type GatewayContext } from './data-source.ts';
import { graphqlHttp } from './graphql-http.ts';
import { createHttpFetcher, type HttpFetcher } from './http-fetcher.ts';
import { clientMistakesAre4xx, consistencyPlugin, requestLog } from './plugins.ts';
import { gatewayReadiness } from './readiness.ts';
import type { ResponseCacheOptions, ResponseCacheStats } from './response-cache.ts';
import { recordingReads } from './response-cache-reads.ts';
import { cacheablePlugin, ResponseCachePolicy } from './response-cache-policy.ts';
import { ownOrigins, protection, requestRole, SEND_A_TOKEN, type SecurityOptions } from './security.ts';
import { ChangeFeed } from './subscriptions/change-feed.ts';
import { startSubscriptionServer, type SubscriptionLimits } from './subscriptions/server.ts';
import { createTrustedDocuments } from './trusted-documents.ts';

export { ConsistentDataSource, type GatewayContext } from './data-source.ts';
export { CHANGE_FEED_SNAPSHOTS } from './subscriptions/change-feed.ts';
export type { Role, SecurityOptions, QueryLimits, TokenHolder } from './security.ts';
export { ResponseCache, type ResponseCacheOptions, type ResponseCacheStats } from './response-cache.ts';
export type { TrustedDocumentsMode, TrustedDocumentsOptions } from './trusted-documents.ts';

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
 * The gateway: `@apollo/gateway` on the supergraph composed ahead of time (no network at start),
 * Apollo Server 5 on Express, one port for `/graphql`, `/healthz`, `/readyz` and `/metrics`, the
 * dashboard and the playground. Subscriptions and the response cache follow the event log through
 * the change feed.
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
  // Rebuilt from its SDL with this module's graphql: federation-internals may load another copy.
  const apiSchema = buildSchema(printSchema(Supergraph.build(supergraphSdl).apiSchema()));
  const trusted = createTrustedDocuments(security.trustedDocuments ?? { mode: 'off' }, {
    schema: apiSchema,
    validationRules: guard.socketValidationRules,
    maxTokens: guard.parseOptions.maxTokens,
    logger: logger.child({ module: 'trusted-documents' }),
  });

  /** Every subgraph instance the gateway calls, by name: what `/readyz` probes. */
  const instances = new Map<string, string>();
  const fetcher = createHttpFetcher();
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: subgraphCalls({ subgraphUrls, subgraphs, topics, fetcher, secret: security.subgraphSecret, instances }),
  });
  // It follows the change feed once that has replayed (below): without a log, nothing is cached.
  const cachePolicy =
    log && responseCache
      ? new ResponseCachePolicy({
          cache: responseCache,
          // A request without a valid token is refused by Apollo Server, never from the cache.
          roleOf: (req) => (security.tokens ? (requestRole(security.tokens, req) ?? null) : undefined),
        })
      : undefined;
  const httpServer = createServer();
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
      // is sent to the local playground instead (graphql-http.ts).
      ApolloServerPluginLandingPageDisabled(),
      clientMistakesAre4xx,
      consistencyPlugin((position) => cachePolicy?.acknowledge(position)),
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
  if (feed) cachePolicy?.follow(feed);
  /** The gateway's own origins (known once it listens) and the configured extra ones. */
  let allowedOrigins: ReadonlySet<string> = new Set(security.allowedOrigins ?? []);

  const unregisterMetrics = [
    ...(feed ? [registerProjectionMetrics({ service: 'gateway', projector: feed.projector, log: log! })] : []),
    ...(subscriptions ? [registerSubscriptionMetrics({ service: 'gateway', stats: subscriptions.stats })] : []),
  ];
  const graphql = graphqlHttp({ server, security, trusted, cache: cachePolicy, logger });
  const app = express();
  app.disable('x-powered-by');
  app.use(
    serviceRoutes({
      service: 'gateway',
      readiness: gatewayReadiness({
        instances,
        ...(feed ? { feedReady: () => feed.isReady() } : {}),
        timeoutMs: readinessTimeoutMs,
        production,
      }),
      // With tokens, per-operation counts and latencies are for holders of a token, like the graph.
      ...(security.tokens
        ? { metricsAccess: { allows: (req) => Boolean(requestRole(security.tokens, req)), refusal: SEND_A_TOKEN } }
        : {}),
    }),
  );
  app.use(graphql.router);
  // The playground shows the schema: off where introspection is (production, unless ALLOW_INTROSPECTION).
  if (!security.allowIntrospection) {
    app.use('/playground', (_req, res) => {
      res.status(404).type('text/plain').send('The playground is off: introspection is off here (ALLOW_INTROSPECTION).\n');
    });
  }
  // The dashboard at / and GraphiQL at /playground; after /graphql and the health routes, which it must not shadow.
  app.use(dashboardRouter());
  httpServer.on('request', graphql.listener(app));

  const { port: actualPort, url } = await listen(httpServer, {
    host,
    port,
    path: '/graphql',
    urlHost: host === '0.0.0.0' ? 'localhost' : host,
  });
  allowedOrigins = new Set([...ownOrigins(host, actualPort), ...(security.allowedOrigins ?? [])]);
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
    responseCacheStats: () => cachePolicy?.stats(),
    async close() {
      for (const unregister of unregisterMetrics) unregister();
      await subscriptions?.close();
      await server.stop();
      await feed?.stop();
      fetcher.close();
    },
  };
}

/**
 * `buildService` of `@apollo/gateway`: a subgraph is called at its URLs in `subgraphUrls`, else at
 * the supergraph's; several URLs are instances of it, called round-robin. Every call carries
 * consistency both ways and records what it read for the response cache. Each instance's URL goes
 * into `instances`, by name.
 */
function subgraphCalls({
  subgraphUrls,
  subgraphs,
  topics,
  fetcher,
  secret,
  instances,
}: {
  readonly subgraphUrls: NonNullable<GatewayOptions['subgraphUrls']>;
  readonly subgraphs: readonly SubgraphManifest[];
  readonly topics: TopicNames;
  readonly fetcher: HttpFetcher;
  /** Proves to the subgraphs that the call comes from the gateway. */
  readonly secret: string | undefined;
  readonly instances: Map<string, string>;
}): (service: ServiceEndpointDefinition) => GraphQLDataSource<GatewayContext> {
  return ({ name, url }) => {
    const configured = subgraphUrls[name] ?? url;
    const targets = typeof configured === 'string' ? [configured] : [...(configured ?? [])];
    if (targets.length === 0) throw new Error(`no URL for subgraph ${name}`);
    targets.forEach((target, i) => instances.set(targets.length > 1 ? `${name}#${i + 1}` : name, target));
    // Not the default client (make-fetch-happen), which reuses sockets the subgraph has already
    // closed (ECONNRESET under load) and builds a stack trace per request; see http-fetcher.ts.
    const source = roundRobin(targets.map((target) => new ConsistentDataSource({ url: target, fetcher }, secret)));
    // A subgraph without a manifest may follow any topic.
    const known = subgraphs.find((subgraph) => subgraph.name === name);
    const follows = known ? known.follows.map((followed) => topicOf(topics, followed)) : Object.values(topics);
    return recordingReads(source, follows);
  };
}
