import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LogUnavailableError } from '../src/log/port.ts';
import { checkPortsFree, StartFailure, startFailureMessage, type StartSettings } from '../src/start-failure.ts';

const host = '127.0.0.1';
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A port some other program holds. */
async function busyPort(): Promise<number> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as { port: number }).port;
}

async function freePort(): Promise<number> {
  const port = await busyPort();
  await new Promise((resolve) => servers.pop()!.close(resolve));
  return port;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to fail');
}

describe('checking ports before a start', () => {
  it('names the setting of a port in use and says what to do', async () => {
    const gateway = await busyPort();
    const error = await failure(checkPortsFree(host, [{ setting: 'GATEWAY_PORT', port: gateway }]));
    expect(error).toBeInstanceOf(StartFailure);
    expect(error.message).toBe(
      `Port ${gateway} (GATEWAY_PORT) on 127.0.0.1 is already in use, perhaps by another instance of the shop: stop it, or set GATEWAY_PORT to a free port.`,
    );
  });

  it('names every port in use at once, and only those', async () => {
    const [gateway, products, customers] = [await busyPort(), await freePort(), await busyPort()];
    const error = await failure(
      checkPortsFree(host, [
        { setting: 'GATEWAY_PORT', port: gateway },
        { setting: 'PRODUCTS_PORT', port: products },
        { setting: 'CUSTOMERS_PORT', port: customers },
      ]),
    );
    expect(error.message).toMatch(
      new RegExp(
        `^Ports ${gateway} \\(GATEWAY_PORT\\) and ${customers} \\(CUSTOMERS_PORT\\) on 127\\.0\\.0\\.1 are already in use`,
      ),
    );
    expect(error.message).toContain('set GATEWAY_PORT and CUSTOMERS_PORT to free ports');
    expect(error.message).not.toContain('PRODUCTS_PORT');
  });

  it('passes free ports and port 0, and leaves them free', async () => {
    const port = await freePort();
    await checkPortsFree(host, [
      { setting: 'GATEWAY_PORT', port },
      { setting: 'PRODUCTS_PORT', port: 0 },
    ]);
    const server = createServer();
    servers.push(server);
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  });
});

describe('the sentence a failed start ends in', () => {
  const settings: StartSettings = { host, ports: [{ setting: 'PURCHASES_PORT', port: 4003 }], brokers: ['127.0.0.1:9092'] };
  const listenError = (code: string, port: number) =>
    Object.assign(new Error(`listen ${code}: 127.0.0.1:${port}`), { code, port });

  it('names the setting of a port taken after the check', () => {
    expect(startFailureMessage(listenError('EADDRINUSE', 4003), settings)).toBe(
      'Port 4003 (PURCHASES_PORT) on 127.0.0.1 is already in use, perhaps by another instance of the shop: stop it, or set PURCHASES_PORT to a free port.',
    );
    expect(startFailureMessage(listenError('EACCES', 4003), settings)).toMatch(/set PURCHASES_PORT to a port above 1023\.$/);
  });

  it('says that HOST is not an address here', () => {
    expect(startFailureMessage(listenError('EADDRNOTAVAIL', 4003), { ...settings, host: '10.9.9.9' })).toMatch(
      /^HOST=10\.9\.9\.9 is not an address of this machine: set HOST/,
    );
  });

  it('tells a broker that does not answer from one that refuses', () => {
    const down = new LogUnavailableError(
      'Kafka is unavailable (eventbus.products): Connection error: connect ECONNREFUSED 127.0.0.1:9092',
    );
    expect(startFailureMessage(down, settings)).toMatch(
      /^No Kafka broker answers at 127\.0\.0\.1:9092 \(KAFKA_BROKERS\): start one \(`npm run kafka:start`/,
    );
    const refused = new LogUnavailableError('Kafka is unavailable (eventbus.products): SASL PLAIN authentication failed');
    expect(startFailureMessage(refused, settings)).toMatch(
      /^Kafka at 127\.0\.0\.1:9092 \(KAFKA_BROKERS\) refused .*KAFKA_SASL_ settings\.$/,
    );
  });

  it('leaves a fault of the program to the log, with its stack', () => {
    expect(startFailureMessage(new TypeError('x is undefined'), settings)).toBeUndefined();
    expect(startFailureMessage(new LogUnavailableError('disk full'), { ...settings, brokers: undefined })).toBeUndefined();
  });
});
