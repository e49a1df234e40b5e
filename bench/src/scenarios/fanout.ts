/**
 * Fan-out: the gateway's CPU time per event with N open `purchaseMade` subscriptions against one,
 * events written straight to Kafka at a fixed rate (no mutation cost in the gateway).
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { sleep, waitForProgress } from '../compare.ts';
import type { BenchContext } from '../context.ts';
import { purchaseMade, randomPair } from '../data.ts';
import { PURCHASE_MADE } from '../operations.ts';
import type { ProcessStats } from '../processes.ts';
import type { Row } from '../report.ts';
import type { SystemUnderTest } from '../systems.ts';

interface Subscriber {
  close(): void;
}

interface Deliveries {
  payloads: number;
  errors: number;
  firstError?: string;
  /** Streams that failed and were resumed with `after`. */
  resumed: number;
}

const POSITION = Buffer.from('"position":"');

/** The payload's `position`, found without parsing the message. */
function positionOf(data: Buffer): string | undefined {
  const at = data.indexOf(POSITION);
  if (at < 0) return undefined;
  const from = at + POSITION.length;
  const to = data.indexOf(0x22, from);
  return to > from ? data.toString('utf8', from, to) : undefined;
}

/**
 * A bare graphql-transport-ws subscriber that counts payloads without parsing them: a thousand of
 * them share the bench's one event loop, which must not become the bottleneck of the measurement.
 * A stream that fails is resumed with `after`, as a careful client does, and counted.
 */
function openSubscriber(wsUrl: string, deliveries: Deliveries): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
    let id = 0;
    let position: string | undefined;
    const subscribe = () => {
      id++;
      socket.send(
        JSON.stringify({
          id: String(id),
          type: 'subscribe',
          payload: { query: PURCHASE_MADE, variables: position ? { after: position } : {} },
        }),
      );
    };
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
    socket.on('error', reject);
    socket.on('message', (data: Buffer) => {
      if (data.includes('"type":"next"')) {
        position = positionOf(data) ?? position;
        if (data.includes('"errors"')) {
          deliveries.errors++;
          deliveries.firstError ??= data.toString('utf8', 0, 300);
        } else deliveries.payloads++;
        return;
      }
      const message = JSON.parse(data.toString('utf8')) as { type: string; payload?: unknown };
      if (message.type === 'connection_ack') {
        subscribe();
        resolve({ close: () => socket.close() });
      } else if (message.type === 'ping') socket.send(JSON.stringify({ type: 'pong' }));
      else if (message.type === 'error' || message.type === 'complete') {
        deliveries.resumed++;
        deliveries.firstError ??= JSON.stringify(message.payload ?? message.type);
        if (deliveries.resumed < 10_000) subscribe();
      }
    });
  });
}

const cpuMicros = (stats: ProcessStats): number => stats.cpu.user + stats.cpu.system;

