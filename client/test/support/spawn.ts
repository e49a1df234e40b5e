import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The client package's folder. */
export const CLIENT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Finished {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command to completion with `input` on its stdin and the test's environment plus `env`;
 * fails the test (rather than hanging it) after `timeoutMs`.
 */
export function run(
  command: string,
  args: readonly string[],
  {
    env = {},
    input = '',
    cwd = CLIENT_DIR,
    timeoutMs = 60_000,
  }: { env?: Record<string, string>; input?: string; cwd?: string; timeoutMs?: number } = {},
): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `${command} ${args.join(' ')} did not finish in ${timeoutMs} ms:\n${Buffer.concat(stdout).toString()}\n${Buffer.concat(stderr).toString()}`,
        ),
      );
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() });
    });
    child.stdin.end(input);
  });
}

/** Runs one of the client's entry points (`src/bin/*.ts`) under Node with tsx, as `npm run` does. */
export function runEntry(
  entry: 'shell' | 'cli',
  args: readonly string[],
  options: Parameters<typeof run>[2] = {},
): Promise<Finished> {
  return run(process.execPath, ['--import', 'tsx', join(CLIENT_DIR, 'src', 'bin', `${entry}.ts`), ...args], options);
}
