import { describe, expect, it } from 'vitest';
import { createPacer } from '../src/snapshot/pacer.ts';

// A snapshot is encoded and written in steps; the pacer rests between them so that the steps take
// about their share of the time, and not at all once someone waits for the snapshot.

function clocked(share: number) {
  let time = 0;
  const rests: number[] = [];
  const pace = createPacer(share, {
    now: () => time,
    rest: async (ms) => {
      rests.push(ms);
      time += ms;
    },
  });
  return { pace, rests, work: (ms: number) => (time += ms) };
}

describe('createPacer', () => {
  it('rests nine times the work at a share of 0.1, and carries rests under a millisecond over', async () => {
    const { pace, rests, work } = clocked(0.1);
    work(10);
    await pace();
    expect(rests).toEqual([90]);
    // 0.05 ms of work owes 0.45 ms: not worth a timer yet, kept for the next step.
    work(0.05);
    await pace();
    expect(rests).toEqual([90]);
    work(0.1);
    await pace();
    expect(rests).toHaveLength(2);
    expect(rests[1]).toBeCloseTo(1.35);
  });

  it('only yields once hurried, and at a share of 1', async () => {
    const hurried = clocked(0.1);
    hurried.pace.hurry();
    hurried.work(10);
    await hurried.pace();
    const full = clocked(1);
    full.work(10);
    await full.pace();
    expect([...hurried.rests, ...full.rests]).toEqual([]);
  });

  it('refuses a share outside (0, 1]', () => {
    for (const share of [0, -1, 1.5, Number.NaN]) expect(() => createPacer(share)).toThrow(/CPU share/);
  });
});
