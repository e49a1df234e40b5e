import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createEmbeddedLog } from '@shop/event-core';
import { describeHistoryScenario } from './support/history-scenario.ts';

const dir = mkdtempSync(join(tmpdir(), 'shop-history-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeHistoryScenario('the embedded log', { openLog: () => createEmbeddedLog({ file: join(dir, 'events.sqlite') }) });
