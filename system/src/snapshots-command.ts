/**
 * The operator's view of the read-model snapshots (`npm run snapshots`, docs/snapshots.md): what
 * the log's snapshot store holds per read model, whether this version of the code would start from
 * it, and dropping them so that the next start replays from the log.
 */
import { decodeSnapshot, SnapshotError, type SnapshotStore, type StoredSnapshot } from '@shop/event-core';
import { CHANGE_FEED_SNAPSHOTS } from '@shop/gateway';
import { CustomersReadModel } from '@shop/customers-subgraph';
import { ProductsReadModel } from '@shop/products-subgraph';
import { PurchasesReadModel } from '@shop/purchases-subgraph';

/** A read model that keeps snapshots, and the version of its state this code reads. */
export interface SnapshotModel {
  readonly model: string;
  readonly version: number;
}

/** Every read model of the system that keeps snapshots: the three subgraphs' and the gateway's change feed. */
export function snapshotModels(): SnapshotModel[] {
  return [
    ...[new ProductsReadModel(), new CustomersReadModel(), new PurchasesReadModel()].map((readModel) => ({
      model: readModel.snapshotModel,
      version: readModel.snapshotVersion,
    })),
    { model: CHANGE_FEED_SNAPSHOTS.model, version: CHANGE_FEED_SNAPSHOTS.version },
  ];
}

export const SNAPSHOTS_USAGE = `usage: npm run snapshots -- <command>

  list            the snapshots kept for each read model, newest first, and whether a start would use them
  drop <model>    removes every snapshot of one read model: its next start replays the log
  drop --all      removes the snapshots of every read model

The log is the configured one: KAFKA_BROKERS, else the embedded log in DATA_DIR; TOPIC_PREFIX as the services'.
Stop the services first: a graceful stop saves a new snapshot.`;

export interface SnapshotsCommandOptions {
  readonly args: readonly string[];
  readonly store: SnapshotStore;
  readonly models?: readonly SnapshotModel[];
  readonly out: (line: string) => void;
}

/**
 * Runs one command of {@link SNAPSHOTS_USAGE} against `store`; resolves with the process's exit
 * status: 0 done, 2 a usage mistake (said on `out`). A store that cannot be reached rejects.
 */
export async function runSnapshotsCommand({
  args,
  store,
  models = snapshotModels(),
  out,
}: SnapshotsCommandOptions): Promise<number> {
  const [command, target, ...rest] = args;
  if (command === 'list' && target === undefined) {
    for (const { model, version } of models) {
      const snapshots = await store.load(model);
      out(
        `${model}: ${snapshots.length === 0 ? 'none' : snapshots.length === 1 ? '1 snapshot' : `${snapshots.length} snapshots`}`,
      );
      for (const snapshot of snapshots) out(`  ${describe(snapshot, version)}`);
    }
    return 0;
  }
  if (command === 'drop' && target !== undefined && rest.length === 0) {
    const known = models.map(({ model }) => model);
    if (target !== '--all' && !known.includes(target)) {
      out(`no read model "${target}": name one of ${known.join(', ')}, or --all`);
      return 2;
    }
    for (const model of target === '--all' ? known : [target]) {
      await store.drop(model);
      out(`dropped the snapshots of ${model}: its next start replays the log`);
    }
    return 0;
  }
  const help = command === undefined || command === 'help' || command === '--help';
  if (!help) out(`not a command: ${args.join(' ')}`);
  out(SNAPSHOTS_USAGE);
  return help ? 0 : 2;
}

/** One line per stored snapshot: when, how large, how far, and whether a start would use it. */
function describe(snapshot: StoredSnapshot, version: number): string {
  const saved = `${new Date(snapshot.savedAtMs).toISOString()}  ${size(snapshot.bytes.length)}`;
  try {
    // The checks a start makes of the bytes: mark, container format, checksum, and the state decodes.
    // (A start also checks that the log still holds the records the snapshot was taken after.)
    const { header } = decodeSnapshot(snapshot.pieces ?? snapshot.bytes);
    const where = `${header.events.toLocaleString('en-US')} events`;
    if (header.modelVersion !== version)
      return `${saved}  ${where}  state version ${header.modelVersion}, this version reads ${version}: ignored at start  ${snapshot.id}`;
    return `${saved}  ${where}  state version ${header.modelVersion}: usable  ${snapshot.id}`;
  } catch (error) {
    if (!(error instanceof SnapshotError)) throw error;
    const why = error.problem === 'format' ? error.message : `unreadable: ${error.message}`;
    return `${saved}  ${why}: ignored at start  ${snapshot.id}`;
  }
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
