/**
 * `npm run snapshots -- list | drop <model> | drop --all`: the read-model snapshots in the
 * configured log's store (see `snapshots-command.ts` and docs/snapshots.md).
 */
import { configOrExit, createLogger, openEventLog } from '@shop/event-core';
import { SUBGRAPHS } from '@shop/schema';
import { runSnapshotsCommand } from './snapshots-command.ts';

const config = configOrExit(SUBGRAPHS);
// Only what goes wrong: the command's own output is its answer.
const logger = createLogger({ level: 'warn', pretty: config.LOG_PRETTY ?? process.stdout.isTTY, name: 'snapshots' });
const log = openEventLog(config, logger, 'shop-snapshots');
const store = log.snapshotStore?.({ topicPrefix: config.TOPIC_PREFIX });
let status = 1;
try {
  if (!store) throw new Error('this event log keeps no snapshots');
  status = await runSnapshotsCommand({ args: process.argv.slice(2), store, out: (line) => console.log(line) });
} catch (error) {
  console.error(`the snapshots could not be read or dropped: ${(error as Error).message}`);
} finally {
  await log.close().catch(() => undefined);
}
process.exit(status);
