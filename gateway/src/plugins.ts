/** The gateway's own Apollo Server plugins; the response cache's is with its policy (response-cache-policy.ts). */
import type { ApolloServerPlugin } from '@apollo/server';
import { CONSISTENCY_HEADER, encodePosition, type Logger, type Position } from '@shop/event-core';
import type { GatewayContext } from './data-source.ts';

/**
 * Sends the position of everything a request wrote back to the client, and tells `onWritten`: the
 * response cache serves nothing older than a write this gateway acknowledged.
 */
export const consistencyPlugin = (onWritten: (position: Position) => void): ApolloServerPlugin<GatewayContext> => ({
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
export const clientMistakesAre4xx: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, errors }) {
        if ((response.http.status ?? 200) < 500 || !errors?.length) return;
        if (errors.every((e) => CLIENT_ERROR_CODES.has(String(e.extensions?.code)))) response.http.status = 400;
      },
    };
  },
};

/**
 * One structured log line per operation, with the correlation id that also reaches the subgraphs,
 * the events they write (`meta.correlationId`) and the subscription payloads those events cause.
 */
export const requestLog = (logger: Logger): ApolloServerPlugin<GatewayContext> => ({
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
