import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmbeddedLog, provisionEventTopics } from '@shop/event-core';
import { eventTopics } from '@shop/schema';
import { freePort, spawnService, waitUntil, type ServiceProcess } from '../support/faults.ts';

// SIGTERM to the gateway running as its own process, on the embedded log.

describe('SIGTERM to the gateway process', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'shop-gateway-term-'));
  const file = join(dir, 'events.sqlite');
  let gateway: ServiceProcess | undefined;
  afterAll(() => {
    gateway?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops, closes the event log it opened and exits 0', async () => {
    // The subgraphs' topics, as they would have made them: the gateway's change feed follows them.
    const log = createEmbeddedLog({ file });
    await provisionEventTopics(log, Object.values(eventTopics()));
    await log.close();

    const port = await freePort();
    gateway = spawnService('gateway/src/main.ts', { DATA_DIR: dir, GATEWAY_PORT: String(port), LOG_LEVEL: 'info' });
    let exited = false;
    void gateway.exited.then(() => (exited = true));
    // No subgraph runs, so it is never ready; alive is enough: it listens once its feed has replayed.
    await waitUntil(async () => {
      if (exited) throw new Error(`the gateway exited before it listened:\n${gateway!.output()}`);
      return (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.status === 200;
    }, 'the gateway answers /healthz');
    // SQLite keeps its write-ahead log beside the file while a connection is open, and deletes
    // it when the last one is closed: a process that exits with the log still open leaves it.
    expect(existsSync(`${file}-wal`)).toBe(true);

    gateway.kill('SIGTERM');
    const exit = await gateway.exited;

    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
    expect(gateway.output()).toContain('gateway stopped');
    expect(existsSync(`${file}-wal`)).toBe(false);
  });
});
