/**
 * Helpers of the fault tests (`e2e/faults/`): clients that keep writing while something breaks,
 * services as their own processes, and reading a topic back to count what is really in the log.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { EventLog, Logger, LogRecord } from '@shop/event-core';
import { graphql } from './graphql.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** A port nothing listens on right now, from the OS. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no free port')),
      );
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

/** Polls `condition` every `intervalMs` until it holds; fails with `label` after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  label: string,
  timeoutMs = 60_000,
  intervalMs = 100,
): Promise<number> {
  const startedAt = Date.now();
  for (;;) {
    if (await condition()) return Date.now() - startedAt;
    if (Date.now() - startedAt > timeoutMs) throw new Error(`${label}: not within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}

/** A logger whose JSON lines the test can read (pino's own format: `msg`, `level`, fields). */
export function capturingLogger(level: 'warn' | 'info' = 'warn'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level }, sink), lines };
}

/** HTTP status of a service's `GET /readyz` (0 when nothing answers), on a fresh connection. */
export function readyStatus(serviceUrl: string, timeoutMs = 5_000): Promise<number> {
  const url = new URL('/readyz', serviceUrl);
  return new Promise((resolveStatus) => {
    const req = request(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolveStatus(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolveStatus(0));
    req.end();
  });
}

/** What one client request ended with. `network` is a failure before any HTTP response. */
export interface Outcome<T = unknown> {
  readonly label: string;
  readonly ok: boolean;
  readonly data?: T;
  readonly code?: string;
  readonly message?: string;
  readonly extensions?: Record<string, unknown>;
  readonly network?: string;
  readonly startedAt: number;
  readonly ms: number;
}

/** Runs one GraphQL request and records its outcome instead of throwing. */
export async function attempt<T>(
  label: string,
  url: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<Outcome<T>> {
  const startedAt = Date.now();
  try {
    const result = await graphql<T>(url, query, variables);
    const error = result.errors?.[0];
    const ms = Date.now() - startedAt;
    if (!error && result.data) return { label, ok: true, data: result.data, startedAt, ms };
    return {
      label,
      ok: false,
      code: String(error?.extensions?.code ?? `HTTP ${result.status}`),
      message: error?.message ?? '',
      extensions: error?.extensions ?? {},
      startedAt,
      ms,
    };
  } catch (error) {
    return {
      label,
      ok: false,
      network: (error as NodeJS.ErrnoException).code ?? (error as Error).message,
      startedAt,
      ms: Date.now() - startedAt,
    };
  }
}

/**
 * `clients` concurrent loops, each calling `step(client, n)` until `stop()` (or `maxPerClient`
 * steps). A failed step is followed by `pauseAfterFailureMs`, as a real client would back off.
 */
export function runClients<T>(
  clients: number,
  step: (client: number, n: number) => Promise<Outcome<T>>,
  { maxPerClient = Number.MAX_SAFE_INTEGER, pauseAfterFailureMs = 100 } = {},
): { outcomes: Outcome<T>[]; stop(): Promise<Outcome<T>[]>; done: Promise<Outcome<T>[]> } {
  const outcomes: Outcome<T>[] = [];
  let stopped = false;
  const loops = Array.from({ length: clients }, async (_, client) => {
    for (let n = 0; n < maxPerClient && !stopped; n++) {
      const outcome = await step(client, n);
      outcomes.push(outcome);
      if (!outcome.ok) await sleep(pauseAfterFailureMs);
    }
  });
  const done = Promise.all(loops).then(() => outcomes);
  return {
    outcomes,
    done,
    async stop() {
      stopped = true;
      return done;
    },
  };
}

/** Every record of `topic` up to its current high-water marks, read with a follower of its own. */
export async function readTopic(log: EventLog, topic: string, timeoutMs = 60_000): Promise<LogRecord[]> {
  const marks = await log.highWaterMarks(topic);
  const total = Object.values(marks).reduce((sum, mark) => sum + mark, 0);
  const records: LogRecord[] = [];
  if (total === 0) return records;
  let done!: () => void;
  const complete = new Promise<void>((resolveDone) => (done = resolveDone));
  const follower = await log.follow(topic, {
    onBatch: (batch) => {
      for (const record of batch) if (record.offset < (marks[record.partition] ?? 0)) records.push(record);
      if (records.length >= total) done();
    },
  });
  const timer = new Promise<never>((_, reject) =>
    setTimeout(
      () => reject(new Error(`read ${records.length} of ${total} records of ${topic} in ${timeoutMs} ms`)),
      timeoutMs,
    ).unref(),
  );
  try {
    await Promise.race([complete, timer]);
  } finally {
    await follower.close();
  }
  return records;
}

/** The sum of a topic's high-water marks: how many records it holds. */
export async function recordCount(log: EventLog, topic: string): Promise<number> {
  return Object.values(await log.highWaterMarks(topic)).reduce((sum, mark) => sum + mark, 0);
}

/** A service running as its own process (`node --import tsx <entry>`), as in production. */
export interface ServiceProcess {
  readonly child: ChildProcess;
  /** Everything it wrote to stdout and stderr, for a failure message. */
  output(): string;
  /** Resolves with how it ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  kill(signal: NodeJS.Signals): void;
}

/**
 * Starts `entry` (relative to the repository) with exactly `env` on top of PATH and HOME, so no
 * KAFKA_BROKERS or DATA_DIR of the calling shell leaks into it.
 */
export function spawnService(entry: string, env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, entry)], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_PRETTY: 'false', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    // The tail is what explains a failure; a long run must not grow without bound.
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit({ code, signal, at: Date.now() })),
  );
  return {
    child,
    output: () => output,
    exited,
    kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** Waits until a service answers `/readyz` with 200, or fails with its output when it exits first. */
export async function waitReady(service: ServiceProcess, url: string, timeoutMs = 90_000): Promise<number> {
  let exited = false;
  void service.exited.then(() => (exited = true));
  return waitUntil(
    async () => {
      if (exited) throw new Error(`the service exited before it was ready:\n${service.output()}`);
      return (await readyStatus(url)) === 200;
    },
    `ready at ${url}`,
    timeoutMs,
    200,
  );
}

/** A page of a Relay connection, as the read models and the GraphQL lists return it. */
interface Page<T> {
  readonly nodes: readonly T[];
  readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
}

/** Every node of a connection, page by page (500 is the largest page a list serves). */
export async function everyNode<T>(
  page: (args: { first: number; after: string | null }) => Page<T> | Promise<Page<T>>,
): Promise<T[]> {
  const nodes: T[] = [];
  let after: string | null = null;
  for (;;) {
    const current: Page<T> = await page({ first: 500, after });
    nodes.push(...current.nodes);
    if (!current.pageInfo.hasNextPage) return nodes;
    after = current.pageInfo.endCursor;
  }
}
