/** Runs the products subgraph as its own process (`npm run start:kafka` starts one of these). */
import { runServiceMain, snapshotSettingsFrom } from '@shop/event-core';
import { eventTopics } from '@shop/schema';
import { startProductsSubgraph } from './index.ts';

runServiceMain('products', 'PRODUCTS_PORT', (config, log, logger) =>
  startProductsSubgraph({
    log,
    logger,
    host: config.HOST,
    port: config.PRODUCTS_PORT,
    partitions: config.TOPIC_PARTITIONS,
    retention: config.TOPIC_RETENTION,
    topics: eventTopics(config.TOPIC_PREFIX),
    mutationTimeoutMs: config.MUTATION_TIMEOUT_MS,
    consistencyTimeoutMs: config.CONSISTENCY_TIMEOUT_MS,
    production: config.NODE_ENV === 'production',
    ...(config.SUBGRAPH_SECRET ? { secret: config.SUBGRAPH_SECRET } : {}),
    snapshots: snapshotSettingsFrom(config, log),
  }),
);
