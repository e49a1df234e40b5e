import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createEmbeddedLog } from '@shop/event-core';
import { describeLegacyScenario } from './support/legacy-scenario.ts';

const dir = mkdtempSync(join(tmpdir(), 'shop-legacy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeLegacyScenario('the embedded log', { openLog: () => createEmbeddedLog({ file: join(dir, 'events.sqlite') }) });
