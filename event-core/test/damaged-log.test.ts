import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createEmbeddedLog } from '../src/log/embedded.ts';
import { encodeEvent } from '../src/codec.ts';
import { createProjector } from '../src/projector.ts';
import { silentLogger } from '../src/logger.ts';

const EVENTS = 200;
const dir = mkdtempSync(join(tmpdir(), 'shop-damaged-log-'));
const intact = join(dir, 'intact.sqlite');
let size = 0;

const overwrite = (file: string, at: number, length: number, byte: number) => {
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(length, byte), 0, length, at);
  closeSync(fd);
};

/** Kinds of damage to a closed log file, as a disk, a copy or a careless hand makes them. */
const DAMAGE: Record<string, (file: string) => void> = {
  'a few bytes cut off the end': (file) => truncateSync(file, size - 7),
  'the last page cut off': (file) => truncateSync(file, size - 4096),
  'half the file cut off': (file) => truncateSync(file, Math.floor(size / 2)),
  'the tail overwritten': (file) => overwrite(file, size - 4096, 4096, 0x41),
  'the tail zeroed': (file) => overwrite(file, size - 2000, 2000, 0),
  'the header overwritten': (file) => overwrite(file, 0, 100, 0x41),
  'a page in the middle overwritten': (file) => overwrite(file, Math.floor(size / 2 / 4096) * 4096, 4096, 0xff),
  'bytes inside a page changed': (file) => overwrite(file, Math.floor(size / 3) + 123, 16, 0x7b),
  'garbage appended': (file) => overwrite(file, size, 5000, 0x5a),
  emptied: (file) => truncateSync(file, 0),
};

/** Starts a projector on the file and reports how the start ended; a hang fails the test at `timeoutMs`. */
async function startOn(
  file: string,
  timeoutMs = 30_000,
): Promise<{ ready: true; applied: number; skipped: number } | { ready: false; error: string }> {
  let log;
  try {
    log = createEmbeddedLog({ file });
  } catch (error) {
    return { ready: false, error: (error as Error).message };
  }
  const projector = createProjector({
    name: 'test',
    log,
    logger: silentLogger,
    projection: {
      topics: ['t'],
      apply: (_topic, decoded) => ({ ok: true, entityId: decoded.format === 'envelope' ? decoded.event.entityId : '?' }),
    },
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      projector.start(),
      new Promise(
        (_, reject) => (timer = setTimeout(() => reject(new Error('HANG: start neither ready nor failed')), timeoutMs)),
      ),
    ]);
    const { applied, skipped } = projector.stats();
    return { ready: true, applied, skipped };
  } catch (error) {
    if ((error as Error).message.startsWith('HANG')) throw error;
    return { ready: false, error: (error as Error).message };
  } finally {
    clearTimeout(timer);
    await projector.stop();
    await log.close().catch(() => undefined);
  }
}

describe('a damaged embedded log: start ends ready or with a clear error, never hangs', () => {
  beforeAll(async () => {
    const log = createEmbeddedLog({ file: intact });
    await log.provision([{ topic: 't' }]);
    for (let i = 0; i < EVENTS; i++) {
      const id = `p${i}`;
      await log.append('t', [
        encodeEvent({
          id: randomUUID(),
          type: 'ThingCreated',
          entityId: id,
          version: 1,
          occurredAt: new Date().toISOString(),
          data: { pad: 'x'.repeat(300) },
          meta: {},
        }),
      ]);
    }
    await log.close();
    size = statSync(intact).size;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const [kind, damage] of Object.entries(DAMAGE)) {
    it(`${kind}`, async () => {
      const file = join(dir, `${kind.replace(/\W+/g, '-')}.sqlite`);
      copyFileSync(intact, file);
      damage(file);
      const outcome = await startOn(file);
      if (outcome.ready) {
        // Every record was read; what could not be decoded went the bad-record path.
        expect(outcome.applied + outcome.skipped).toBeLessThanOrEqual(EVENTS);
      } else {
        // An emptied file is an empty log, without the topic a service would provision first.
        expect(outcome.error).toMatch(kind === 'emptied' ? /topic "t" does not exist/ : /is damaged .*restore it from a backup/);
      }
    });
  }

  it('an intact copy replays every event', async () => {
    const file = join(dir, 'copy.sqlite');
    copyFileSync(intact, file);
    expect(await startOn(file)).toEqual({ ready: true, applied: EVENTS, skipped: 0 });
  });

  /** A free port on this machine. */
  const freePort = () =>
    new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as { port: number };
        server.close(() => resolve(free));
      });
    });

  it.each([
    ['a subgraph process', 'subgraphs/products/src/main.ts', ['PRODUCTS_PORT']],
    [
      'npm start (the whole system)',
      'system/src/start.ts',
      ['GATEWAY_PORT', 'PRODUCTS_PORT', 'CUSTOMERS_PORT', 'PURCHASES_PORT'],
    ],
  ])(
    '%s on a damaged log exits non-zero with one sentence that says what to do, and no stack trace',
    async (_, entry, settings) => {
      const dataDir = join(dir, `service-${settings.length}`);
      mkdirSync(dataDir, { recursive: true });
      copyFileSync(intact, join(dataDir, 'events.sqlite'));
      overwrite(join(dataDir, 'events.sqlite'), 0, 100, 0x41);
      const ports: Record<string, string> = {};
      for (const setting of settings) ports[setting] = String(await freePort());
      const child = spawn(process.execPath, ['--import', 'tsx', entry], {
        env: { ...process.env, DATA_DIR: dataDir, ...ports, LOG_PRETTY: 'false', NODE_ENV: 'development' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(1);
      expect(output).toMatch(/is damaged .*restore it from a backup, or move it away/);
      // No stack frame, in plain text or inside a JSON log line.
      expect(output).not.toMatch(/\bat .*\.[cm]?[jt]s:\d+/);
    },
    60_000,
  );
});
