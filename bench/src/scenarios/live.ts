/**
 * Live latency: a mutation sent → its `purchaseMade` payload (fields of three subgraphs) at a
 * subscriber, at a fixed rate; against a raw kafkajs produce → consume on the same broker.
 * Both are open loops: a message is sent on schedule whether or not the last one arrived, as
 * independent clients would.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { interleave, sleep, waitForProgress } from '../compare.ts';
import type { BenchContext } from '../context.ts';
import { randomPair } from '../data.ts';
import { postGraphQL } from '../http-load.ts';
import { CREATE_PURCHASE_ID, PURCHASE_MADE } from '../operations.ts';
import { perSecond, type Row } from '../report.ts';
import { Samples, type Measurement } from '../stats.ts';
import type { SystemUnderTest } from '../systems.ts';

/** Calls `fire(i)` at `rate` per second for `seconds`, on schedule (late ticks are not skipped). */
async function openLoop(rate: number, seconds: number, fire: (i: number) => void): Promise<number> {
  const count = Math.max(1, Math.round(rate * seconds));
  const startedAt = performance.now();
  for (let i = 0; i < count; i++) {
    const due = startedAt + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    fire(i);
  }
  return count;
}

interface PurchaseMadePayload {
  readonly purchaseMade?: { readonly position?: string; readonly purchase?: { readonly id?: string } };
}

export interface StreamFailures {
  count: number;
  first?: string;
}

/**
 * One subscriber, as a careful client writes it: when the stream fails it subscribes again with
 * `after` = the last position it saw, so no purchase is missed (the gateway replays them).
 */
function subscribe(
  url: string,
  onPurchase: (id: string, at: number) => void,
): { client: Client; failures: StreamFailures; dispose: () => Promise<void> } {
  const client = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: false });
  const failures: StreamFailures = { count: 0 };
  let position: string | undefined;
  let stopped = false;
  let unsubscribe: () => void = () => undefined;
  const failed = (reason: unknown) => {
    failures.count++;
    failures.first ??= reason instanceof Error ? reason.message : JSON.stringify(reason).slice(0, 300);
    // Bounded: a stream that fails at once every time must not spin.
    if (!stopped && failures.count < 1_000) setTimeout(start, 50);
  };
  function start(): void {
    if (stopped) return;
    unsubscribe = client.subscribe<PurchaseMadePayload>(
      { query: PURCHASE_MADE, variables: position ? { after: position } : {} },
      {
        next: (result) => {
          const at = performance.now();
          const made = result.data?.purchaseMade;
          if (made?.position) position = made.position;
          const id = made?.purchase?.id;
          if (id && !result.errors?.length) onPurchase(id, at);
          else {
            failures.count++;
            failures.first ??= JSON.stringify(result.errors ?? result).slice(0, 300);
          }
        },
        error: failed,
        complete: () => {
          if (!stopped) failed(new Error('the gateway completed the subscription'));
        },
      },
    );
  }
  start();
  return {
    client,
    failures,
    dispose: async () => {
      stopped = true;
      unsubscribe();
      await client.dispose();
    },
  };
}

