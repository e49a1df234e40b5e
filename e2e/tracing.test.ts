import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { createKafkaLog, startTracing, type EventLog, type Position, type Tracing } from '@shop/event-core';
import { eventTopics } from '@shop/schema';
import type { RunningSystem } from '@shop/system';
import { waitUntil } from './support/faults.ts';
import { graphql, ok } from './support/graphql.ts';
import { CREATE_PURCHASE } from './support/operations.ts';
import { createProductAndCustomer, startTestSystem } from './support/scenario.ts';
import { collect, wsClient } from './support/ws.ts';

const brokers = inject('kafkaBrokers').split(',');

const PURCHASE_MADE = /* GraphQL */ `
  subscription ($productId: ID) {
    purchaseMade(productId: $productId) {
      position
      purchase {
        id
        product {
          name
        }
        customer {
          firstName
          purchaseCount
        }
      }
    }
  }
`;

/** A client's own trace context: W3C `traceparent` of a span it is in. */
const clientContext = () => {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
};

/** The record a change's payload `position` points just past (one topic, one partition). */
async function recordAt(log: EventLog, topic: string, token: string) {
  const position = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Position;
  const [partition, next] = Object.entries(position[topic] ?? {})[0] ?? [];
  if (partition === undefined || next === undefined) throw new Error(`no ${topic} in ${token}`);
  const [record] = await log.read(topic, Number(partition), [next - 1]);
  return record!;
}

/**
 * OpenTelemetry, off by default (docs/observability.md): one trace from a client's request
 * through the gateway and a subgraph to the Kafka record, and from its `traceparent` header to
 * the projection that applies it and the subscription payload it causes.
 */
describe('tracing across the gateway, the subgraphs and Kafka', () => {
  const topics = eventTopics(`trace.${randomUUID().slice(0, 8)}.`);
  const exporter = new InMemorySpanExporter();
  let log: EventLog;
  let system: RunningSystem;
  let url: string;
  let tracing: Tracing | undefined;
  let seed: { productId: string; customerId: string };

  beforeAll(async () => {
    log = createKafkaLog({ brokers, clientId: `e2e-trace-${randomUUID().slice(0, 8)}` });
    system = await startTestSystem(log, topics);
    url = system.gateway.url;
    seed = await createProductAndCustomer(url, { name: 'Traced', price: '2.00' }, { firstName: 'Tracy', lastName: 'Span' });
  });
  afterAll(async () => {
    await tracing?.shutdown();
    await system?.close();
    await log?.close();
  });

  const subscribeAndBuy = async (headers: Record<string, string>) => {
    const client = wsClient(url);
    const sub = collect(client, PURCHASE_MADE, { productId: seed.productId });
    try {
      // A subscription starts at the live edge once the gateway has it: buy until a purchase
      // reaches it, then make the traced one.
      await waitUntil(async () => {
        await ok(url, CREATE_PURCHASE, { input: seed });
        await sub.waitFor(1, 1_000).catch(() => undefined);
        return sub.results.length > 0;
      }, 'the subscription is live');
      const bought = await graphql<{ createPurchase: { id: string } }>(url, CREATE_PURCHASE, { input: seed }, headers);
      expect(bought.errors).toBeUndefined();
      const { id } = bought.data!.createPurchase;
      const ofIt = () => sub.results.find((result) => result.purchaseMade.purchase.id === id);
      await waitUntil(() => ofIt() !== undefined, 'the payload of the traced purchase', 20_000, 20);
      return { id, payload: ofIt()!.purchaseMade };
    } finally {
      sub.dispose();
      await client.dispose();
    }
  };

  it('is off by default: no span, and no trace context in the records', async () => {
    const { payload } = await subscribeAndBuy({ traceparent: clientContext().traceparent });
    const record = await recordAt(log, topics.purchases, payload.position);
    expect(record.headers.traceparent).toBeUndefined();
    expect(record.headers['event-type']).toBe('PurchaseMade');
  });

  it('follows one purchase from the client to the record, its projection and the subscription payload', async () => {
    tracing = await startTracing({ serviceName: 'shop-test', exporter });
    const client = clientContext();
    const { id, payload } = await subscribeAndBuy({ traceparent: client.traceparent });
    expect(payload.purchase).toMatchObject({ id, product: { name: 'Traced' }, customer: { firstName: 'Tracy' } });

    // The record carries the trace: its parent is the span that appended it.
    const record = await recordAt(log, topics.purchases, payload.position);
    expect(record.headers.traceparent).toMatch(new RegExp(`^00-${client.traceId}-[0-9a-f]{16}-01$`));
    const publishSpanId = record.headers.traceparent!.split('-')[2];

    const ofTrace = (): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === client.traceId);
    const named = (name: string) => ofTrace().filter((s) => s.name === name);
    await waitUntil(() => named('hydrate purchase change').length > 0, 'the hydration span', 20_000, 20);
    await waitUntil(() => named(`apply ${topics.purchases}`).length >= 2, 'the apply spans', 20_000, 20);

    const byId = new Map(ofTrace().map((s) => [s.spanContext().spanId, s]));
    const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
    /** The names of a span's ancestors, nearest first, within this trace. */
    const ancestry = (span: ReadableSpan): string[] => {
      const names: string[] = [];
      for (let at = byId.get(parentOf(span) ?? ''); at; at = byId.get(parentOf(at) ?? '')) names.push(at.name);
      return names;
    };

    // The gateway continues the client's span; the subgraph call and the append are under it.
    const [entry] = named('gateway POST /graphql');
    expect(parentOf(entry!)).toBe(client.spanId);
    const [publish] = named(`publish ${topics.purchases}`);
    expect(publish!.spanContext().spanId).toBe(publishSpanId);
    // @apollo/gateway's own spans (request, plan execution, one fetch per subgraph call) are in between.
    expect(ancestry(publish!)).toEqual([
      'purchases POST /graphql',
      'gateway.fetch',
      'gateway.execute',
      'gateway.request',
      'gateway POST /graphql',
    ]);

    // Every reader of the record continues from it: the purchases projection and the gateway's feed.
    const applied = named(`apply ${topics.purchases}`);
    expect(applied.every((s) => parentOf(s) === publishSpanId)).toBe(true);
    expect(applied.map((s) => s.attributes['shop.projector']).sort()).toEqual(['gateway-subscriptions', 'purchases']);

    // The payload's hydration is in the same trace, and so is the subgraph call it made: one, as
    // the purchases subgraph provides the product's and customer's names itself.
    const [hydrate] = named('hydrate purchase change');
    expect(parentOf(hydrate!)).toBe(publishSpanId);
    const underHydration = ofTrace().filter((s) => ancestry(s).includes('hydrate purchase change'));
    expect(underHydration.filter((s) => s.name.endsWith('POST /graphql')).map((s) => s.name)).toEqual([
      'purchases POST /graphql',
    ]);
  });
});
