import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createEmbeddedLog } from '@shop/event-core';
import { describeSubscriptionScenario } from './support/subscriptions.ts';

const dir = mkdtempSync(join(tmpdir(), 'shop-subs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeSubscriptionScenario('the embedded log', { openLog: () => createEmbeddedLog({ file: join(dir, 'events.sqlite') }) });
