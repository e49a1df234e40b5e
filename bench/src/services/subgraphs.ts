/**
 * Bench child: the three subgraphs on Kafka, each with its own event-log client as if it were its
 * own process, all three in this one (fewer processes than cores would otherwise compete on a
 * two-core machine). Reports its URLs once every read model has caught up.
 *
 * The purchases subgraph keeps snapshots in the log's own store, as the services do, but takes
 * them only when asked (`snapshots`: back to back while on, or one every `everyMs`), so that no
 * scenario meets one by chance; one is still saved at a graceful stop.
 */
import { createKafkaLog, createLogger } from '@shop/event-core';
import { startCustomersSubgraph } from '@shop/customers-subgraph';
import { startProductsSubgraph } from '@shop/products-subgraph';
import { startPurchasesSubgraph } from '@shop/purchases-subgraph';
import { eventTopics } from '@shop/schema';
import { childConfig, serveChild } from './child.ts';

export interface SubgraphsConfig {
  readonly brokers: readonly string[];
  readonly prefix: string;
  readonly partitions: number;
  /** Chosen by the bench, so the gateway can be told the URLs before the subgraphs are up. */
  readonly ports: { readonly products: number; readonly customers: number; readonly purchases: number };
}

/** What the snapshots taken while `snapshots` was on cost. */
export interface SnapshotsTaken {
  readonly saved: number;
  /** Capture to stored, summed over every snapshot, in ms. */
  readonly durationMs: number;
  /** The longest a snapshot held the event loop (its copy of the state), in ms. */
  readonly maxCaptureMs: number;
  /** The most CPU a capture took, in ms (the wall time above includes waits for a core). */
  readonly maxCaptureCpuMs: number;
  /** Size of the last one. */
  readonly bytes: number;
}

export interface SubgraphsInfo {
  readonly urls: { readonly products: string; readonly customers: string; readonly purchases: string };
  readonly replaySeconds: number;
}

serveChild(async () => {
  const { brokers, prefix, partitions, ports } = childConfig<SubgraphsConfig>();
  const logger = createLogger({ level: 'warn', name: 'bench-subgraphs' });
  const topics = eventTopics(prefix);
  const logs = ['products', 'customers', 'purchases'].map((name) =>
    createKafkaLog({ brokers, clientId: `bench-${name}`, logger: logger.child({ module: 'kafka', service: name }) }),
  );
  const [productsLog, customersLog, purchasesLog] = logs as [(typeof logs)[0], (typeof logs)[0], (typeof logs)[0]];
  const common = { logger, host: '127.0.0.1', partitions, topics, mutationTimeoutMs: 30_000 };
  const snapshots = {
    store: purchasesLog.snapshotStore!({ topicPrefix: prefix }),
    everyEvents: Number.MAX_SAFE_INTEGER,
    everyMs: 2 ** 31 - 1,
    afterReplayEvents: Number.MAX_SAFE_INTEGER,
  };
  const startedAt = performance.now();
  const [products, customers, purchases] = await Promise.all([
    startProductsSubgraph({ ...common, port: ports.products, log: productsLog }),
    startCustomersSubgraph({ ...common, port: ports.customers, log: customersLog }),
    startPurchasesSubgraph({ ...common, port: ports.purchases, log: purchasesLog, snapshots }),
  ]);
  /** Snapshots saved back to back while on; resolves with what they cost once turned off. */
  let snapshotting: Promise<SnapshotsTaken> | undefined;
  let snapshottingOn = false;
  /** Starts a snapshot every `everyMs` (0: each right after the last), as long as snapshots are on. */
  const snapshotLoop = async (everyMs: number): Promise<SnapshotsTaken> => {
    const taken = { saved: 0, durationMs: 0, maxCaptureMs: 0, maxCaptureCpuMs: 0, bytes: 0 };
    while (snapshottingOn) {
      const startedAt = performance.now();
      const before = purchases.projector.snapshotStats()?.last;
      await purchases.projector.snapshot();
      const last = purchases.projector.snapshotStats()?.last;
      if (last && last !== before) {
        taken.saved++;
        taken.durationMs += last.durationMs;
        taken.maxCaptureMs = Math.max(taken.maxCaptureMs, last.captureMs);
        taken.maxCaptureCpuMs = Math.max(taken.maxCaptureCpuMs, last.captureCpuMs);
        taken.bytes = last.bytes;
        // Until the next is due, or snapshots are turned off (looked at every 50 ms).
        while (snapshottingOn && performance.now() - startedAt < everyMs) await new Promise((resolve) => setTimeout(resolve, 50));
      } else {
        // Nothing new was applied since the last one, so none was taken: look again shortly
        // rather than spin on the event loop the writes need.
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
    return taken;
  };
  return {
    info: {
      urls: { products: products.url, customers: customers.url, purchases: purchases.url },
      replaySeconds: (performance.now() - startedAt) / 1000,
    } satisfies SubgraphsInfo,
    handlers: {
      snapshots: async (payload) => {
        const { on, everyMs = 0 } = payload as { on: boolean; everyMs?: number };
        if (on && !snapshottingOn) {
          snapshottingOn = true;
          snapshotting = snapshotLoop(everyMs);
          return undefined;
        }
        snapshottingOn = false;
        return (await snapshotting) ?? { saved: 0, durationMs: 0, maxCaptureMs: 0, bytes: 0 };
      },
    },
    async close() {
      snapshottingOn = false;
      await snapshotting;
      await Promise.all([products.close(), customers.close(), purchases.close()]);
      await Promise.all(logs.map((log) => log.close()));
    },
  };
});
