import { combine, type Measurement } from './stats.ts';

/** Runs one side of a comparison for about `seconds` and says what it measured. */
export type SideRun = (seconds: number) => Promise<Measurement>;

export interface CompareOptions {
  readonly warmupSeconds: number;
  readonly rounds: number;
  readonly roundSeconds: number;
}

/**
 * Warms both sides up, then alternates them round by round. On a machine shared with other work,
 * a burst of load elsewhere then lands on both sides instead of on whichever ran at the time.
 */
export async function interleave(
  measured: SideRun,
  baseline: SideRun,
  { warmupSeconds, rounds, roundSeconds }: CompareOptions,
): Promise<{ measured: Measurement; baseline: Measurement }> {
  await measured(warmupSeconds);
  await baseline(warmupSeconds);
  const a: Measurement[] = [];
  const b: Measurement[] = [];
  for (let round = 0; round < rounds; round++) {
    // Alternate which side goes first, so neither always follows the other's after-effects (GC).
    if (round % 2 === 0) {
      a.push(await measured(roundSeconds));
      b.push(await baseline(roundSeconds));
    } else {
      b.push(await baseline(roundSeconds));
      a.push(await measured(roundSeconds));
    }
  }
  return { measured: combine(a), baseline: combine(b) };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Describes errors of a measurement for a row's note; undefined when there were none. */
export function errorNote(label: string, m: Measurement): string | undefined {
  if (m.errors === 0) return undefined;
  return `${label}: ${m.errors} of ${m.errors + m.operations} requests failed, first: ${m.firstError ?? 'unknown'}`;
}

/**
 * Waits until `read()` reaches `target`, or has not moved for `stallMs`, or `capMs` passed: a
 * backlog that is still draining is waited for, one that is stuck is not.
 * @returns whether the target was reached.
 */
export async function waitForProgress(
  read: () => number,
  target: number,
  { stallMs, capMs }: { stallMs: number; capMs: number },
): Promise<boolean> {
  const startedAt = Date.now();
  let last = read();
  let movedAt = startedAt;
  while (read() < target) {
    const now = Date.now();
    if (read() !== last) {
      last = read();
      movedAt = now;
    }
    if (now - movedAt > stallMs || now - startedAt > capMs) return false;
    await sleep(10);
  }
  return true;
}
