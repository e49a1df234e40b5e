import { ConfigError, loadConfig, subgraphSettingsOf, type Config } from './config.ts';
import { createLogger, type Logger } from './logger.ts';
import type { EventLog } from './log/port.ts';
import { openEventLog, snapshotSettingsFrom } from './open-log.ts';
import { checkPortsFree, startFailureMessage, type PortSetting, type StartSettings } from './start-failure.ts';
import { loadSubgraphStart, topicNames, type SubgraphManifest } from './subgraph-manifest.ts';
import { startTracing } from './tracing.ts';

export interface ServiceMainOptions {
  /** Names the process in its logs, traces and Kafka client id. */
  readonly name: string;
  /** The manifests of the system's subgraphs: the config has their settings. */
  readonly subgraphs: readonly SubgraphManifest[];
  /** The port the service listens on, with its setting. */
  readonly port: (config: Config) => PortSetting;
}

export interface ShutdownOptions {
  /** Names the process in the log lines. */
  readonly name: string;
  readonly logger: Logger;
  /** Stops accepting, finishes what is in flight, flushes and closes; the process exits 0 once it resolves. */
  readonly close: () => Promise<void>;
  /** Longest time `close` may take before the process exits 1 anyway, in ms. Default 25 000 (under Kubernetes' 30 s grace period). */
  readonly timeoutMs?: number;
}

/**
 * Runs `close` on the first SIGTERM or SIGINT, then exits: 0 when it finished, 1 when it failed or
 * took longer than `timeoutMs`.
 *
 * The listeners stay installed for the whole shutdown, and later signals are ignored. Apollo
 * Server installs its own SIGTERM/SIGINT listener, which stops that server and then sends the
 * signal again; with no listener of ours left, that second signal would kill the process with
 * code 143 while it was still flushing and closing its event log.
 */
export function handleShutdownSignals({ name, logger, close, timeoutMs = 25_000 }: ShutdownOptions): void {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, `${name} shutting down`);
    // Not unref'd: a close that waits on something that will never happen must end in this exit
    // with a message, not in a silent exit 0 once nothing else keeps the event loop alive.
    setTimeout(() => {
      logger.error({ timeoutMs }, `${name} did not shut down within ${timeoutMs} ms; exiting`);
      process.exit(1);
    }, timeoutMs);
    try {
      await close();
      logger.info(`${name} stopped`);
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, `${name} did not shut down cleanly`);
      process.exit(1);
    }
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void stop(signal));
}

/**
 * The configuration from the environment, or, when a setting is wrong, its message on stderr
 * and exit code 2: how every command of the project starts.
 */
export function configOrExit(subgraphs: readonly SubgraphManifest[]): Config {
  try {
    return loadConfig(process.env, subgraphs);
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(2);
  }
}

/**
 * The one way a service runs as its own process: read and validate the config, check that its
 * port (the `port` setting) is free, open the log, start, and on SIGTERM/SIGINT stop accepting,
 * finish what is in flight and close the log. A start failure a user can fix ends in one sentence
 * on stderr (see `start-failure.ts`), anything else in a fatal log line with its stack.
 */
export function runServiceMain(
  { name, subgraphs, port }: ServiceMainOptions,
  start: (config: Config, log: EventLog, logger: Logger) => Promise<{ close(): Promise<void> }>,
): void {
  const config = configOrExit(subgraphs);
  const logger = createLogger({ level: config.LOG_LEVEL, pretty: config.LOG_PRETTY ?? process.stdout.isTTY, name });
  const settings: StartSettings = {
    host: config.HOST,
    ports: [port(config)],
    brokers: config.KAFKA_BROKERS,
  };
  void checkPortsFree(settings.host, settings.ports)
    .then(() => run(config, logger))
    .catch((error: unknown) => exitFailedStart(error, settings, logger, name));

  function run(config: Config, logger: Logger): void {
    const log = openEventLog(config, logger, name);
    const tracing = startTracing({ serviceName: config.OTEL_SERVICE_NAME ?? name, exporter: config.OTEL_TRACES_EXPORTER });
    const started = tracing.then(() => start(config, log, logger));
    // Installed before the start resolves: a signal during a long replay stops the service once it
    // is up (within the shutdown timeout), instead of killing it halfway.
    handleShutdownSignals({
      name,
      logger,
      close: async () => {
        const service = await started.catch(() => undefined);
        await service?.close();
        await log.close();
        // The spans of the shutdown itself included.
        await (await tracing.catch(() => undefined))?.shutdown();
      },
    });
    started.catch(async (error: unknown) => {
      await log.close().catch(() => undefined);
      exitFailedStart(error, settings, logger, name);
    });
  }
}

/**
 * Runs the subgraph `name` of `subgraphs` as its own process ({@link runServiceMain}), started by
 * the module its manifest names: its port from `<settings>_PORT`, and the topic names of every
 * subgraph of the list with `TOPIC_PREFIX` in front.
 */
export function runSubgraphMain(name: string, subgraphs: readonly SubgraphManifest[]): void {
  const subgraph = subgraphs.find((candidate) => candidate.name === name);
  if (!subgraph) throw new Error(`no subgraph ${name} in the list (${subgraphs.map((s) => s.name).join(', ')})`);
  const port = (config: Config): PortSetting => {
    const settings = subgraphSettingsOf(config, name);
    return { setting: settings.portSetting, port: settings.port };
  };
  runServiceMain({ name, subgraphs, port }, async (config, log, logger) => {
    const start = await loadSubgraphStart(subgraph);
    return start({
      log,
      logger,
      host: config.HOST,
      port: port(config).port,
      partitions: config.TOPIC_PARTITIONS,
      retention: config.TOPIC_RETENTION,
      topics: topicNames(subgraphs, config.TOPIC_PREFIX),
      mutationTimeoutMs: config.MUTATION_TIMEOUT_MS,
      consistencyTimeoutMs: config.CONSISTENCY_TIMEOUT_MS,
      production: config.NODE_ENV === 'production',
      ...(config.SUBGRAPH_SECRET ? { secret: config.SUBGRAPH_SECRET } : {}),
      snapshots: snapshotSettingsFrom(config, log),
    });
  });
}

/**
 * Ends a process whose start failed, with exit code 1: one plain sentence on stderr when the user
 * can fix the cause, else a fatal log line with the error and its stack.
 */
export function exitFailedStart(error: unknown, settings: StartSettings, logger: Logger, name: string): never {
  const message = startFailureMessage(error, settings);
  if (message) console.error(message);
  else logger.fatal({ err: error }, `${name} failed to start`);
  process.exit(1);
}
