/**
 * Who may read the log for a replay right now. A replay reads the log from `after` and hydrates
 * every matching change: the costliest thing a subscriber can ask for. At most `perOwner` replays
 * of one owner (a socket) and `total` replays in all read at once; the others wait in line, in
 * the order they asked, and a subscriber that goes away while waiting leaves the line.
 */
export interface ReplaySlots {
  /**
   * Resolves with the function that gives the slot back once one is free, or with undefined when
   * `signal` aborts first.
   */
  acquire(owner: object, signal: AbortSignal): Promise<(() => void) | undefined>;
  /** Replays reading, and replays waiting for a slot. */
  stats(): { readonly reading: number; readonly waiting: number };
}

interface Waiter {
  readonly owner: object;
  readonly grant: (release: () => void) => void;
}

/** Slots for `total` replays at once, at most `perOwner` of one owner. */
export function createReplaySlots({ total, perOwner }: { readonly total: number; readonly perOwner: number }): ReplaySlots {
  let reading = 0;
  const byOwner = new Map<object, number>();
  const line: Waiter[] = [];

  const free = (owner: object): boolean => reading < total && (byOwner.get(owner) ?? 0) < perOwner;

  const take = (owner: object): (() => void) => {
    reading++;
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      reading--;
      const left = byOwner.get(owner)! - 1;
      if (left === 0) byOwner.delete(owner);
      else byOwner.set(owner, left);
      admit();
    };
  };

  /** Grants freed slots to the first waiters that may take them (an owner at its limit does not hold up others). */
  const admit = (): void => {
    for (let i = 0; i < line.length && reading < total;) {
      const waiter = line[i]!;
      if (!free(waiter.owner)) {
        i++;
        continue;
      }
      line.splice(i, 1);
      waiter.grant(take(waiter.owner));
    }
  };

  return {
    acquire(owner, signal) {
      if (signal.aborted) return Promise.resolve(undefined);
      if (free(owner) && line.length === 0) return Promise.resolve(take(owner));
      return new Promise((resolve) => {
        const waiter: Waiter = {
          owner,
          grant: (release) => {
            signal.removeEventListener('abort', leave);
            resolve(release);
          },
        };
        const leave = () => {
          const index = line.indexOf(waiter);
          if (index >= 0) line.splice(index, 1);
          resolve(undefined);
        };
        signal.addEventListener('abort', leave, { once: true });
        line.push(waiter);
        admit();
      });
    },
    stats: () => ({ reading, waiting: line.length }),
  };
}
