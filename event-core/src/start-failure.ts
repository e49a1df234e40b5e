import { createServer } from 'node:net';
import { LogDamagedError, LogUnavailableError } from './log/port.ts';

/**
 * Start failures a user can cause (a port in use, a HOST that is not here, a Kafka broker that
 * does not answer) end in one plain sentence that says what to do, instead of a stack trace.
 * Anything else is a fault of the program and keeps its stack trace in the log.
 */

/** A port a process listens on, with the environment variable that sets it. */
export interface PortSetting {
  /** The variable, e.g. `GATEWAY_PORT`. */
  readonly setting: string;
  /** 0 asks the system for a free port (tests) and is never in use. */
  readonly port: number;
}

/** What a process was starting with, to name the setting behind a failure. */
export interface StartSettings {
  readonly host: string;
  readonly ports: readonly PortSetting[];
  /** `KAFKA_BROKERS`; unset on the embedded log. */
  readonly brokers?: readonly string[] | undefined;
}

/** A start failure a user can fix; its message is the one sentence to print. */
export class StartFailure extends Error {
  override readonly name = 'StartFailure';
}

/** How kafkajs says that no broker could be reached (as opposed to refusing, e.g. on credentials). */
const UNREACHABLE = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|Connection (error|timeout)/;

const list = (items: readonly string[]): string =>
  items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;

/** The sentence for ports found in use: every one of them, with its setting. */
export function portsInUseMessage(host: string, busy: readonly PortSetting[]): string {
  const names = busy.map(({ setting, port }) => `${port} (${setting})`);
  const settings = list(busy.map(({ setting }) => setting));
  return busy.length === 1
    ? `Port ${names[0]} on ${host} is already in use, perhaps by another instance of the shop: stop it, or set ${settings} to a free port.`
    : `Ports ${list(names)} on ${host} are already in use, perhaps by another instance of the shop: stop it, or set ${settings} to free ports.`;
}

/**
 * Listens on each port for a moment and lets it go, so that a port in use stops the start before
 * the event log is opened and replayed. Throws a {@link StartFailure} naming every busy port's
 * setting. Another program can still take a port before the service listens on it; that failure
 * is explained by {@link startFailureMessage}.
 */
export async function checkPortsFree(host: string, ports: readonly PortSetting[]): Promise<void> {
  const busy: PortSetting[] = [];
  for (const entry of ports) {
    if (entry.port === 0) continue;
    const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      const server = createServer();
      server.once('error', resolve);
      server.listen({ port: entry.port, host, exclusive: true }, () => server.close(() => resolve(undefined)));
    });
    if (error?.code === 'EADDRINUSE') busy.push(entry);
    else if (error) throw new StartFailure(startFailureMessage(error, { host, ports }) ?? error.message);
  }
  if (busy.length > 0) throw new StartFailure(portsInUseMessage(host, busy));
}

/**
 * The one sentence for a start failure a user can cause, or undefined when `error` is not one
 * (then it is a fault of the program, to be logged with its stack trace).
 */
export function startFailureMessage(error: unknown, { host, ports, brokers }: StartSettings): string | undefined {
  if (error instanceof StartFailure || error instanceof LogDamagedError) return error.message;
  if (error instanceof LogUnavailableError && brokers?.length) {
    const at = `${brokers.join(',')} (KAFKA_BROKERS)`;
    return UNREACHABLE.test(error.message)
      ? `No Kafka broker answers at ${at}: start one (\`npm run kafka:start\` runs a local one) or point KAFKA_BROKERS at a running one, or unset KAFKA_BROKERS to use the embedded log.`
      : `Kafka at ${at} refused to serve this start (${error.message}): check KAFKA_BROKERS, KAFKA_SSL and the KAFKA_SASL_ settings.`;
  }
  const { code, port } = (error ?? {}) as NodeJS.ErrnoException & { port?: number };
  const setting = ports.find((entry) => entry.port === port && port !== 0);
  switch (code) {
    case 'EADDRINUSE':
      return portsInUseMessage(host, [setting ?? { setting: 'the port settings', port: port ?? 0 }]);
    case 'EACCES':
      return setting
        ? `Port ${setting.port} (${setting.setting}) may not be opened by this user: set ${setting.setting} to a port above 1023.`
        : undefined;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `HOST=${host} is not an address of this machine: set HOST to one of its addresses (0.0.0.0 for all of them), or unset it for 127.0.0.1.`;
    default:
      return undefined;
  }
}
