import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddedLog, createLogger } from '@shop/event-core';
import { eventTopics } from '@shop/schema';
import { startSystem, type SystemOptions } from '@shop/system';

export interface TestSystem {
  /** The gateway's GraphQL URL. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The whole system in this process, the way the e2e suite starts it: embedded log in a fresh
 * directory, every service on a free port, topics of its own; `options` adds to that (e.g. `security`).
 */
export async function startTestSystem(options: Partial<Omit<SystemOptions, 'log' | 'logger'>> = {}): Promise<TestSystem> {
  const dir = mkdtempSync(join(tmpdir(), 'shop-client-'));
  const log = createEmbeddedLog({ file: join(dir, 'events.sqlite') });
  const logger = createLogger({ level: (process.env.TEST_LOG_LEVEL as 'info' | undefined) ?? 'silent' });
  const system = await startSystem({
    log,
    logger,
    topics: eventTopics(`client.${randomUUID().slice(0, 8)}.`),
    ports: { gateway: 0, products: 0, customers: 0, purchases: 0 },
    mutationTimeoutMs: 15_000,
    ...options,
  });
  return {
    url: system.gateway.url,
    async close() {
      await system.close();
      await log.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
