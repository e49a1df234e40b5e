/**
 * Fan-out: what one more subscriber costs the gateway per event, against a plain `ws` server
 * sending the same payload bytes to the same number of sockets; whether a thousand subscribers
 * keep up with the event rate; and what idle subscriptions cost in gateway heap.
 *
 * Events are written straight to Kafka (no mutation cost in the gateway). The subscribers live in
 * a process of their own (`services/subscribers.ts`) whose CPU is reported, so neither the bench
 * nor the measured process pays for them.
 */
import { performance } from 'node:perf_hooks';
import { sleep } from '../compare.ts';
import type { BenchContext } from '../context.ts';
import { purchaseMade, randomPair } from '../data.ts';
import { PURCHASE_MADE } from '../operations.ts';
import { startChild, type ProcessStats, type RunningChild } from '../processes.ts';
import type { Row } from '../report.ts';
import type { BroadcastInfo, BroadcastRequest } from '../services/broadcast.ts';
import type { OpenRequest, SubscriberCounts } from '../services/subscribers.ts';
import type { SystemUnderTest } from '../systems.ts';

const cpuMicros = (stats: ProcessStats): number => stats.cpu.user + stats.cpu.system;
const MB = 1024 * 1024;

/** What sends events to the subscribers of one side, and the process whose CPU is measured. */
interface Side {
  readonly label: string;
  readonly url: string;
  readonly process: { stats(): Promise<ProcessStats> };
  /** Subscriptions the side holds now, as it counts them. */
  active(): Promise<number>;
  /** Sends `events` events at `rate` a second; resolves once the last is sent. */
  send(events: number, rate: number): Promise<void>;
}

interface Measured {
  /** CPU of the side's process per event, idle CPU subtracted, in µs. */
  readonly perEventMicros: number;
  /** Likewise for the subscribers' process. */
  readonly subscribersPerEventMicros: number;
  readonly events: number;
  /** From the first event sent until every subscriber had the last, in s. */
  readonly seconds: number;
  readonly delivered: boolean;
}

/** Waits until the subscribers have received `target` messages, or nothing arrived for `stallMs`. */
async function waitForDeliveries(
  subscribers: RunningChild<unknown>,
  target: number,
  stallMs: number,
): Promise<{ counts: SubscriberCounts; reached: boolean }> {
  let counts = await subscribers.request<SubscriberCounts>('counts');
  let last = counts.payloads + counts.errors;
  let movedAt = Date.now();
  while (counts.payloads + counts.errors < target) {
    if (Date.now() - movedAt > stallMs) return { counts, reached: false };
    await sleep(20);
    counts = await subscribers.request<SubscriberCounts>('counts');
    if (counts.payloads + counts.errors !== last) {
      last = counts.payloads + counts.errors;
      movedAt = Date.now();
    }
  }
  return { counts, reached: true };
}

