import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EventLog } from './log/port.ts';
import type { Projector } from './projector.ts';
import type { SnapshotStats } from './snapshot/snapshotter.ts';

/**
 * Prometheus metrics, one registry per process, labelled by service: `npm start` runs every
 * service in one process and serves them all on one `/metrics`; a service in its own process
 * serves its own. Counts the projector already keeps are read at scrape time, so the hot path
 * pays nothing; lag asks the log for its high-water marks.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

interface ProjectionSource {
  readonly service: string;
  readonly projector: Projector;
  readonly log: EventLog;
}

interface SubscriptionSource {
  readonly service: string;
  stats(): { active: number; hydrations: number; delivered: number };
}

const projections = new Set<ProjectionSource>();
const subscriptions = new Set<SubscriptionSource>();

/** Exposes a service's projector (applied, rejected, skipped, lag, replay) until the returned function is called. */
export function registerProjectionMetrics(source: ProjectionSource): () => void {
  projections.add(source);
  return () => projections.delete(source);
}

/** Exposes a gateway's subscription counters until the returned function is called. */
export function registerSubscriptionMetrics(source: SubscriptionSource): () => void {
  subscriptions.add(source);
  return () => subscriptions.delete(source);
}

type Kind = 'applied' | 'rejected' | 'skipped';
const perTopic = (kind: Kind) =>
  function (this: Counter<'service' | 'topic'>) {
    this.reset();
    for (const { service, projector } of projections) {
      for (const [topic, counts] of Object.entries(projector.stats().byTopic)) this.inc({ service, topic }, counts[kind]);
    }
  };

new Counter({
  name: 'shop_events_applied_total',
  help: 'Events applied to a read model, per service and topic.',
  labelNames: ['service', 'topic'],
  registers: [metricsRegistry],
  collect: perTopic('applied'),
});
new Counter({
  name: 'shop_events_rejected_total',
  help: 'Events refused when applied (a lost version race), per service and topic.',
  labelNames: ['service', 'topic'],
  registers: [metricsRegistry],
  collect: perTopic('rejected'),
});
new Counter({
  name: 'shop_records_skipped_total',
  help: 'Records skipped because they are not valid events (each logged with topic/partition/offset).',
  labelNames: ['service', 'topic'],
  registers: [metricsRegistry],
  collect: perTopic('skipped'),
});
new Gauge({
  name: 'shop_replay_seconds',
  help: 'How long the replay at start took (absent while it runs).',
  labelNames: ['service'],
  registers: [metricsRegistry],
  collect() {
    this.reset();
    for (const { service, projector } of projections) {
      const seconds = projector.stats().replaySeconds;
      if (seconds !== undefined) this.set({ service }, seconds);
    }
  },
});
/** A gauge per service from its snapshot stats (absent for a service that keeps none, or has no such figure yet). */
const snapshotGauge = (name: string, help: string, value: (stats: SnapshotStats) => number | undefined) =>
  new Gauge({
    name,
    help,
    labelNames: ['service'],
    registers: [metricsRegistry],
    collect() {
      this.reset();
      for (const { service, projector } of projections) {
        const stats = projector.snapshotStats();
        const figure = stats && value(stats);
        if (figure !== undefined) this.set({ service }, figure);
      }
    },
  });
