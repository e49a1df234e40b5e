/**
 * The gateway's `/graphql` over HTTP: the context of a request (who sends it, the position it
 * asks for), the refusal of documents that may not run here, and a JSON POST answered from the
 * response cache or executed. JSON POSTs, nearly every request, skip Express (see
 * `graphqlPostListener`); the rest goes through it.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, { type Router } from 'express';
import type { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import {
  CORRELATION_HEADER,
  correlationIdFrom,
  executeGraphQLPost,
  graphqlPostListener,
  inSpan,
  requestHeader,
  sendError,
  sendGraphQLResponse,
  SpanKind,
  toGraphQLError,
  type Logger,
} from '@shop/event-core';
import { requestedPosition, type GatewayContext } from './data-source.ts';
import type { CacheHolder, ResponseCachePolicy } from './response-cache-policy.ts';
import { holderOf, requestRole, unauthenticated, type SecurityOptions } from './security.ts';
import type { TrustedDocuments } from './trusted-documents.ts';

/** Largest request body the gateway accepts; larger ones are refused with 413. */
const MAX_BODY_BYTES = 100 * 1024;

export interface GraphQLHttpOptions {
  readonly server: ApolloServer<GatewayContext>;
  readonly security: SecurityOptions;
  readonly trusted: Pick<TrustedDocuments, 'refusal'>;
  /** Undefined when the gateway keeps no response cache. */
  readonly cache: ResponseCachePolicy | undefined;
  readonly logger: Logger;
}

export interface GraphQLHttp {
  /** For Express: the playground for a browser, and every request the fast path leaves to it. */
  readonly router: Router;
  /** The server's request listener: JSON POSTs to `/graphql` served here, the rest by `fallback`. */
  listener(fallback: RequestListener): RequestListener;
}

export function graphqlHttp({ server, security, trusted, cache, logger }: GraphQLHttpOptions): GraphQLHttp {
  /** The context of one HTTP request; `holder` when the response cache may keep its answer. */
  const contextFor = async (req: IncomingMessage, holder?: CacheHolder): Promise<GatewayContext> => {
    const tokenHolder = security.tokens ? holderOf(security.tokens, requestHeader(req, 'authorization')) : undefined;
    if (tokenHolder === null) throw unauthenticated('this token is not valid');
    let requested;
    try {
      requested = requestedPosition(req);
    } catch (error) {
      throw toGraphQLError(error);
    }
    return {
      correlationId: correlationIdFrom(requestHeader(req, CORRELATION_HEADER)),
      written: {},
      ...(requested ? { requested } : {}),
      ...(tokenHolder ? { role: tokenHolder.role, actor: tokenHolder.name } : {}),
      ...(holder ? { cache: holder } : {}),
    };
  };

  /**
   * Answers a request whose document may not run here (trusted documents) and says so; `false`
   * when it may. Before the response cache, which holds answers to admitted documents only.
   */
  const refuseUntrusted = (req: IncomingMessage, res: ServerResponse, body: unknown): boolean => {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
    const role = requestRole(security.tokens, req);
    // Without a valid token nothing runs anyway: that answer (401) is Apollo Server's.
    if (security.tokens && !role) return false;
    const refusal = trusted.refusal(body as Record<string, unknown>, role ?? undefined);
    if (!refusal) return false;
    const { code, http } = refusal.extensions as { code: string; http: { status: number } };
    sendError(res, http.status, code, refusal.message);
    const { operationName } = body as { operationName?: unknown };
    logger.info(
      {
        correlationId: correlationIdFrom(requestHeader(req, CORRELATION_HEADER)),
        ...(typeof operationName === 'string' ? { operationName: operationName.slice(0, 100) } : {}),
        errors: [code],
      },
      'operation',
    );
    return true;
  };

  /** One GraphQL POST: from the response cache when it can, else executed (and maybe kept). */
  const servePost = async (req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> => {
    const startedAt = performance.now();
    if (refuseUntrusted(req, res, body)) return;
    const ticket = cache?.consider(req, body);
    if (ticket?.hit) {
      const { status, headers, body: text, operationName } = ticket.hit;
      for (const [name, value] of headers) res.setHeader(name, value);
      res.statusCode = status;
      res.end(text);
      logger.info(
        {
          correlationId: correlationIdFrom(requestHeader(req, CORRELATION_HEADER)),
          operation: 'query',
          operationName,
          ms: Math.round((performance.now() - startedAt) * 10) / 10,
          cached: true,
        },
        'operation',
      );
      return;
    }
    const response = await executeGraphQLPost(server, req, body, () => contextFor(req, ticket?.holder));
    const text = await sendGraphQLResponse(res, response);
    ticket?.settle(response, text);
  };

  const router = express.Router();
  // A browser opening /graphql gets the local playground, which loads nothing from the internet.
  router.get('/graphql', (req, res, next) => {
    if (req.query.query !== undefined || !req.accepts('html') || req.accepts(['application/json', 'html']) !== 'html')
      return next();
    if (!security.allowIntrospection) return next();
    res.redirect(302, '/playground');
  });
  router.use(
    '/graphql',
    express.json({ limit: MAX_BODY_BYTES }),
    (req, res, next) => {
      if (!refuseUntrusted(req, res, req.method === 'GET' ? req.query : req.body)) next();
    },
    expressMiddleware(server, { context: ({ req }) => contextFor(req) }),
  );

  return {
    router,
    listener: (fallback) =>
      graphqlPostListener({
        path: '/graphql',
        maxBodyBytes: MAX_BODY_BYTES,
        fallback,
        // With tracing on, a client's `traceparent` is continued, through the subgraphs, into the events written.
        handle: (req, res, body) =>
          inSpan('gateway POST /graphql', { kind: SpanKind.SERVER, continues: req.headers }, () => servePost(req, res, body)),
      }),
  };
}
