/**
 * Bench child: the gateway (`@apollo/gateway`, and subscriptions fed from the log) in front of the
 * subgraphs of a `subgraphs` child, as `npm run start:kafka` runs it.
 */
import { createKafkaLog, createLogger } from '@shop/event-core';
import { startGateway } from '@shop/gateway';
import { eventTopics } from '@shop/schema';
import { childConfig, fullGc, serveChild } from './child.ts';
import type { SubgraphsInfo } from './subgraphs.ts';

export interface GatewayConfig {
  readonly brokers: readonly string[];
  readonly prefix: string;
  readonly subgraphUrls: SubgraphsInfo['urls'];
}

export interface GatewayInfo {
  readonly url: string;
  readonly replaySeconds: number;
}

serveChild(async () => {
  const { brokers, prefix, subgraphUrls } = childConfig<GatewayConfig>();
  const logger = createLogger({ level: 'warn', name: 'bench-gateway' });
  const log = createKafkaLog({ brokers, clientId: 'bench-gateway', logger: logger.child({ module: 'kafka' }) });
  const startedAt = performance.now();
  const gateway = await startGateway({
    logger,
    host: '127.0.0.1',
    port: 0,
    subgraphUrls,
    log,
    topics: eventTopics(prefix),
    // The fan-out scenario opens one socket per subscriber; the per-socket limit is not what it measures.
    subscriptionLimits: { maxSubscriptionsPerSocket: 10_000 },
  });
  return {
    info: { url: gateway.url, replaySeconds: (performance.now() - startedAt) / 1000 } satisfies GatewayInfo,
    counters: () => gateway.subscriptionStats(),
    handlers: { gc: fullGc },
    async close() {
      await gateway.close();
      await log.close();
    },
  };
});