export async function liveRows(ctx: BenchContext, system: SystemUnderTest): Promise<Row[]> {
  const { options, small, kafka, runPrefix } = ctx;
  const rate = options.mutationRate;
  // How long the last payloads may take after the last mutation before they count as lost.
  const settle = options.quick ? { stallMs: 3_000, capMs: 15_000 } : { stallMs: 10_000, capMs: 60_000 };

  // The baseline: producer and consumer in this process, on a topic of their own.
  const topic = `${runPrefix}latency`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }] });
  await admin.disconnect();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const consumer = kafka.consumer({ groupId: `bench-latency-${randomUUID()}` });
  let onRaw: (key: string, at: number) => void = () => undefined;
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ message }) => onRaw(message.value?.toString() ?? '', performance.now()),
  });

  // The system: one subscriber on the gateway, mutations through it.
  let onPayload: (id: string, at: number) => void = () => undefined;
  const subscriber = subscribe(system.url, (id, at) => onPayload(id, at));

  try {
    // The subscription is live once the gateway counts it; events before that would be lost.
    const activeBefore = Date.now();
    for (;;) {
      const { extra } = await system.gateway.stats();
      if ((extra?.active ?? 0) >= 1) break;
      if (Date.now() - activeBefore > 30_000) throw new Error('the live-latency subscription did not become active within 30 s');
      await sleep(20);
    }

    let round = 0;
    const raw = async (seconds: number): Promise<Measurement> => {
      const tag = `r${round++}-`;
      const sentAt = new Map<string, number>();
      const latencies = new Samples();
      let errors = 0;
      let firstError: string | undefined;
      onRaw = (key, at) => {
        const sent = sentAt.get(key);
        if (sent === undefined) return;
        sentAt.delete(key);
        latencies.add(at - sent);
      };
      const started = performance.now();
      const count = await openLoop(rate, seconds, (i) => {
        const key = `${tag}${i}`;
        sentAt.set(key, performance.now());
        producer.send({ topic, acks: -1, messages: [{ value: key }] }).catch((error: unknown) => {
          errors++;
          firstError ??= (error as Error).message;
        });
      });
      await waitForProgress(() => latencies.size + errors, count, settle);
      return {
        latencies,
        operations: latencies.size,
        errors: count - latencies.size,
        seconds: (performance.now() - started) / 1000,
        ...(firstError ? { firstError } : {}),
      };
    };

    /** How long the mutations' own answers took (read-your-writes included), over every round. */
    const answers = new Samples();
    const viaSystem = async (seconds: number): Promise<Measurement> => {
      const sentById = new Map<string, number>();
      const arrivedById = new Map<string, number>();
      const latencies = new Samples();
      let errors = 0;
      let firstError: string | undefined;
      onPayload = (id, at) => {
        const sent = sentById.get(id);
        if (sent === undefined) arrivedById.set(id, at);
        else {
          sentById.delete(id);
          latencies.add(at - sent);
        }
      };
      const started = performance.now();
      const count = await openLoop(rate, seconds, () => {
        const sent = performance.now();
        postGraphQL(system.url, { query: CREATE_PURCHASE_ID, variables: { input: randomPair(small) } })
          .then((response) => {
            answers.add(performance.now() - sent);
            const id = (JSON.parse(response.text) as { data?: { createPurchase?: { id?: string } } }).data?.createPurchase?.id;
            if (!id) throw new Error(response.text.slice(0, 300));
            // The payload may come before the mutation's own answer.
            const arrived = arrivedById.get(id);
            if (arrived === undefined) sentById.set(id, sent);
            else {
              arrivedById.delete(id);
              latencies.add(arrived - sent);
            }
          })
          .catch((error: unknown) => {
            errors++;
            firstError ??= (error as Error).message;
          });
      });
      await waitForProgress(() => latencies.size + errors, count, settle);
      return {
        latencies,
        operations: latencies.size,
        errors: count - latencies.size,
        seconds: (performance.now() - started) / 1000,
        ...(firstError ? { firstError } : {}),
      };
    };

    ctx.progress(`live latency: ${rate} mutations/s → purchaseMade, vs kafkajs produce → consume`);
    const { measured, baseline } = await interleave(viaSystem, raw, options);
    const medianRatio = measured.latencies.median / baseline.latencies.median;
    const p99Ratio = measured.latencies.p99 / baseline.latencies.p99;
    const measuredSide = {
      label: `mutation → purchaseMade payload, ${rate}/s`,
      medianMs: measured.latencies.median,
      p99Ms: measured.latencies.p99,
      value: perSecond(measured.operations / measured.seconds, 'payloads'),
    };
    const baselineSide = {
      label: `kafkajs produce → consume, ${rate}/s`,
      medianMs: baseline.latencies.median,
      p99Ms: baseline.latencies.p99,
      value: perSecond(baseline.operations / baseline.seconds, 'records'),
    };
    const lost = [
      measured.errors
        ? `${measured.errors} of ${measured.errors + measured.operations} mutations got no payload in time${measured.firstError ? ` (first error: ${measured.firstError})` : ''}`
        : undefined,
      baseline.errors ? `${baseline.errors} raw records not consumed in time` : undefined,
      subscriber.failures.count
        ? `the subscription failed ${subscriber.failures.count} time(s) and was resumed with after (first: ${subscriber.failures.first})`
        : undefined,
    ].filter(Boolean);
    const note = [
      `the mutation's own answer (the purchases subgraph has applied it) took ${answers.median.toFixed(2)} ms median, ${answers.p99.toFixed(1)} ms p99`,
      ...lost,
    ].join('; ');
    return [
      {
        scenario: 'live latency: median',
        measured: measuredSide,
        baseline: baselineSide,
        ratio: medianRatio,
        target: 'median ≤ 2×',
        met: options.quick ? undefined : medianRatio <= 2,
        note,
      },
      {
        scenario: 'live latency: p99',
        measured: measuredSide,
        baseline: baselineSide,
        ratio: p99Ratio,
        target: 'p99 ≤ 3×',
        met: options.quick ? undefined : p99Ratio <= 3,
      },
    ];
  } finally {
    await subscriber.dispose();
    await consumer.disconnect();
    await producer.disconnect();
  }
}
