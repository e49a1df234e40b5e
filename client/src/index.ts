import { createShopClient, type ShopClient } from './client.ts';
import { setDefaultOperations } from './resources.ts';

export { createShopClient, type ShopClient, type ShopClientOptions } from './client.ts';
export { readClientConfig, ClientConfigError, DEFAULT_GATEWAY_URL, type ClientConfig } from './config.ts';
export {
  ShopError,
  NotFoundError,
  ConflictError,
  ValidationError,
  UnavailableError,
  ConsistencyTimeoutError,
  UnauthenticatedError,
  ForbiddenError,
  errorFromGraphQL,
  type GraphQLErrorLike,
} from './errors.ts';
export {
  createOperations,
  type Operations,
  type MutationOptions,
  type ProductData,
  type CustomerData,
  type PurchaseData,
  type ProductPage,
  type CustomerPage,
  type PurchasePage,
  type ProductChange,
  type CustomerChange,
  type PurchaseChange,
} from './operations.ts';
export {
  Product,
  Customer,
  Purchase,
  ResourceList,
  bindResources,
  type BoundResources,
  type Change,
  type ListOptions,
  type WriteOptions,
} from './resources.ts';
export {
  createWebSocketTransport,
  watchChanges,
  webSocketUrl,
  type SubscriptionTransport,
  type WatchOptions,
} from './subscriptions.ts';
export {
  createHttpTransport,
  CONSISTENCY_HEADER,
  type HttpTransport,
  type HttpTransportOptions,
  type RequestOptions,
} from './transport.ts';
export { formatTable, renderValue } from './format.ts';
export * as documents from './generated/graphql.ts';

let defaultClient: ShopClient | undefined;

/**
 * The client the plain `Product`, `Customer` and `Purchase` classes use, created on first use
 * from `GATEWAY_URL` / `GATEWAY_TOKEN` — like the original shell's classes, which needed no setup.
 */
export function getDefaultClient(): ShopClient {
  return (defaultClient ??= createShopClient());
}

setDefaultOperations(() => getDefaultClient().operations);
