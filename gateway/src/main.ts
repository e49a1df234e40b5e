/** Runs the gateway as its own process (`npm run start:kafka` starts one of these). */
import {
  checkPortsFree,
  ConfigError,
  createLogger,
  exitFailedStart,
  handleShutdownSignals,
  loadConfig,
  openEventLog,
  snapshotSettingsFrom,
  startTracing,
  subgraphSettingsOf,
  type StartSettings,
} from '@shop/event-core';
import { eventTopics, SUBGRAPHS } from '@shop/schema';
import { responseCacheFrom, securityFrom, startGateway } from './index.ts';

let config;
try {
  config = loadConfig(process.env, SUBGRAPHS);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(2);
}
const logger = createLogger({ level: config.LOG_LEVEL, pretty: config.LOG_PRETTY ?? process.stdout.isTTY, name: 'gateway' });
const settings: StartSettings = {
  host: config.HOST,
  ports: [{ setting: 'GATEWAY_PORT', port: config.GATEWAY_PORT }],
  brokers: config.KAFKA_BROKERS,
};
await checkPortsFree(settings.host, settings.ports).catch((error: unknown) =>
  exitFailedStart(error, settings, logger, 'gateway'),
);
const tracing = await startTracing({ serviceName: config.OTEL_SERVICE_NAME ?? 'gateway', exporter: config.OTEL_TRACES_EXPORTER });
// Subscriptions follow the log themselves: the same topics the subgraphs write.
const log = openEventLog(config, logger, 'gateway');
const gateway = await startGateway({
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
}).catch((error: unknown) => exitFailedStart(error, settings, logger, 'gateway'));
handleShutdownSignals({
  name: 'gateway',
  logger,
  close: async () => {
    await gateway.close();
    await tracing?.shutdown();
  },
});
