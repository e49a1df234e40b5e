/**
 * The processes a bench run starts, and the small IPC protocol between them and the bench.
 *
 * Every service under test runs in a process of its own, as in production (`npm run start:kafka`):
 * the load generator must not share an event loop with what it measures, and the two gateways
 * compared must each have a process of their own in front of the same subgraphs.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Environment of every process the bench starts. `@apollo/gateway` otherwise reports usage to
 * Apollo and, to describe itself, probes cloud metadata endpoints (AWS, GCP, Azure) at start: traffic
 * off this machine, and CPU the benchmark would measure.
 */
export const CHILD_ENV: Readonly<Record<string, string>> = { APOLLO_TELEMETRY_DISABLED: 'true' };

/** A request from the bench to a child, answered by the child's handler of that kind. */
export interface ChildRequest {
  readonly id: number;
  readonly kind: string;
  readonly payload?: unknown;
}

export type ChildMessage =
  | { readonly type: 'ready'; readonly info: unknown }
  | { readonly type: 'reply'; readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly type: 'reply'; readonly id: number; readonly ok: false; readonly error: string }
  | { readonly type: 'failed'; readonly error: string };

/** What every service child answers to `stats`: its own CPU time and memory, read in-process. */
export interface ProcessStats {
  readonly cpu: NodeJS.CpuUsage;
  readonly memory: NodeJS.MemoryUsage;
  readonly extra?: Record<string, number>;
}

export interface RunningChild<Info> {
  readonly name: string;
  readonly info: Info;
  readonly pid: number;
  request<T>(kind: string, payload?: unknown, timeoutMs?: number): Promise<T>;
  stats(): Promise<ProcessStats>;
  /** Asks the child to close what it runs and exit (so a `--cpu-prof` profile is written), then kills it if it does not. */
  stop(): Promise<void>;
}

export interface ChildOptions {
  /** Passed to the child as its one argument, JSON-encoded. */
  readonly config: unknown;
  /** Extra node flags, e.g. `--expose-gc`, `--cpu-prof`. */
  readonly nodeFlags?: readonly string[];
  readonly readyTimeoutMs?: number;
}

/** Forwards a child's output to the bench's stderr, one prefixed line at a time, and keeps its tail. */
function forwardOutput(name: string, child: ChildProcess, tail: string[]): void {
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        process.stderr.write(`  [${name}] ${line}\n`);
        tail.push(line);
        if (tail.length > 20) tail.shift();
      }
    });
  }
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Starts `bench/src/services/<entry>.ts` under tsx and resolves with what it reports once ready.
 * The child speaks the protocol of `child.ts`.
 */
export function startChild<Info>(
  name: string,
  entry: string,
  { config, nodeFlags = [], readyTimeoutMs = 600_000 }: ChildOptions,
): Promise<RunningChild<Info>> {
  const child = fork(join(REPO_ROOT, 'bench', 'src', 'services', entry), [JSON.stringify(config)], {
    cwd: REPO_ROOT,
    execArgv: [...nodeFlags, '--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, ...CHILD_ENV, LOG_PRETTY: 'false' },
  });
  const tail: string[] = [];
  forwardOutput(name, child, tail);
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const failAll = (error: Error) => {
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  child.on('exit', (code, signal) =>
    failAll(new Error(`${name} exited (${signal ?? code})${tail.length ? `; last output:\n${tail.join('\n')}` : ''}`)),
  );

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} was not ready within ${readyTimeoutMs / 1000} s`));
    }, readyTimeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(
          `${name} exited before it was ready (${signal ?? code})${tail.length ? `; last output:\n${tail.join('\n')}` : ''}`,
        ),
      );
    });
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(`${name} failed to start: ${message.error}`));
        return;
      }
      if (message.type === 'reply') {
        const waiter = pending.get(message.id);
        pending.delete(message.id);
        if (message.ok) waiter?.resolve(message.result);
        else waiter?.reject(new Error(`${name}: ${message.error}`));
        return;
      }
      clearTimeout(timer);
      const running: RunningChild<Info> = {
        name,
        info: message.info as Info,
        pid: child.pid!,
        request<T>(kind: string, payload?: unknown, timeoutMs = 600_000): Promise<T> {
          const id = nextId++;
          return new Promise<T>((resolveRequest, rejectRequest) => {
            const requestTimer = setTimeout(() => {
              pending.delete(id);
              rejectRequest(new Error(`${name} did not answer ${kind} within ${timeoutMs / 1000} s`));
            }, timeoutMs);
            pending.set(id, {
              resolve: (value) => {
                clearTimeout(requestTimer);
                resolveRequest(value as T);
              },
              reject: (error) => {
                clearTimeout(requestTimer);
                rejectRequest(error);
              },
            });
            child.send({ id, kind, payload } satisfies ChildRequest);
          });
        },
        stats() {
          return running.request<ProcessStats>('stats');
        },
        async stop() {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.send({ id: 0, kind: 'stop' } satisfies ChildRequest);
          if (!(await waitForExit(child, 30_000))) {
            child.kill('SIGKILL');
            await waitForExit(child, 5_000);
          }
        },
      };
      resolve(running);
    });
  });
}

/**
 * Free TCP ports on the loopback interface, for programs that must be told their port before they
 * start (so that a gateway and its subgraphs can start at the same time). All are held open until
 * each is known, so the same port is never handed out twice.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    if (typeof address !== 'object' || !address) throw new Error('no port');
    return address.port;
  });
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** A program that is not ours (the Hive gateway CLI): started with arguments, stopped with SIGTERM. */
export interface RunningProgram {
  readonly pid: number;
  stop(): Promise<void>;
  /** Its last lines of output, to say why it failed. */
  output(): string;
  exited(): boolean;
}

export function startProgram(
  name: string,
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): RunningProgram {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  forwardOutput(name, child, tail);
  return {
    pid: child.pid ?? -1,
    output: () => tail.join('\n'),
    exited: () => child.exitCode !== null || child.signalCode !== null,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 10_000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
    },
  };
}