snapshotGauge('shop_snapshot_age_seconds', 'Seconds since this instance last saved a snapshot of its read model.', (stats) =>
  stats.last ? (Date.now() - stats.last.savedAtMs) / 1000 : undefined,
);
snapshotGauge('shop_snapshot_bytes', 'Size of the last snapshot this instance saved.', (stats) => stats.last?.bytes);
snapshotGauge('shop_snapshot_duration_seconds', 'How long the last snapshot took, from capture to stored.', (stats) =>
  stats.last ? stats.last.durationMs / 1000 : undefined,
);
snapshotGauge(
  'shop_snapshot_capture_seconds',
  'How long the last snapshot held the event loop (copying the state); the rest ran in the background.',
  (stats) => (stats.last ? stats.last.captureMs / 1000 : undefined),
);
snapshotGauge('shop_snapshot_failed_saves_total', 'Snapshots that could not be saved since start.', (stats) => stats.failedSaves);
new Gauge({
  name: 'shop_snapshot_offset',
  help: 'Where the last saved snapshot (or the one this instance started from) stands: the next offset per topic and partition.',
  labelNames: ['service', 'topic', 'partition'],
  registers: [metricsRegistry],
  collect() {
    this.reset();
    for (const { service, projector } of projections) {
      const stats = projector.snapshotStats();
      const positions = stats?.last?.positions ?? stats?.startedFrom?.positions;
      for (const [topic, partitions] of Object.entries(positions ?? {})) {
        for (const [partition, offset] of Object.entries(partitions)) this.set({ service, topic, partition }, offset);
      }
    }
  },
});
new Gauge({
  name: 'shop_snapshots_ignored_total',
  help: 'Stored snapshots not used at start, by reason: corrupt, format, model (another state version), topics (recreated).',
  labelNames: ['service', 'reason'],
  registers: [metricsRegistry],
  collect() {
    this.reset();
    for (const { service, projector } of projections) {
      for (const [reason, count] of Object.entries(projector.snapshotStats()?.ignored ?? {}))
        this.set({ service, reason }, count);
    }
  },
});
new Gauge({
  name: 'shop_ready',
  help: '1 once the replay at start has caught up, else 0.',
  labelNames: ['service'],
  registers: [metricsRegistry],
  collect() {
    this.reset();
    for (const { service, projector } of projections) this.set({ service }, projector.isReady() ? 1 : 0);
  },
});
new Gauge({
  name: 'shop_projection_lag',
  help: 'Records in the log not applied yet (high-water mark minus applied offset), per service and topic.',
  labelNames: ['service', 'topic'],
  registers: [metricsRegistry],
  async collect() {
    this.reset();
    for (const { service, projector, log } of projections) {
      const applied = projector.position();
      for (const topic of Object.keys(applied)) {
        try {
          const marks = await log.highWaterMarks(topic);
          const lag = Object.entries(marks).reduce(
            (sum, [p, hw]) => sum + Math.max(0, hw - (applied[topic]?.[Number(p)] ?? 0)),
            0,
          );
          this.set({ service, topic }, lag);
        } catch {
          // The log is down: no figure rather than a wrong one; /readyz says why.
        }
      }
    }
  },
});
new Gauge({
  name: 'shop_subscriptions_active',
  help: 'Open GraphQL subscriptions.',
  labelNames: ['service'],
  registers: [metricsRegistry],
  collect() {
    this.reset();
    for (const { service, stats } of subscriptions) this.set({ service }, stats().active);
  },
});
new Counter({
  name: 'shop_subscription_hydrations_total',
  help: 'Hydration queries run for subscription payloads (shared by subscribers with the same selection).',
  labelNames: ['service'],
  registers: [metricsRegistry],
  collect() {
    this.reset();
    for (const { service, stats } of subscriptions) this.inc({ service }, stats().hydrations);
  },
});
new Counter({
  name: 'shop_subscription_payloads_total',
  help: 'Subscription payloads delivered.',
  labelNames: ['service'],
  registers: [metricsRegistry],
  collect() {
    this.reset();
    for (const { service, stats } of subscriptions) this.inc({ service }, stats().delivered);
  },
});

const mutations = new Histogram({
  name: 'shop_mutation_seconds',
  help: 'Mutation latency: decide, append, wait until applied.',
  labelNames: ['service', 'operation', 'outcome'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

/** Records one mutation's latency and whether it succeeded. */
export function observeMutation(service: string, operation: string, seconds: number, ok: boolean): void {
  mutations.observe({ service, operation, outcome: ok ? 'ok' : 'error' }, seconds);
}

/** The Prometheus exposition of this process. */
export async function metricsText(): Promise<{ contentType: string; body: string }> {
  return { contentType: metricsRegistry.contentType, body: await metricsRegistry.metrics() };
}
