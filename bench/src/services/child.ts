/**
 * The child side of the bench's IPC protocol (see `../processes.ts`): report ready, answer
 * requests, report own CPU time and memory, and on `stop` close and exit normally, so that a
 * `--cpu-prof` profile gets written.
 */
import type { ChildMessage, ChildRequest, ProcessStats } from '../processes.ts';

export type Handlers = Record<string, (payload: unknown) => unknown>;

export interface ServedChild {
  /** What the bench learns once the child is ready (URLs, ports). */
  readonly info: unknown;
  readonly handlers?: Handlers;
  /** Extra counters for `stats`. */
  readonly counters?: () => Record<string, number>;
  close(): Promise<void>;
}

const send = (message: ChildMessage): void => {
  process.send?.(message);
};

/** The JSON argument the bench passed to this child. */
export function childConfig<T>(): T {
  const raw = process.argv[2];
  if (!raw) throw new Error('this is a bench child process: start it through the bench (npm run bench)');
  return JSON.parse(raw) as T;
}

/** Memory after a full garbage collection (the child must run with `--expose-gc`). */
export function fullGc(): NodeJS.MemoryUsage {
  if (!globalThis.gc) throw new Error('start this child with --expose-gc');
  // Twice: the first pass may leave garbage that only becomes unreachable after finalizers ran.
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage();
}

/** Starts what `start` returns and serves the protocol until told to stop, or the bench goes away. */
export function serveChild(start: () => Promise<ServedChild>): void {
  start().then(
    (served) => {
      let stopping = false;
      const stop = async (): Promise<void> => {
        if (stopping) return;
        stopping = true;
        await served.close().catch((error: unknown) => console.error('close failed', error));
        process.exit(0);
      };
      process.on('message', (request: ChildRequest) => {
        if (request.kind === 'stop') return void stop();
        void (async () => {
          try {
            let result: unknown;
            if (request.kind === 'stats') {
              result = {
                cpu: process.cpuUsage(),
                memory: process.memoryUsage(),
                extra: served.counters?.() ?? {},
              } satisfies ProcessStats;
            } else {
              const handler = served.handlers?.[request.kind];
              if (!handler) throw new Error(`no handler for ${request.kind}`);
              result = await handler(request.payload);
            }
            send({ type: 'reply', id: request.id, ok: true, result });
          } catch (error) {
            send({
              type: 'reply',
              id: request.id,
              ok: false,
              error: error instanceof Error ? (error.stack ?? error.message) : String(error),
            });
          }
        })();
      });
      // The bench died without stopping us: do not linger as an orphan holding ports and consumers.
      process.on('disconnect', () => void stop());
      send({ type: 'ready', info: served.info });
    },
    (error: unknown) => {
      const message: ChildMessage = {
        type: 'failed',
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      };
      // IPC is asynchronous: exit only once the message is out, or the bench learns nothing.
      if (process.send) process.send(message, () => process.exit(1));
      else process.exit(1);
    },
  );
}
