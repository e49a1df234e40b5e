import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { buildSchema } from 'graphql';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import { printSchema, Supergraph } from '@apollo/federation-internals';
import {
  CONSISTENCY_HEADER,
  CORRELATION_HEADER,
  decodePosition,
  encodePosition,
  formatError,
  metricsText,
  registerProjectionMetrics,
  registerSubscriptionMetrics,
  toGraphQLError,
  type Config,
  type EventLog,
  type Logger,
} from '@shop/event-core';
import { dashboardRouter } from '@shop/dashboard';
import { SUPERGRAPH_PATH, TOPICS, type EventTopics, type SubgraphName } from '@shop/schema';
import { ConsistentDataSource, roundRobin, type GatewayContext } from './data-source.ts';
import { ChangeFeed } from './subscriptions/change-feed.ts';
import { startSubscriptionServer, type SubscriptionLimits } from './subscriptions/server.ts';
import { protection, roleOf, unauthenticated, type SecurityOptions } from './security.ts';

export { ConsistentDataSource, type GatewayContext } from './data-source.ts';
export type { Role, SecurityOptions, QueryLimits } from './security.ts';

/** The gateway's security settings from the validated configuration. */
export function securityFrom(config: Config): NonNullable<GatewayOptions['security']> {
  return {
    allowIntrospection: config.NODE_ENV !== 'production' || config.ALLOW_INTROSPECTION,
    ...(config.AUTH_TOKENS ? { tokens: config.AUTH_TOKENS } : {}),
    ...(config.SUBGRAPH_SECRET ? { subgraphSecret: config.SUBGRAPH_SECRET } : {}),
    ...(config.ALLOWED_ORIGINS ? { allowedOrigins: config.ALLOWED_ORIGINS } : {}),
  };
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
  readonly subgraphUrls?: Partial<Record<SubgraphName, string | readonly string[]>>;
  /** The composed supergraph SDL; default: the checked-in `schema/supergraph.graphql`. */
  readonly supergraphSdl?: string;
  readonly production?: boolean;
  /** Timeout of each subgraph readiness probe behind `/readyz`, in ms. Default 1000. */
  readonly readinessTimeoutMs?: number;
  /** The event log subscriptions are fed from; without one, the gateway serves no subscriptions. */
  readonly log?: EventLog;
  /** Topic names; default the public ones (`eventbus.*`). */
  readonly topics?: EventTopics;
  readonly subscriptionLimits?: SubscriptionLimits;
  /** Tokens, subgraph secret, introspection, origins and query limits. Default: open, development. */
  readonly security?: Partial<Omit<SecurityOptions, 'production'>>;
}

export interface RunningGateway {
  readonly url: string;
  readonly port: number;
  /** Subscription counters: open subscriptions, hydration queries run, payloads delivered. */
  subscriptionStats(): { active: number; hydrations: number; delivered: number };
  close(): Promise<void>;
}

/** Sends the position of everything a request wrote back to the client. */

// @apollo/gateway otherwise starts telemetry to Apollo and probes cloud metadata endpoints: no network at run time.
process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';