export async function fanoutRows(ctx: BenchContext, system: SystemUnderTest): Promise<Row[]> {
  const { options, small, producer } = ctx;
  const subscribers = await startChild<unknown>('subscribers', 'subscribers.ts', { config: {} });
  const broadcast = await startChild<BroadcastInfo>('broadcast', 'broadcast.ts', { config: {}, nodeFlags: ['--expose-gc'] });
  const baseActive = (await system.gateway.stats()).extra?.active ?? 0;

  const gateway: Side = {
    label: 'gateway',
    url: system.url.replace(/^http/, 'ws'),
    process: system.gateway,
    active: async () => ((await system.gateway.stats()).extra?.active ?? 0) - baseActive,
    async send(events, rate) {
      const startedAt = performance.now();
      const sends: Promise<unknown>[] = [];
      for (let i = 0; i < events; i++) {
        const wait = startedAt + (i * 1000) / rate - performance.now();
        if (wait > 1) await sleep(wait);
        const { productId, customerId } = randomPair(small);
        sends.push(producer.send({ topic: small.topics.purchases, acks: -1, messages: [purchaseMade(productId, customerId)] }));
      }
      await Promise.all(sends);
    },
  };
  let payload = '';
  const raw: Side = {
    label: 'ws broadcast',
    url: broadcast.info.url,
    process: broadcast,
    active: async () => (await broadcast.stats()).extra?.active ?? 0,
    send: (events, rate) =>
      broadcast.request<number>('send', { payload, events, rate } satisfies BroadcastRequest).then(() => undefined),
  };

  /** Opens subscriptions to `side` until it holds `total`. */
  const open = async (side: Side, total: number) => {
    await subscribers.request('open', { url: side.url, count: total, query: PURCHASE_MADE } satisfies OpenRequest, 300_000);
    const deadline = Date.now() + 120_000;
    while ((await side.active()) < total) {
      if (Date.now() > deadline) throw new Error(`${side.label}: fewer than ${total} subscriptions became active within 120 s`);
      await sleep(50);
    }
  };

  const measure = async (side: Side, sockets: number, rate: number): Promise<Measured> => {
    ctx.progress(`fan-out (${side.label}): ${sockets} subscription(s), ${rate} events/s`);
    const warmup = Math.max(1, Math.round(rate * options.warmupSeconds));
    let counts = await subscribers.request<SubscriberCounts>('counts');
    await side.send(warmup, rate);
    await waitForDeliveries(subscribers, counts.payloads + counts.errors + warmup * sockets, 10_000);

    const idle = async (process: { stats(): Promise<ProcessStats> }) => {
      const start = await process.stats();
      const at = performance.now();
      await sleep(options.quick ? 300 : 1_000);
      return (cpuMicros(await process.stats()) - cpuMicros(start)) / (performance.now() - at);
    };
    const [sideIdle, subscribersIdle] = await Promise.all([idle(side.process), idle(subscribers)]);

    counts = await subscribers.request<SubscriberCounts>('counts');
    const events = Math.max(1, Math.round(rate * options.fanoutSeconds));
    const [sideBefore, subscribersBefore] = await Promise.all([side.process.stats(), subscribers.stats()]);
    const startedAt = performance.now();
    await side.send(events, rate);
    const { reached } = await waitForDeliveries(
      subscribers,
      counts.payloads + counts.errors + events * sockets,
      options.quick ? 3_000 : 10_000,
    );
    const elapsedMs = performance.now() - startedAt;
    const [sideAfter, subscribersAfter] = await Promise.all([side.process.stats(), subscribers.stats()]);
    if (!reached) ctx.progress(`fan-out (${side.label}, ${sockets}): not every payload arrived within the wait`);
    const busy = (before: ProcessStats, after: ProcessStats, idlePerMs: number) =>
      Math.max(cpuMicros(after) - cpuMicros(before) - idlePerMs * elapsedMs, 1) / events;
    return {
      perEventMicros: busy(sideBefore, sideAfter, sideIdle),
      subscribersPerEventMicros: busy(subscribersBefore, subscribersAfter, subscribersIdle),
      events,
      seconds: elapsedMs / 1000,
      delivered: reached,
    };
  };

  /** One subscriber, then N: the CPU one more subscriber adds per event. */
  const perSubscriber = async (side: Side) => {
    await open(side, 1);
    const one = await measure(side, 1, options.eventRate);
    await open(side, options.subscriptions);
    const many = await measure(side, options.subscriptions, options.eventRate);
    const counts = await subscribers.request<SubscriberCounts>('closeAll', undefined, 300_000);
    return {
      one,
      many,
      counts,
      // At least 0.01 µs: with few subscribers (`--quick`) the difference is within the noise of
      // the CPU clocks and can come out negative, which no ratio can be made of.
      marginalMicros: Math.max(0.01, (many.perEventMicros - one.perEventMicros) / (options.subscriptions - 1)),
      keptUp: many.events / many.seconds,
    };
  };

  /** Heap (after a full GC) of the side's process with `count` idle subscriptions, minus without. */
  const idleHeap = async (side: Side, child: RunningChild<unknown>, count: number) => {
    const heap = async () => (await child.request<NodeJS.MemoryUsage>('gc')).heapUsed;
    const before = await heap();
    ctx.progress(`fan-out (${side.label}): ${count.toLocaleString('en-US')} idle subscriptions`);
    await open(side, count);
    const after = await heap();
    await subscribers.request('closeAll', undefined, 300_000);
    return { perSubscription: (after - before) / count, total: after - before };
  };

  try {
    const ours = await perSubscriber(gateway);
    if (!ours.counts.sample) throw new Error('the gateway delivered no payload to sample');
    payload = JSON.stringify((JSON.parse(ours.counts.sample) as { payload: unknown }).payload);
    const base = await perSubscriber(raw);
    const idleCount = options.idleSubscriptions;
    const idleOurs = await idleHeap(gateway, system.gateway, idleCount);
    const idleBase = await idleHeap(raw, broadcast, idleCount);

    const n = options.subscriptions;
    const rate = options.eventRate;
    const problems = [
      ours.one.delivered && ours.many.delivered ? undefined : 'not every payload of the gateway arrived: the deliveries stalled',
      base.one.delivered && base.many.delivered ? undefined : 'not every payload of the ws broadcast arrived',
      ours.counts.errors || ours.counts.resumed
        ? `${ours.counts.errors} payloads carried errors and ${ours.counts.resumed} streams failed and were resumed with after; first: ${ours.counts.firstError}`
        : undefined,
    ].filter(Boolean);
    const micros = (value: number) => `${value.toFixed(1)} µs`;
    const perSubscriberRow: Row = {
      scenario: 'fan-out: CPU per subscriber and event',
      measured: { label: `gateway, ${n.toLocaleString('en-US')} subscriptions`, value: micros(ours.marginalMicros) },
      baseline: { label: `plain ws broadcast of the same payload (${payload.length} bytes)`, value: micros(base.marginalMicros) },
      ratio: ours.marginalMicros / base.marginalMicros,
      target: '≤ 1.5×',
      met: options.quick ? undefined : ours.marginalMicros <= 1.5 * base.marginalMicros,
      note: [
        `CPU one more subscriber adds per event, (N subscriptions − 1) ÷ (N − 1); with all costs divided by N: gateway ${micros(ours.many.perEventMicros / n)}, ws ${micros(base.many.perEventMicros / n)}`,
        `gateway CPU per event with 1 subscription ${micros(ours.one.perEventMicros)} (hydration and payload); the subscribers' process ${micros(ours.many.subscribersPerEventMicros / n)} per payload`,
        ...problems,
      ].join('; '),
    };
    const keepUpRow: Row = {
      scenario: `fan-out: ${n.toLocaleString('en-US')} subscribers at ${rate} events/s`,
      measured: { label: 'gateway, events/s every subscriber had', value: ours.keptUp.toFixed(1) },
      baseline: { label: 'events/s sent', value: String(rate) },
      ratio: ours.keptUp / rate,
      target: '≥ 0.95× (keeps up)',
      met: options.quick ? undefined : ours.keptUp >= 0.95 * rate && ours.many.delivered,
      note: `every subscriber had all ${ours.many.events} events ${ours.many.seconds.toFixed(1)} s after the first was sent; the plain ws broadcast kept up with ${base.keptUp.toFixed(1)} events/s`,
    };
    const idleRow: Row = {
      scenario: `fan-out: ${idleCount.toLocaleString('en-US')} idle subscriptions`,
      measured: { label: 'gateway heap', value: `${(idleOurs.total / MB).toFixed(1)} MB` },
      baseline: { label: 'plain ws server heap, same sockets', value: `${(idleBase.total / MB).toFixed(1)} MB` },
      // A heap can shrink between the two readings (a small --quick count): no ratio below 0.
      ratio: Math.max(idleOurs.total, 1) / Math.max(idleBase.total, 1),
      target: '≤ 10 KB each (100 MB per 10,000)',
      met: options.quick ? undefined : idleOurs.perSubscription <= 10 * 1024,
      note: `heap used after a full GC with the subscriptions open, minus before; one socket and one purchaseMade subscription each: ${(idleOurs.perSubscription / 1024).toFixed(1)} KB each in the gateway, ${(idleBase.perSubscription / 1024).toFixed(1)} KB in the plain ws server`,
    };
    return [perSubscriberRow, keepUpRow, idleRow];
  } finally {
    await subscribers.stop();
    await broadcast.stop();
  }
}
