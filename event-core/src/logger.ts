import { createRequire } from 'node:module';
import { pino, type Logger as PinoLogger, type LevelWithSilent } from 'pino';

/** The one logger of the project: structured JSON lines, child loggers per module. */
export type Logger = PinoLogger;

export interface LoggerOptions {
  /** Default `info`; `silent` in tests. */
  readonly level?: LevelWithSilent;
  readonly name?: string;
  /** Pretty, human-readable lines instead of JSON (local development). Default false. */
  readonly pretty?: boolean;
  /** How `pino-pretty` is looked for; default Node's resolution (see {@link prettyAvailable}). */
  readonly resolve?: (name: string) => string;
}

/**
 * Is `pino-pretty` installed? It is a development dependency: a production image has none, and
 * asking pino for it there would crash the process (as `docker run -it` would, a terminal).
 * `resolve` is Node's module resolution; tests pass one that finds nothing.
 */
export function prettyAvailable(resolve: (name: string) => string = createRequire(import.meta.url).resolve): boolean {
  try {
    resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/** The logger; `pretty` falls back to JSON lines where `pino-pretty` is not installed. */
export function createLogger({ level = 'info', name, pretty = false, resolve }: LoggerOptions = {}): Logger {
  return pino({
    level,
    ...(name ? { name } : {}),
    ...(pretty && prettyAvailable(resolve)
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
