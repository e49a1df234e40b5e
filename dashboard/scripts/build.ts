/**
 * Builds the dashboard when `dist/` is missing or older than its sources, so `npm start` on a
 * fresh clone serves a dashboard and a second start costs a directory walk, not a build.
 * Run directly (`tsx dashboard/scripts/build.ts`, the root `prestart`), or call
 * {@link ensureDashboardBuilt} (the browser tests do).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const sources = ['src', 'playground', 'index.html', 'vite.config.ts', 'package.json'];
const outputs = ['dist/index.html', 'dist/playground/index.html'];

function newestMtimeMs(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, entry) => Math.max(newest, newestMtimeMs(join(path, entry))), stat.mtimeMs);
}

/** True when every output exists and is newer than every source. */
export function dashboardIsBuilt(): boolean {
  const built = outputs.map((file) => join(root, file));
  if (!built.every((file) => existsSync(file))) return false;
  const sourceMs = Math.max(
    ...sources
      .map((source) => join(root, source))
      .filter(existsSync)
      .map(newestMtimeMs),
  );
  return Math.min(...built.map((file) => statSync(file).mtimeMs)) >= sourceMs;
}

/** Builds `dashboard/dist` unless it is up to date; resolves to whether it built. */
export function ensureDashboardBuilt({ force = false }: { readonly force?: boolean } = {}): boolean {
  if (!force && dashboardIsBuilt()) return false;
  // A child process: Vite decides development or production from NODE_ENV, which a test runner sets to "test".
  const result = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build', '--silent'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (result.status !== 0)
    throw new Error(
      `building the dashboard failed (exit ${result.status ?? result.signal}); run \`npm run build -w dashboard\` to see why`,
    );
  return true;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const startedAt = Date.now();
  if (ensureDashboardBuilt({ force: process.argv.includes('--force') })) {
    console.log(`dashboard built in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  }
}