const consistencyPlugin: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, response }) {
        if (contextValue.written.position)
          response.http.headers.set(CONSISTENCY_HEADER, encodePosition(contextValue.written.position));
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
  supergraphSdl = readFileSync(SUPERGRAPH_PATH, 'utf8'),
  production = false,
  readinessTimeoutMs = 1000,
  log,
  topics = TOPICS,
  subscriptionLimits = {},
  security: securityOptions = {},
}: GatewayOptions): Promise<RunningGateway> {
  const security: SecurityOptions = { allowIntrospection: !production, ...securityOptions, production };
  if (!security.tokens) logger.warn('no AUTH_TOKENS: the graph is open to anyone who can reach it (development only)');
  const guard = protection(security);
  const urls = new Map<string, string>();
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) => {
      const configured = subgraphUrls[name as SubgraphName] ?? url;
      const targets = typeof configured === 'string' ? [configured] : [...(configured ?? [])];
      if (targets.length === 0) throw new Error(`no URL for subgraph ${name}`);
      targets.forEach((target, i) => urls.set(targets.length > 1 ? `${name}#${i + 1}` : name, target));
      // Node's own fetch: the default client (make-fetch-happen) reuses sockets the subgraph has
      // already closed (ECONNRESET under load) and builds a stack trace per request.
      return roundRobin(
        targets.map((target) => new ConsistentDataSource({ url: target, fetcher: fetch }, security.subgraphSecret)),
      );
    },
  });
  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer(app);
  const server = new ApolloServer<GatewayContext>({
    gateway,
    formatError: formatError(production),
    includeStacktraceInErrorResponses: !production,
    // Shutdown is ours (handleShutdownSignals): Apollo's own SIGTERM handler would stop twice and hang.
    stopOnTerminationSignals: false,
    introspection: security.allowIntrospection,
    // Apollo Server's defaults, stated because they are part of the defence: no batched requests
    // (one request, one operation) and CSRF prevention (no simple requests; GET never mutates).
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    validationRules: guard.validationRules,
    parseOptions: guard.parseOptions,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), consistencyPlugin, requestLog(logger), ...guard.plugins],
  });
  await server.start();

  // Subscriptions: @apollo/gateway cannot execute them, so the gateway follows the log itself.
  const feed = log ? new ChangeFeed(topics, log, logger.child({ module: 'subscriptions' })) : undefined;
  const subscriptions = feed
    ? startSubscriptionServer({
        httpServer,
        path: '/graphql',
        apollo: server,
        // Rebuilt from its SDL with this module's graphql: federation-internals may load another copy.
        apiSchema: buildSchema(printSchema(Supergraph.build(supergraphSdl).apiSchema())),
        feed,
        logger,
        validationRules: guard.socketValidationRules,
        maxTokens: guard.parseOptions.maxTokens,
        ...(security.tokens ? { tokens: security.tokens } : {}),
        ...(security.allowedOrigins ? { allowedOrigins: security.allowedOrigins } : {}),
        ...subscriptionLimits,
      })
    : undefined;
  await feed?.start();

  const unregisterMetrics = [
    ...(feed ? [registerProjectionMetrics({ service: 'gateway', projector: feed.projector, log: log! })] : []),
    ...(subscriptions ? [registerSubscriptionMetrics({ service: 'gateway', stats: subscriptions.stats })] : []),
  ];
  app.get('/metrics', async (_req, res) => {
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
      subgraphs: Object.fromEntries(checks),
    });
  });
  app.use(
    '/graphql',
    express.json({ limit: '100kb' }),
    expressMiddleware(server, {
      context: async ({ req }) => {
        const role = security.tokens ? roleOf(security.tokens, req.header('authorization')) : undefined;
        if (role === null) throw unauthenticated('this token is not valid');
        const token = req.header(CONSISTENCY_HEADER);
        let requested;
        try {
          requested = token ? decodePosition(token) : undefined;
        } catch (error) {
          throw toGraphQLError(error);
        }
        return {
          correlationId: req.header(CORRELATION_HEADER) ?? randomUUID(),
          written: {},
          ...(requested ? { requested } : {}),
          ...(role ? { role } : {}),
        };
      },
    }),
  );
  // The dashboard at / and GraphiQL at /playground; after /graphql and the health routes, which it must not shadow.
  app.use(dashboardRouter());

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, () => resolve());
  });
  const actualPort = (httpServer.address() as AddressInfo).port;
  const url = `http://${host === '0.0.0.0' ? 'localhost' : host}:${actualPort}/graphql`;
  logger.info({ url }, `gateway listening on ${url}`);
  return {
    url,
    port: actualPort,
    subscriptionStats: () => subscriptions?.stats() ?? { active: 0, hydrations: 0, delivered: 0 },
    async close() {
      for (const unregister of unregisterMetrics) unregister();
      await subscriptions?.close();
      await server.stop();
      await feed?.stop();
    },
  };
}
