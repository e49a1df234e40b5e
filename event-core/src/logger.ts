import { pino, type Logger as PinoLogger, type LevelWithSilent } from 'pino';

/** The one logger of the project: structured JSON lines, child loggers per module. */
export type Logger = PinoLogger;

export interface LoggerOptions {
  /** Default `info`; `silent` in tests. */
  readonly level?: LevelWithSilent;
  readonly name?: string;
  /** Pretty, human-readable lines instead of JSON (local development). Default false. */
  readonly pretty?: boolean;
}

export function createLogger({ level = 'info', name, pretty = false }: LoggerOptions = {}): Logger {
  return pino({
    level,
    ...(name ? { name } : {}),
    ...(pretty
      ? {
          transport: {
            target: 'pino-pretty',
            options: { colorize: true, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss.l' },
          },
        }
      : {}),
  });
}

/** A logger that drops everything, for tests. */
export const silentLogger: Logger = pino({ level: 'silent' });
