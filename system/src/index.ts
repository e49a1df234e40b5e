import { randomBytes } from 'node:crypto';
import type { EventLog, Logger, SnapshotSettings, TopicRetention } from '@shop/event-core';
import type { EventTopics } from '@shop/schema';
import { startGateway, type GatewayOptions, type RunningGateway } from '@shop/gateway';
import { startCustomersSubgraph, type RunningCustomersSubgraph } from '@shop/customers-subgraph';
import { startProductsSubgraph, type RunningProductsSubgraph } from '@shop/products-subgraph';
import { startPurchasesSubgraph, type RunningPurchasesSubgraph } from '@shop/purchases-subgraph';

export interface SystemOptions {
  readonly log: EventLog;
  readonly logger: Logger;
  readonly host?: string;
  /** Ports; 0 picks free ones (tests). Defaults 4000-4003. */
  readonly ports?: {
    readonly gateway?: number;
    readonly products?: number;
    readonly customers?: number;
    readonly purchases?: number;
  };
  readonly partitions?: number;
  /** Retention of the topics the services create (`TOPIC_RETENTION`). Default `compact`. */
  readonly retention?: TopicRetention;
  /** Topic names; default the public ones (`eventbus.*`). */
  readonly topics?: EventTopics;
  readonly mutationTimeoutMs?: number;
  readonly consistencyTimeoutMs?: number;
  readonly production?: boolean;
  /**
   * Tokens, subgraph secret, introspection, origins and query limits of the gateway. Without a
   * subgraph secret, one is made at start: the subgraphs answer the gateway only.
   */
  readonly security?: GatewayOptions['security'];
  /** Subgraphs that answer anyone when no secret is given (tests that call a subgraph directly). Default false. */
  readonly openSubgraphs?: boolean;
  /** Bounds of the gateway's response cache, or `false` for none. Default: its defaults. */
  readonly responseCache?: GatewayOptions['responseCache'];
  /** Read-model snapshots of the subgraphs and the gateway's change feed; none: every start replays the whole log. */
  readonly snapshots?: SnapshotSettings | undefined;
}

export interface RunningSystem {
  readonly gateway: RunningGateway;
  readonly products: RunningProductsSubgraph;
  readonly customers: RunningCustomersSubgraph;
  readonly purchases: RunningPurchasesSubgraph;
  /** Stops the gateway, then the subgraphs. The log stays open: its owner closes it. */
  close(): Promise<void>;
}

/**
 * The whole system in one process: the three subgraphs (each replays the log before it resolves)
 * and the gateway in front of them. The one way to start everything, for `npm start` and tests.
 */
export async function startSystem({
  log,
  logger,
  host = '127.0.0.1',
  ports = {},
  security: configured,
  responseCache,
  openSubgraphs = false,
  ...rest
}: SystemOptions): Promise<RunningSystem> {
  // In one process, nobody else needs the secret: a random one keeps strangers off the subgraphs' ports.
  const subgraphSecret = configured?.subgraphSecret ?? (openSubgraphs ? undefined : randomBytes(24).toString('base64url'));
  const security = subgraphSecret ? { ...configured, subgraphSecret } : configured;
  const common = { log, logger, host, ...rest, ...(subgraphSecret ? { secret: subgraphSecret } : {}) };
  const [products, customers, purchases] = await Promise.all([
    startProductsSubgraph({ ...common, port: ports.products ?? 4001 }),
    startCustomersSubgraph({ ...common, port: ports.customers ?? 4002 }),
    startPurchasesSubgraph({ ...common, port: ports.purchases ?? 4003 }),
  ]);
  const gateway = await startGateway({
    logger: logger.child({ service: 'gateway' }),
    host,
    port: ports.gateway ?? 4000,
    production: rest.production ?? false,
    subgraphUrls: { products: products.url, customers: customers.url, purchases: purchases.url },
    log,
    ...(rest.topics ? { topics: rest.topics } : {}),
    ...(security ? { security } : {}),
    ...(responseCache === undefined ? {} : { responseCache }),
    // The same store as the subgraphs': one process, one log.
    ...(rest.snapshots ? { snapshots: rest.snapshots } : {}),
  });
  return {
    gateway,
    products,
    customers,
    purchases,
    async close() {
      await gateway.close();
      await Promise.all([products.close(), customers.close(), purchases.close()]);
    },
  };
}
