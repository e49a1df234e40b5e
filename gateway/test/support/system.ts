import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createEmbeddedLog, createLogger, encodeEvent, type EventLog } from '@shop/event-core';
import { eventTopics, type EventTopics } from '@shop/schema';
import { startSystem, type RunningSystem, type SystemOptions } from '@shop/system';

/** The whole system on a throw-away embedded log, on free loopback ports. */
export async function startTestSystem(options: Partial<Omit<SystemOptions, 'log' | 'logger'>> = {}): Promise<{
  system: RunningSystem;
  log: EventLog;
  topics: EventTopics;
  url: string;
  close(): Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'shop-gateway-test-'));
  const log = createEmbeddedLog({ file: join(dir, 'events.sqlite') });
  const topics = eventTopics(`t${randomUUID().slice(0, 8)}.`);
  const system = await startSystem({
    log,
    logger: createLogger({ level: 'silent' }),
    topics,
    ports: { gateway: 0, products: 0, customers: 0, purchases: 0 },
    // Tests here also send hostile requests to a subgraph itself.
    openSubgraphs: true,
    ...options,
  });
  return {
    system,
    log,
    topics,
    url: system.gateway.url,
    async close() {
      await system.close();
      await log.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Appends `count` ProductCreated events straight to the log: a long log without a mutation each. */
export async function seedProducts(log: EventLog, topic: string, count: number): Promise<void> {
  const at = new Date().toISOString();
  const records = Array.from({ length: count }, (_, i) => {
    const id = `seed-${i}-${randomUUID().slice(0, 8)}`;
    return encodeEvent({
      id: randomUUID(),
      type: 'ProductCreated',
      entityId: id,
      version: 1,
      occurredAt: at,
      data: { id, name: `Seeded ${i}`, price: '1.00', createdAt: at, updatedAt: at, deletedAt: null },
      meta: {},
      schemaVersion: 1,
    });
  });
  for (let i = 0; i < records.length; i += 500) await log.append(topic, records.slice(i, i + 500));
}

/** A graphql-ws client on the gateway, with the given Origin header and connection params. */
export function socketClient(
  url: string,
  { origin, params }: { origin?: string; params?: Record<string, unknown> } = {},
): Client {
  class OriginWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, origin ? { headers: { origin } } : {});
    }
  }
  return createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: OriginWebSocket,
    retryAttempts: 0,
    lazy: true,
    ...(params ? { connectionParams: params } : {}),
  });
}

/** Polls `condition` every 20 ms until it holds; fails with `message` after `timeoutMs`. */
export async function until(condition: () => boolean | Promise<boolean>, message: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${message}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** POSTs a GraphQL request and returns the status and parsed body. */
export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{
  status: number;
  text: string;
  json: { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json = {};
  try {
    json = JSON.parse(text) as object;
  } catch {
    // Not JSON: the test looks at the status and text.
  }
  return { status: response.status, text, json };
}
