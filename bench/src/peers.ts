/**
 * The bench's peers: the programs it measures ours against (`@graphql-hive/gateway`), installed
 * apart from the shop into `bench/peers/node_modules`, from that folder's own lockfile. A user who
 * only runs the shop never installs them: they are many packages, and some of them ask for a newer
 * Node than the shop does, so `npm ci` would warn about each.
 *
 * `npm run bench:setup` installs them (`tsx bench/src/peers.ts`); the bench installs them itself
 * the first time a scenario needs them, and again when the lockfile changes.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const PEERS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'peers');
const LOCKFILE = join(PEERS_DIR, 'package-lock.json');
/** The lockfile's hash at the last install: a changed lockfile means a new install. */
const STAMP = join(PEERS_DIR, 'node_modules', '.installed-lockfile.sha256');

const lockfileHash = (): string => createHash('sha256').update(readFileSync(LOCKFILE)).digest('hex');

/** True when the peers are installed from the current lockfile. */
export function peersInstalled(): boolean {
  return existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === lockfileHash();
}

/**
 * Installs the peers unless they are up to date; resolves to whether it installed. Takes a minute
 * or so with an empty npm cache. npm's output goes to stderr, so a bench's stdout stays its table.
 */
export function ensurePeers(progress: (message: string) => void = () => undefined): boolean {
  if (peersInstalled()) return false;
  progress(`installing the bench's peers into ${PEERS_DIR} (once)`);
  // --loglevel=error: their dependencies' engine warnings (some ask for Node 22) are not the
  // reader's concern here; @graphql-hive/gateway itself supports Node 20, and it is all the bench runs.
  const result = spawnSync(
    process.platform === 'win32' ? 'npm.cmd' : 'npm',
    ['ci', '--no-audit', '--no-fund', '--loglevel=error'],
    { cwd: PEERS_DIR, stdio: ['ignore', process.stderr, process.stderr] },
  );
  if (result.status !== 0)
    throw new Error(
      `installing the bench's peers failed (npm ci in ${PEERS_DIR}: exit ${result.status ?? result.signal}); run \`npm run bench:setup\` to see why`,
    );
  writeFileSync(STAMP, `${lockfileHash()}\n`);
  return true;
}

/** The `@graphql-hive/gateway` command line, from the peers (installed first when needed). */
export function hiveGatewayBin(progress?: (message: string) => void): string {
  ensurePeers(progress);
  const require = createRequire(join(PEERS_DIR, 'package.json'));
  return join(dirname(require.resolve('@graphql-hive/gateway')), 'bin.js');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(ensurePeers(console.log) ? "The bench's peers are installed." : "The bench's peers are up to date.");
}
