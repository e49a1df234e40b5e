/**
 * `npm run start:kafka`: the local Kafka broker, then each subgraph and the gateway as its own
 * process, all on that broker (or on KAFKA_BROKERS when it is set). Ctrl-C stops them all; the
 * broker is stopped too if this command started it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKafka } from '../../infra/kafka/kafka.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const broker = process.env.KAFKA_BROKERS ? undefined : await startKafka({});
const brokers = process.env.KAFKA_BROKERS ?? broker!.brokers.join(',');
const env = { ...process.env, KAFKA_BROKERS: brokers };

const services = [
  ['products', 'subgraphs/products/src/main.ts'],
  ['customers', 'subgraphs/customers/src/main.ts'],
  ['purchases', 'subgraphs/purchases/src/main.ts'],
  ['gateway', 'gateway/src/main.ts'],
] as const;

let stopping = false;

const children: ChildProcess[] = services.map(([name, entry]) => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, entry)], { env, stdio: 'inherit' });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`${name} exited (${signal ?? code}); stopping the others`);
    void stop(1);
  });
  return child;
});

console.log(`\n  Starting every service as its own process on Kafka (${brokers}).`);
console.log(`  Gateway: http://localhost:${process.env.GATEWAY_PORT ?? 4000}/graphql  (ready when /readyz says so)\n`);

async function stop(code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
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
  await broker?.stop();
  process.exit(code);
}
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
