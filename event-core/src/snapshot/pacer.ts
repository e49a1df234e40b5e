/**
 * Background work with a CPU budget. A snapshot is encoded and written in steps; between steps
 * the pacer rests so that the steps take about `share` of the thread's time: what the service does
 * for its clients meanwhile (writes, reads, applying events) keeps the rest. Like a database's
 * compaction rate limit: the snapshot takes longer, nothing else slows down much.
 */
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';

export interface Pacer {
  /** Call between steps: yields to the event loop, and rests as long as the budget asks. */
  (): Promise<void>;
  /** From now on, steps only yield: for a snapshot someone waits for (a graceful stop). */
  hurry(): void;
}

/**
 * A pacer that keeps steps to about `share` (0 < share ≤ 1) of the wall-clock time. The time since
 * the last step counts as work, whatever else ran meanwhile, so it errs on the side of resting.
 * Rests shorter than a millisecond are carried over to the next step.
 */
export function createPacer(
  share: number,
  {
    now = () => performance.now(),
    rest = (ms: number) => sleep(ms),
  }: { readonly now?: () => number; readonly rest?: (ms: number) => Promise<unknown> } = {},
): Pacer {
  if (!(share > 0 && share <= 1)) throw new Error(`a CPU share must be in (0, 1], not ${share}`);
  let hurried = share === 1;
  let since = now();
  let owed = 0;
  const pace = async (): Promise<void> => {
    if (hurried) return void (await yieldToLoop());
    owed += ((now() - since) * (1 - share)) / share;
    if (owed >= 1) {
      const ms = owed;
      owed = 0;
      await rest(ms);
    } else await yieldToLoop();
    since = now();
  };
  return Object.assign(pace, {
    hurry() {
      hurried = true;
    },
  });
}
