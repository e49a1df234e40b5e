import type { Readiness } from '@shop/event-core';

export interface GatewayReadinessOptions {
  /** Every subgraph instance the gateway calls, by name (`products`, or `products#2` of several). */
  readonly instances: ReadonlyMap<string, string>;
  /** Whether the change feed has replayed; undefined when the gateway serves no subscriptions. */
  readonly feedReady?: () => boolean;
  /** Timeout of each instance's probe, in ms. */
  readonly timeoutMs: number;
  readonly production: boolean;
}

/**
 * The gateway's `/readyz`: ready once its change feed has replayed and every subgraph instance
 * answers its own `/readyz` with 200 within `timeoutMs`.
 */
export function gatewayReadiness({
  instances,
  feedReady,
  timeoutMs,
  production,
}: GatewayReadinessOptions): () => Promise<Readiness> {
  return async () => {
    const checks = await Promise.all(
      [...instances].map(async ([name, url]) => {
        try {
          const response = await fetch(new URL('/readyz', url), { signal: AbortSignal.timeout(timeoutMs) });
          return [name, response.ok ? 'ready' : `not ready (${response.status})`] as const;
        } catch (error) {
          return [name, `unreachable (${(error as Error).message})`] as const;
        }
      }),
    );
    const replayed = feedReady ? feedReady() : true;
    return {
      ready: replayed && checks.every(([, state]) => state === 'ready'),
      parts: {
        subscriptions: feedReady ? (replayed ? 'ready' : 'replaying') : 'off',
        // In production a probe learns no internal address or error, only which subgraph is not ready.
        subgraphs: Object.fromEntries(
          checks.map(([name, state]) => [name, production && state !== 'ready' ? 'not ready' : state]),
        ),
      },
    };
  };
}
