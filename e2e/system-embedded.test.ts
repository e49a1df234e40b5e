import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createEmbeddedLog } from '@shop/event-core';
import { describeSystemScenario } from './support/scenario.ts';

const dir = mkdtempSync(join(tmpdir(), 'shop-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The same file is reopened after the full restart: the data must survive it.
describeSystemScenario('the embedded log', { openLog: () => createEmbeddedLog({ file: join(dir, 'events.sqlite') }) });
