/**
 * `npm start`: the whole system in one process, on the embedded log in DATA_DIR (default .data),
 * or on Kafka when KAFKA_BROKERS is set.
 */
import {
  checkPortsFree,
  configOrExit,
  createLogger,
  exitFailedStart,
  handleShutdownSignals,
  openEventLog,
  snapshotSettingsFrom,
  startTracing,
  subgraphSettingsOf,
  type EventLog,
  type StartSettings,
} from '@shop/event-core';
import { responseCacheFrom, securityFrom } from '@shop/gateway';
import { eventTopics, SUBGRAPHS } from '@shop/schema';
import { startSystem } from './index.ts';

const config = configOrExit(SUBGRAPHS);
const logger = createLogger({ level: config.LOG_LEVEL, pretty: config.LOG_PRETTY ?? process.stdout.isTTY });
const settings: StartSettings = {
  host: config.HOST,
  ports: [
    { setting: 'GATEWAY_PORT', port: config.GATEWAY_PORT },
    ...SUBGRAPHS.map(({ name }) => {
      const { portSetting, port } = subgraphSettingsOf(config, name);
      return { setting: portSetting, port };
    }),
  ],
  brokers: config.KAFKA_BROKERS,
};
// Before the log is opened: a second `npm start` stops here, not after replaying the whole log.
await checkPortsFree(settings.host, settings.ports).catch((error: unknown) => exitFailedStart(error, settings, logger, 'shop'));
let log: EventLog;
try {
  log = openEventLog(config, logger, 'shop');
} catch (error) {
  exitFailedStart(error, settings, logger, 'shop');
}
const startedAt = Date.now();
const tracing = await startTracing({ serviceName: config.OTEL_SERVICE_NAME ?? 'shop', exporter: config.OTEL_TRACES_EXPORTER });
try {
  const system = await startSystem({
    log,
    logger,
    host: config.HOST,
    ports: {
      gateway: config.GATEWAY_PORT,
      ...Object.fromEntries(SUBGRAPHS.map(({ name }) => [name, subgraphSettingsOf(config, name).port])),
    },
    partitions: config.TOPIC_PARTITIONS,
    retention: config.TOPIC_RETENTION,
    topics: eventTopics(config.TOPIC_PREFIX),
    mutationTimeoutMs: config.MUTATION_TIMEOUT_MS,
    consistencyTimeoutMs: config.CONSISTENCY_TIMEOUT_MS,
    production: config.NODE_ENV === 'production',
    security: securityFrom(config),
    responseCache: responseCacheFrom(config),
    snapshots: snapshotSettingsFrom(config, log),
  });
  const base = system.gateway.url.replace(/\/graphql$/, '');
  console.log(
    [
      '',
      `  Shop back office is up in ${((Date.now() - startedAt) / 1000).toFixed(1)} s, on ${config.KAFKA_BROKERS ? `Kafka (${config.KAFKA_BROKERS.join(',')})` : `the embedded log (${config.DATA_DIR})`}`,
      '',
      `  Dashboard  ${base}/`,
      `  Playground ${base}/playground`,
      `  GraphQL    ${system.gateway.url}   (HTTP and graphql-ws)`,
      `  Health     ${base}/healthz   Ready ${base}/readyz`,
      ...SUBGRAPHS.map(({ name }, i) => `${i === 0 ? '  Subgraphs  ' : '             '}${name} ${system.subgraphs[name].url}`),
      '',
      '  Ctrl-C stops everything; the data stays.',
      '',
    ].join('\n'),
  );
  handleShutdownSignals({
    name: 'shop',
    logger,
    close: async () => {
      await system.close();
      await log.close();
      await tracing?.shutdown();
    },
  });
} catch (error) {
  await log.close().catch(() => undefined);
  exitFailedStart(error, settings, logger, 'shop');
}
