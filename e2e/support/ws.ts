import { createClient, type Client, type ExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';

/** A bare graphql-ws client on the gateway's /graphql, as any Node program would use it. */
export function wsClient(httpUrl: string, options: { lazy?: boolean } = {}): Client {
  return createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    lazy: options.lazy ?? true,
    retryAttempts: 0,
  });
}

/** Collects a subscription's results until told to stop; errors end it. */
export function collect<T = Record<string, any>>(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const results: T[] = [];
  let error: unknown;
  let completed = false;
  let wake: (() => void) | undefined;
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (result: ExecutionResult<T>) => {
        if (result.errors?.length) error = result.errors;
        else results.push(result.data as T);
        wake?.();
      },
      error: (e) => {
        error = e;
        wake?.();
      },
      complete: () => {
        completed = true;
        wake?.();
      },
    },
  );
  return {
    results,
    get error() {
      return error;
    },
    get completed() {
      return completed;
    },
    dispose,
    /** Waits until `count` results arrived (or an error), bounded by `timeoutMs`. */
    async waitFor(count: number, timeoutMs = 20_000): Promise<T[]> {
      const deadline = Date.now() + timeoutMs;
      while (results.length < count && !error && !completed) {
        if (Date.now() > deadline) throw new Error(`expected ${count} results, got ${results.length}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
      if (error) throw new Error(`subscription failed: ${JSON.stringify(error, Object.getOwnPropertyNames(error as object))}`);
      return results;
    },
    /** Waits for the subscription to fail and returns the error. */
    async failure(timeoutMs = 10_000): Promise<unknown> {
      const deadline = Date.now() + timeoutMs;
      while (!error && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      return error;
    },
  };
}
