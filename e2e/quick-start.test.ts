import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, REPO_ROOT, waitUntil } from './support/faults.ts';

// The README's first command, exactly as a newcomer runs it: `npm start` builds the dashboard,
// starts the whole system on the embedded log, prints where everything is, stops cleanly on
// Ctrl-C, and finds its data again on the next start.

interface Started {
  readonly output: () => string;
  readonly exited: Promise<number | null>;
  /** Ctrl-C in a terminal: SIGINT to the whole process group (npm, tsx, node). */
  interrupt(): void;
}

function npmStart(env: Record<string, string>): Started {
  const child = spawn('npm', ['start'], {
    cwd: REPO_ROOT,
    // Only what a fresh shell has, plus the test's ports and data directory.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const keep = (chunk: Buffer): void => void (output = (output + chunk.toString('utf8')).slice(-20_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return {
    output: () => output,
    exited: new Promise((resolveExit) => child.once('exit', (code) => resolveExit(code))),
    interrupt: () => process.kill(-child.pid!, 'SIGINT'),
  };
}

async function graphql(url: string, query: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown };
  if (!body.data || body.errors) throw new Error(`GraphQL failed: ${JSON.stringify(body)}`);
  return body.data;
}

describe('npm start (the quick start)', { timeout: 300_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'shop-quick-start-'));
  const running: Started[] = [];
  afterAll(async () => {
    for (const started of running) {
      try {
        started.interrupt();
      } catch {
        // already gone
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async (ports: Record<string, string>): Promise<Started> => {
    const started = npmStart({ DATA_DIR: dataDir, ...ports });
    running.push(started);
    let exitedEarly = false;
    void started.exited.then(() => (exitedEarly = true));
    await waitUntil(
      () => {
        if (exitedEarly) throw new Error(`npm start exited before it was up:\n${started.output()}`);
        return started.output().includes('Shop back office is up');
      },
      'npm start is up',
      240_000,
      200,
    );
    return started;
  };

  // npm itself dies of the SIGINT, as in a terminal; what counts is that the system below it
  // shuts down cleanly (flushes and closes the log) and says so.
  const stop = async (started: Started): Promise<void> => {
    started.interrupt();
    await waitUntil(() => started.output().includes('shop stopped'), 'a clean shutdown', 60_000, 100);
    expect(started.output()).not.toContain('did not shut down');
  };

  it('serves the dashboard, the playground and the graph, refuses a second start on its ports, stops on Ctrl-C, and keeps its data', async () => {
    const ports = {
      GATEWAY_PORT: String(await freePort()),
      PRODUCTS_PORT: String(await freePort()),
      CUSTOMERS_PORT: String(await freePort()),
      PURCHASES_PORT: String(await freePort()),
    };
    const base = `http://127.0.0.1:${ports.GATEWAY_PORT}`;

    const first = await start(ports);
    expect(first.output()).toContain('the embedded log');
    for (const line of [`Dashboard  ${base}/`, `Playground ${base}/playground`, `GraphQL    ${base}/graphql`]) {
      expect(first.output()).toContain(line);
    }
    const dashboard = await fetch(`${base}/`);
    expect(dashboard.status).toBe(200);
    expect(dashboard.headers.get('content-type')).toMatch(/text\/html/);
    expect(await dashboard.text()).toMatch(/<div id="root"/);
    const playground = await fetch(`${base}/playground`);
    expect(playground.status).toBe(200);
    expect(await playground.text()).toMatch(/<html/i);

    // A second `npm start` on the same ports: one sentence naming the settings, before it opens the log.
    const second = npmStart({ DATA_DIR: dataDir, ...ports });
    running.push(second);
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(
      `Ports ${ports.GATEWAY_PORT} (GATEWAY_PORT), ${ports.PRODUCTS_PORT} (PRODUCTS_PORT), ${ports.CUSTOMERS_PORT} (CUSTOMERS_PORT) and ${ports.PURCHASES_PORT} (PURCHASES_PORT) on 127.0.0.1 are already in use, perhaps by another instance of the shop: stop it, or set`,
    );
    expect(second.output()).not.toMatch(/event log|^\s+at /m);

    const created = await graphql(
      `${base}/graphql`,
      'mutation { createProduct(input: { name: "Butter", price: "1.50" }) { id name price } }',
    );
    const product = created['createProduct'] as { id: string; name: string; price: string };
    expect(product).toMatchObject({ name: 'Butter', price: '1.50' });

    await stop(first);

    const again = await start(ports);
    const found = await graphql(`${base}/graphql`, `{ product(id: "${product.id}") { id name price } }`);
    expect(found['product']).toEqual(product);
    await stop(again);
  });
});
