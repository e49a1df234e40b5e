import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmbeddedLog } from '../src/log/embedded.ts';
import { collector, describeEventLogContract } from '../src/testing/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'embedded-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeEventLogContract('embedded', async () => createEmbeddedLog({ file: join(dir, 'contract.sqlite') }));

describe('embedded log durability', () => {
  it('keeps every acknowledged record across close and reopen', async () => {
    const file = join(dir, 'reopen.sqlite');
    const first = createEmbeddedLog({ file });
    await first.provision([{ topic: 't', partitions: 2 }]);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => first.append('t', [{ key: `k${i % 7}`, value: `v${i}` }])),
    );
    await first.close();

    const reopened = createEmbeddedLog({ file });
    const marks = await reopened.highWaterMarks('t');
    expect(Object.values(marks).reduce((a, b) => a + b, 0)).toBe(50);
    const seen = collector();
    const follower = await reopened.follow('t', { onBatch: seen.onBatch });
    const records = await seen.waitFor(50);
    await follower.close();
    expect(new Set(records.map((r) => r.value?.toString()))).toEqual(new Set(Array.from({ length: 50 }, (_, i) => `v${i}`)));
    for (const [result] of results) {
      expect(records.some((r) => r.partition === result!.partition && r.offset === result!.offset)).toBe(true);
    }
    await reopened.close();
  });

  it('continues offsets after a reopen instead of reusing them', async () => {
    const file = join(dir, 'continue.sqlite');
    const first = createEmbeddedLog({ file });
    await first.provision([{ topic: 't' }]);
    await first.append('t', [
      { key: 'a', value: '1' },
      { key: 'a', value: '2' },
    ]);
    await first.close();
    const second = createEmbeddedLog({ file });
    const [result] = await second.append('t', [{ key: 'a', value: '3' }]);
    expect(result!.offset).toBe(2);
    await second.close();
  });

  it('delivers records written by another handle on the same file (another process)', async () => {
    const file = join(dir, 'shared.sqlite');
    const reader = createEmbeddedLog({ file, pollIntervalMs: 20 });
    const writer = createEmbeddedLog({ file });
    await writer.provision([{ topic: 't' }]);
    const seen = collector();
    const follower = await reader.follow('t', { onBatch: seen.onBatch });
    await writer.append('t', [{ key: 'a', value: 'from elsewhere' }]);
    const [record] = await seen.waitFor(1);
    expect(record!.value?.toString()).toBe('from elsewhere');
    await follower.close();
    await Promise.all([reader.close(), writer.close()]);
  });

  it('rejects appends once closed', async () => {
    const log = createEmbeddedLog({ file: ':memory:' });
    await log.provision([{ topic: 't' }]);
    await log.close();
    await expect(log.append('t', [{ key: 'a', value: 'x' }])).rejects.toThrow(/closed/);
    expect(await log.healthy()).toBe(false);
  });
});
