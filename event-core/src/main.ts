import { ConfigError, loadConfig, type Config } from './config.ts';
import { createLogger, type Logger } from './logger.ts';
import type { EventLog } from './log/port.ts';
import { openEventLog } from './open-log.ts';

/**
 * The one way a service runs as its own process: read and validate the config, open the log,
 * start, and on SIGTERM/SIGINT stop accepting, finish what is in flight and close the log.
 */
export function runServiceMain(
  name: string,
  start: (config: Config, log: EventLog, logger: Logger) => Promise<{ close(): Promise<void> }>,
): void {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(2);
  }
  const logger = createLogger({ level: config.LOG_LEVEL, pretty: config.LOG_PRETTY ?? process.stdout.isTTY, name });
  const log = openEventLog(config, logger, name);
  start(config, log, logger).then(
    (service) => {
      let stopping = false;
      const stop = async (signal: string): Promise<void> => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, `${name} shutting down`);
        await service.close();
        await log.close();
        process.exit(0);
      };
      process.once('SIGTERM', () => void stop('SIGTERM'));
      process.once('SIGINT', () => void stop('SIGINT'));
    },
    async (error: unknown) => {
      logger.fatal({ err: error }, `${name} failed to start`);
      await log.close().catch(() => undefined);
      process.exit(1);
    },
  );
}
