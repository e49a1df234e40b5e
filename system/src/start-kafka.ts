/**
 * `npm run start:kafka`: the local Kafka broker, then each subgraph and the gateway as its own
 * process, all on that broker (or on KAFKA_BROKERS when it is set). Prints where everything is once
 * the gateway is ready. Ctrl-C stops them all, and the broker too if this command started it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkPortsFree,
  configOrExit,
  startFailureMessage,
  subgraphSettingsOf,
  type PortSetting,
  type StartSettings,
} from '@shop/event-core';
import { SUBGRAPHS } from '@shop/schema';
import { startKafka, type RunningKafka } from '../../infra/kafka/kafka.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const startedAt = Date.now();

const config = configOrExit(SUBGRAPHS);

/** Each service: its name, the file its process runs, and its port. */
const services: readonly { readonly name: string; readonly main: string; readonly port: PortSetting }[] = [
  ...SUBGRAPHS.map(({ name, main }) => {
    const { portSetting, port } = subgraphSettingsOf(config, name);
    return { name, main, port: { setting: portSetting, port } };
  }),
  {
    name: 'gateway',
    main: join(root, 'gateway', 'src', 'main.ts'),
    port: { setting: 'GATEWAY_PORT', port: config.GATEWAY_PORT },
  },
];
const settings: StartSettings = {
  host: config.HOST,
  ports: services.map(({ port }) => port),
  brokers: config.KAFKA_BROKERS,
};

const children: ChildProcess[] = [];
let broker: Promise<RunningKafka | undefined> = Promise.resolve(undefined);
let stopping = false;

let stopped: Promise<never> | undefined;

/**
 * Stops the services, then the broker if this command started it, and exits with `code`. Once:
 * later calls and signals (npm and tsx pass a Ctrl-C on as SIGTERM too) wait for the first.
 * Installed before the broker starts, so a Ctrl-C while it is starting stops it once it is up,
 * instead of leaving it running with no one to stop it.
 */
function stop(code = 0): Promise<never> {
  stopping = true;
  stopped ??= (async () => {
    if (children.length > 0) console.log('\n  Stopping the services…');
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    const running = await broker.catch(() => undefined);
    if (running?.alreadyRunning) {
      console.log(
        `  Kafka on ${running.brokers.join(',')} was running before; it keeps running (\`npm run kafka:stop\` stops it).`,
      );
    } else if (running) {
      console.log('  Stopping Kafka…');
      await running.stop();
      console.log('  Kafka stopped.');
    }
    process.exit(code);
  })();
  return stopped;
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

/** A start failure: its sentence (or the error itself when it is not one a user can fix), then stop. */
async function fail(error: unknown): Promise<never> {
  console.error(startFailureMessage(error, settings) ?? (error instanceof Error ? error.message : error));
  return stop(1);
}

await checkPortsFree(settings.host, settings.ports).catch(fail);
broker = config.KAFKA_BROKERS ? Promise.resolve(undefined) : startKafka({});
const brokers = config.KAFKA_BROKERS?.join(',') ?? (await broker.catch(fail))!.brokers.join(',');
// A Ctrl-C while the broker started: `stop` is already stopping it, start nothing more.
if (!stopping) await run(brokers);

/** Starts every service on `brokers` and says where they are once the gateway is ready. */
async function run(brokers: string): Promise<void> {
  const env = { ...process.env, KAFKA_BROKERS: brokers };
  for (const { name, main } of services) {
    const child = spawn(process.execPath, ['--import', 'tsx', main], { env, stdio: 'inherit' });
    child.on('exit', (code, signal) => {
      if (stopping) return;
      console.error(`${name} exited (${signal ?? code}); stopping the others`);
      void stop(1);
    });
    children.push(child);
  }

  const host = config.HOST === '0.0.0.0' ? 'localhost' : config.HOST;
  const base = `http://${host}:${config.GATEWAY_PORT}`;
  console.log(`\n  Starting every service as its own process on Kafka (${brokers})…\n`);
  // Ready when the gateway says so: it answers /readyz once every subgraph it federates answers.
  const ready = () =>
    fetch(`${base}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
  while (!stopping && !(await ready())) await new Promise((resolve) => setTimeout(resolve, 250));
  if (!stopping) {
    const running = await broker;
    console.log(
      [
        '',
        `  Shop back office is up in ${((Date.now() - startedAt) / 1000).toFixed(1)} s, on Kafka (${brokers}), every service its own process`,
        '',
        `  Dashboard  ${base}/`,
        `  Playground ${base}/playground`,
        `  GraphQL    ${base}/graphql   (HTTP and graphql-ws)`,
        `  Health     ${base}/healthz   Ready ${base}/readyz`,
        ...SUBGRAPHS.map(
          ({ name }, i) =>
            `${i === 0 ? '  Subgraphs  ' : '             '}${name} http://${host}:${subgraphSettingsOf(config, name).port}/graphql`,
        ),
        '',
        '  The data is in Kafka; what `npm start` kept in its embedded log (DATA_DIR) is not read here.',
        running && !running.alreadyRunning
          ? '  Ctrl-C stops every service and the broker; the data stays.'
          : '  Ctrl-C stops every service; the broker keeps running, and the data stays.',
        '',
      ].join('\n'),
    );
  }
}
