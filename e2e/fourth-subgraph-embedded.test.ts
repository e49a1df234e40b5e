import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createEmbeddedLog } from '@shop/event-core';
import { describeFourthSubgraph } from './support/fourth-subgraph.ts';

const dir = mkdtempSync(join(tmpdir(), 'shop-fourth-subgraph-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeFourthSubgraph('the embedded log', {
  openLog: () => createEmbeddedLog({ file: join(dir, 'events.sqlite') }),
  topicPrefix: 'fourth.',
});
