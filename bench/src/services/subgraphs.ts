/**
 * Bench child: the three subgraphs on Kafka, each with its own event-log client as if it were its
 * own process, all three in this one (fewer processes than cores would otherwise compete on a
 * two-core machine). Reports its URLs once every read model has caught up.
 */
import { createKafkaLog, createLogger } from '@shop/event-core';
import { startCustomersSubgraph } from '@shop/customers-subgraph';
import { startProductsSubgraph } from '@shop/products-subgraph';
import { startPurchasesSubgraph } from '@shop/purchases-subgraph';
import { eventTopics } from '@shop/schema';
import { childConfig, serveChild } from './child.ts';

export interface SubgraphsConfig {
  readonly brokers: readonly string[];
  readonly prefix: string;
  readonly partitions: number;
  /** Chosen by the bench, so the gateway can be told the URLs before the subgraphs are up. */
  readonly ports: { readonly products: number; readonly customers: number; readonly purchases: number };
}

export interface SubgraphsInfo {
  readonly urls: { readonly products: string; readonly customers: string; readonly purchases: string };
  readonly replaySeconds: number;
}

serveChild(async () => {
  const { brokers, prefix, partitions, ports } = childConfig<SubgraphsConfig>();
  const logger = createLogger({ level: 'warn', name: 'bench-subgraphs' });
  const topics = eventTopics(prefix);
  const logs = ['products', 'customers', 'purchases'].map((name) =>
    createKafkaLog({ brokers, clientId: `bench-${name}`, logger: logger.child({ module: 'kafka', service: name }) }),
  );
  const [productsLog, customersLog, purchasesLog] = logs as [(typeof logs)[0], (typeof logs)[0], (typeof logs)[0]];
  const common = { logger, host: '127.0.0.1', partitions, topics, mutationTimeoutMs: 30_000 };
  const startedAt = performance.now();
  const [products, customers, purchases] = await Promise.all([
    startProductsSubgraph({ ...common, port: ports.products, log: productsLog }),
    startCustomersSubgraph({ ...common, port: ports.customers, log: customersLog }),
    startPurchasesSubgraph({ ...common, port: ports.purchases, log: purchasesLog }),
  ]);
  return {
    info: {
      urls: { products: products.url, customers: customers.url, purchases: purchases.url },
      replaySeconds: (performance.now() - startedAt) / 1000,
    } satisfies SubgraphsInfo,
    async close() {
      await Promise.all([products.close(), customers.close(), purchases.close()]);
      await Promise.all(logs.map((log) => log.close()));
    },
  };
});