export async function fanoutRow(ctx: BenchContext, system: SystemUnderTest): Promise<Row> {
  const { options, small, producer } = ctx;
  const wsUrl = system.url.replace(/^http/, 'ws');
  const deliveries: Deliveries = { payloads: 0, errors: 0, resumed: 0 };
  const subscribers: Subscriber[] = [];
  const baseActive = (await system.gateway.stats()).extra?.active ?? 0;

  const open = async (total: number) => {
    while (subscribers.length < total) {
      const batch = Math.min(50, total - subscribers.length);
      subscribers.push(...(await Promise.all(Array.from({ length: batch }, () => openSubscriber(wsUrl, deliveries)))));
    }
    const deadline = Date.now() + 60_000;
    while (((await system.gateway.stats()).extra?.active ?? 0) < baseActive + total) {
      if (Date.now() > deadline) throw new Error(`fewer than ${total} subscriptions became active within 60 s`);
      await sleep(50);
    }
  };

  /** Sends events at the scenario's rate; resolves with how many once every subscriber has them all (or the wait ran out). */
  const send = async (seconds: number): Promise<{ events: number; delivered: boolean }> => {
    const events = Math.max(1, Math.round(options.eventRate * seconds));
    const expected = deliveries.payloads + deliveries.errors + events * subscribers.length;
    const startedAt = performance.now();
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < events; i++) {
      const wait = startedAt + (i * 1000) / options.eventRate - performance.now();
      if (wait > 1) await sleep(wait);
      const { productId, customerId } = randomPair(small);
      sends.push(producer.send({ topic: small.topics.purchases, acks: -1, messages: [purchaseMade(productId, customerId)] }));
    }
    await Promise.all(sends);
    const delivered = await waitForProgress(() => deliveries.payloads + deliveries.errors, expected, {
      stallMs: options.quick ? 3_000 : 10_000,
      capMs: 180_000,
    });
    return { events, delivered };
  };

  /** Gateway CPU per event in ms, with the idle CPU of the same span subtracted. */
  const measure = async (
    label: string,
  ): Promise<{ perEventMs: number; subgraphsPerEventMs: number; delivered: boolean; events: number; seconds: number }> => {
    ctx.progress(`fan-out: ${subscribers.length} subscription(s), ${options.eventRate} events/s`);
    await send(options.warmupSeconds);
    const idleStart = await system.gateway.stats();
    const idleAt = performance.now();
    await sleep(options.quick ? 300 : 1_000);
    const idleEnd = await system.gateway.stats();
    const idleMicrosPerMs = (cpuMicros(idleEnd) - cpuMicros(idleStart)) / (performance.now() - idleAt);

    const [gatewayBefore, subgraphsBefore] = await Promise.all([system.gateway.stats(), system.subgraphs.stats()]);
    const startedAt = performance.now();
    const { events, delivered } = await send(options.fanoutSeconds);
    const elapsedMs = performance.now() - startedAt;
    const [gatewayAfter, subgraphsAfter] = await Promise.all([system.gateway.stats(), system.subgraphs.stats()]);
    const busyMicros = cpuMicros(gatewayAfter) - cpuMicros(gatewayBefore) - idleMicrosPerMs * elapsedMs;
    if (!delivered) ctx.progress(`fan-out (${label}): not every payload arrived within the wait`);
    return {
      perEventMs: Math.max(busyMicros, 1) / 1000 / events,
      subgraphsPerEventMs: (cpuMicros(subgraphsAfter) - cpuMicros(subgraphsBefore)) / 1000 / events,
      delivered,
      events,
      seconds: elapsedMs / 1000,
    };
  };

  try {
    await open(1);
    const one = await measure('1');
    await open(options.subscriptions);
    const many = await measure(String(options.subscriptions));
    const ratio = many.perEventMs / one.perEventMs;
    const n = options.subscriptions;
    const marginalMicros = ((many.perEventMs - one.perEventMs) * 1000) / (n - 1);
    const problems = [
      one.delivered && many.delivered ? undefined : 'not every payload arrived: the deliveries stalled after the last event',
      deliveries.errors || deliveries.resumed
        ? `${deliveries.errors} payloads carried errors and ${deliveries.resumed} streams failed and were resumed with after; first: ${deliveries.firstError}`
        : undefined,
    ].filter(Boolean);
    return {
      scenario: 'fan-out',
      measured: {
        label: `gateway CPU per event, ${n.toLocaleString('en-US')} subscriptions`,
        value: `${many.perEventMs.toFixed(2)} ms/event`,
      },
      baseline: { label: 'gateway CPU per event, 1 subscription', value: `${one.perEventMs.toFixed(2)} ms/event` },
      ratio,
      target: `sub-linear: < ${n.toLocaleString('en-US')}×`,
      met: options.quick ? undefined : ratio < n,
      note: [
        `${marginalMicros.toFixed(1)} µs of gateway CPU per extra subscriber and event; subgraphs CPU per event ${one.subgraphsPerEventMs.toFixed(2)} ms (1) and ${many.subgraphsPerEventMs.toFixed(2)} ms (${n})`,
        `every subscriber had all ${many.events} events ${many.seconds.toFixed(1)} s after the first was sent with ${n} subscriptions (${(many.events / many.seconds).toFixed(1)} events/s kept up with), ${one.seconds.toFixed(1)} s with one`,
        ...problems,
      ].join('; '),
    };
  } finally {
    for (const subscriber of subscribers) subscriber.close();
  }
}
