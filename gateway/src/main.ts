/** Runs the gateway as its own process (`npm run start:kafka` starts one of these). */
import { runServiceMain, snapshotSettingsFrom, subgraphSettingsOf } from '@shop/event-core';
import { eventTopics, SUBGRAPHS } from '@shop/schema';
import { responseCacheFrom, securityFrom, startGateway } from './index.ts';

// Subscriptions and the response cache follow the log themselves: the same topics the subgraphs write.
runServiceMain(
  { name: 'gateway', subgraphs: SUBGRAPHS, port: (config) => ({ setting: 'GATEWAY_PORT', port: config.GATEWAY_PORT }) },
  (config, log, logger) =>
    startGateway({
      logger,
      host: config.HOST,
      port: config.GATEWAY_PORT,
      production: config.NODE_ENV === 'production',
      security: securityFrom(config),
      responseCache: responseCacheFrom(config),
      log,
      topics: eventTopics(config.TOPIC_PREFIX),
      snapshots: snapshotSettingsFrom(config, log),
      // `<settings>_URL` of each subgraph, else HOST and its port.
      subgraphUrls: Object.fromEntries(SUBGRAPHS.map(({ name }) => [name, subgraphSettingsOf(config, name).urls])),
    }),
);
