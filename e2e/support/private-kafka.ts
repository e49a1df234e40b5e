import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKafka, stopKafka } from '../../infra/kafka/kafka.ts';
import { freePort, REPO_ROOT } from './faults.ts';

/** A broker of one test's own, which it may stop and start at will. */
export interface PrivateKafka {
  readonly brokers: string[];
  /** Stops the broker (SIGTERM, a clean shutdown; `force`: SIGKILL, a crash). Its data stays. */
  stop(options?: { force?: boolean }): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /**
   * Suspends the JVM (SIGSTOP): connections stay open and the kernel still accepts new ones, but
   * nothing answers, as with a long GC pause or a network partition. Requests sent meanwhile are
   * processed when it resumes.
   */
  freeze(): Promise<void>;
  /** Resumes a frozen broker (SIGCONT). */
  thaw(): Promise<void>;
  /** Stops it and deletes its data. */
  dispose(): Promise<void>;
}

/**
 * Starts a single-node broker in a scratch directory on free ports, next to the shared one (which
 * other test files use concurrently and which must never be stopped here). It reuses the shared
 * broker's jars when they were fetched already. Starting a JVM takes 5 to 30 s on a busy machine.
 */
export async function startPrivateKafka(): Promise<PrivateKafka> {
  const dir = mkdtempSync(join(tmpdir(), 'shop-kafka-'));
  const sharedLibs = join(process.env.KAFKA_HOME_DIR || join(REPO_ROOT, '.kafka'), 'libs');
  const options = {
    port: await freePort(),
    controllerPort: await freePort(),
    dir,
    ...(existsSync(sharedLibs) ? { libsDir: sharedLibs } : {}),
    log: () => {},
  };
  const start = async (): Promise<void> => {
    const broker = await startKafka({ ...options, readyTimeoutMs: 120_000 });
    // Another broker answering on "our" free port would be stopped by nobody and stop nothing.
    if (broker.alreadyRunning) throw new Error(`port ${options.port} is taken by another broker`);
  };
  const signal = async (name: NodeJS.Signals): Promise<void> => {
    // The pid file, not kafkaStatus: its probe would wait on a frozen broker.
    process.kill(Number(readFileSync(join(dir, 'kafka.pid'), 'utf8').trim()), name);
  };
  await start();
  return {
    brokers: [`127.0.0.1:${options.port}`],
    async stop({ force = false } = {}) {
      await stopKafka({ ...options, force });
    },
    start,
    freeze: () => signal('SIGSTOP'),
    thaw: () => signal('SIGCONT'),
    async dispose() {
      // A frozen JVM ignores SIGTERM until it resumes; SIGKILL ends it either way.
      await stopKafka({ ...options, force: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
