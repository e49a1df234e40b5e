import { ApolloClient, ApolloLink, HttpLink } from '@apollo/client';
import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';
import { SetContextLink } from '@apollo/client/link/context';
import { ErrorLink } from '@apollo/client/link/error';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { createClient, type Client } from 'graphql-ws';
import type { Auth } from './auth.ts';
import { createCache } from './cache.ts';
import { consistencyLink, ConsistencyToken } from './consistency.ts';
import type { ConnectionStatus } from './connection.ts';

export interface ApolloSetup {
  readonly client: ApolloClient;
  readonly wsClient: Client;
  /** What this tab's reads must include; the live feed adds the events it applies. */
  readonly consistency: ConsistencyToken;
}

export interface ApolloSetupOptions {
  /** HTTP endpoint for queries and mutations, e.g. `/graphql`. */
  readonly httpUrl: string;
  /** graphql-ws endpoint, e.g. `ws://localhost:4000/graphql`. */
  readonly wsUrl: string;
  readonly status: ConnectionStatus;
  readonly auth: Auth;
  /**
   * Send queries and mutations by the SHA-256 of their text alone (trusted documents,
   * docs/security.md), the text only when the gateway does not know the hash. The built
   * dashboard does; needs `crypto.subtle` (https or localhost), else the text is sent.
   */
  readonly sendHashes?: boolean;
}

/** SHA-256 of a document's text in hex, as the gateway's trusted documents key it. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** The gateway's answer to a request without a valid token (see gateway/src/security.ts). */
export function isUnauthenticated(error: unknown): boolean {
  if (CombinedGraphQLErrors.is(error)) return error.errors.some((e) => e.extensions?.['code'] === 'UNAUTHENTICATED');
  return ServerError.is(error) && error.statusCode === 401;
}

/** Sends the token with each HTTP request and notes when the gateway refuses it. */
export function withAuth(auth: Auth, terminating: ApolloLink): ApolloLink {
  return ApolloLink.from([
    new ErrorLink(({ error }) => {
      if (isUnauthenticated(error)) auth.refused();
    }),
    new SetContextLink(({ headers }) => ({ headers: { ...(headers as Record<string, string> | undefined), ...auth.headers() } })),
    terminating,
  ]);
}

/**
 * Apollo Client with one normalized cache: queries and mutations over HTTP, subscriptions over
 * graphql-ws. The socket does not retry by itself (`retryAttempts: 0`): graphql-ws would resend
 * each subscription with the variables it started with, but a resumed subscription must ask for
 * what came after the last event it saw. {@link LiveFeed} reconnects with `after` instead.
 */
export function createApollo({ httpUrl, wsUrl, status, auth, sendHashes = false }: ApolloSetupOptions): ApolloSetup {
  const wsClient = createClient({
    url: wsUrl,
    lazy: true,
    retryAttempts: 0,
    // Read at each connection, so a token entered after a refusal is used by the next socket.
    connectionParams: () => auth.headers(),
    on: {
      connected: () => status.set('live'),
    },
  });
  const consistency = new ConsistencyToken();
  const link = ApolloLink.split(
    ({ query }) => {
      const definition = getMainDefinition(query);
      return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
    },
    new GraphQLWsLink(wsClient),
    ApolloLink.from([
      consistencyLink(consistency),
      // The hash of the text HttpLink would send (after the cache added __typename): what
      // schema/trusted-documents.json lists. Over the socket the text goes, and is checked by its hash.
      withAuth(
        auth,
        sendHashes && globalThis.crypto?.subtle
          ? ApolloLink.from([new PersistedQueryLink({ sha256: sha256Hex }), new HttpLink({ uri: httpUrl })])
          : new HttpLink({ uri: httpUrl }),
      ),
    ]),
  );
  const client = new ApolloClient({ link, cache: createCache() });
  return { client, wsClient, consistency };
}
