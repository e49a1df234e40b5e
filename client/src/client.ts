import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { readClientConfig } from './config.ts';
import { createOperations, type Operations } from './operations.ts';
import { bindResources, type BoundResources } from './resources.ts';
import { createWebSocketTransport, webSocketUrl, type SubscriptionTransport } from './subscriptions.ts';
import { createHttpTransport, type HttpTransportOptions, type RequestOptions } from './transport.ts';

export interface ShopClientOptions extends Partial<Omit<HttpTransportOptions, 'url'>> {
  /** The gateway's GraphQL endpoint. Default `GATEWAY_URL`, else `http://localhost:4000/graphql`. */
  readonly url?: string;
  /** Bearer token. Default `GATEWAY_TOKEN`. */
  readonly token?: string | undefined;
  /** graphql-ws endpoint. Default: `url` with `ws://` / `wss://`. */
  readonly webSocketUrl?: string;
  /** Injected for tests: the subscription transport (default a lazy graphql-ws client). */
  readonly subscriptions?: SubscriptionTransport;
}

/** A configured client: both layers (operations and resources) on one connection and one consistency token. */
export interface ShopClient extends BoundResources {
  readonly url: string;
  /** Every query, mutation and subscription as a typed function. */
  readonly operations: Operations;
  /** The merged `X-Consistency-Token` of this client's mutations, sent with every request. */
  readonly consistencyToken: string | undefined;
  /** Runs any typed document (e.g. one you generated yourself) with this client's headers, retries and token. */
  request<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables: TVariables,
    options?: RequestOptions,
  ): Promise<TData>;
  /** Closes the subscription socket, if one was opened. */
  close(): Promise<void>;
}

/**
 * Creates a client for the gateway. Everything defaults from the environment (`GATEWAY_URL`,
 * `GATEWAY_TOKEN`); `retries` (3), `retryDelayMs` (100), `timeoutMs` (30000) tune the HTTP transport.
 *
 * @example
 * const shop = createShopClient({ url: 'http://localhost:4000/graphql' });
 * const butter = await shop.Product.create({ name: 'Butter', price: 1.5 });
 */
export function createShopClient(options: ShopClientOptions = {}): ShopClient {
  // The environment is read only when the caller left the url or the token out.
  const env =
    options.url !== undefined && 'token' in options && options.sendHashes !== undefined ? undefined : readClientConfig();
  const url = options.url ?? env!.url;
  const token = 'token' in options ? options.token : env?.token;
  const http = createHttpTransport({
    ...options,
    url,
    token,
    sendHashes: options.sendHashes ?? env!.sendHashes,
  });
  let subscriptions = options.subscriptions;
  const operations = createOperations(
    http,
    () => (subscriptions ??= createWebSocketTransport({ url: options.webSocketUrl ?? webSocketUrl(url), token })),
  );
  return {
    url,
    operations,
    ...bindResources(operations),
    get consistencyToken() {
      return http.consistencyToken;
    },
    request: (document, variables, requestOptions) => http.request(document, variables, requestOptions),
    async close() {
      await subscriptions?.dispose();
      subscriptions = undefined;
    },
  };
}
