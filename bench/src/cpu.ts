/**
 * Where a scenario's CPU goes: the time each process involved spent while one side of a
 * comparison ran, so a row can say what a request costs the gateway, the subgraphs, the broker
 * and the load generator (the bench process itself), each per operation.
 */
import { readdir, readFile } from 'node:fs/promises';
import type { SideRun } from './compare.ts';
import type { ProcessStats } from './processes.ts';
import type { Measurement } from './stats.ts';

/** Reads a process's CPU time so far, user and system, in µs. */
export type CpuClock = () => Promise<number>;

/** The CPU clock of a bench child (it reports its own `process.cpuUsage()`). */
export const childClock =
  (child: { stats(): Promise<ProcessStats> }): CpuClock =>
  async () => {
    const { cpu } = await child.stats();
    return cpu.user + cpu.system;
  };

/** The bench process itself: the load generator of the closed-loop scenarios. */
export const ownClock: CpuClock = async () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

/** Linux's clock ticks per second for /proc times (USER_HZ, 100 on every Linux Node supports). */
const TICKS_PER_SECOND = 100;

/** A process's CPU ticks and parent, from its /proc stat line; undefined once it is gone. */
async function statOf(pid: string): Promise<{ ticks: number; parent: string } | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ticks: Number(fields[11]) + Number(fields[12]), parent: fields[1]! };
  } catch {
    return undefined;
  }
}

/**
 * A process and every process under it (a program that forks its workers), by pid, from /proc
 * (Linux); 0 where /proc cannot be read.
 */
export const pidClock =
  (pid: number): CpuClock =>
  async () => {
    let pids: string[];
    try {
      pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
    } catch {
      return 0;
    }
    const stats = new Map<string, { ticks: number; parent: string }>();
    await Promise.all(
      pids.map(async (each) => {
        const stat = await statOf(each);
        if (stat) stats.set(each, stat);
      }),
    );
    const inTree = (each: string): boolean => {
      for (let at: string | undefined = each; at && at !== '0' && at !== '1'; at = stats.get(at)?.parent) {
        if (at === String(pid)) return true;
      }
      return false;
    };
    let ticks = 0;
    for (const [each, stat] of stats) if (inTree(each)) ticks += stat.ticks;
    return (ticks / TICKS_PER_SECOND) * 1e6;
  };

/**
 * Wraps a side of a comparison so that the CPU each clock advanced during its runs is added up;
 * `perOperation()` divides it by the operations the side completed.
 */
export function metered(run: SideRun, clocks: Readonly<Record<string, CpuClock>>) {
  const spent: Record<string, number> = Object.fromEntries(Object.keys(clocks).map((name) => [name, 0]));
  let operations = 0;
  const read = () => Promise.all(Object.values(clocks).map((clock) => clock()));
  return {
    async run(seconds: number): Promise<Measurement> {
      const before = await read();
      const measurement = await run(seconds);
      const after = await read();
      Object.keys(clocks).forEach((name, i) => (spent[name]! += after[i]! - before[i]!));
      operations += measurement.operations;
      return measurement;
    },
    /** µs of CPU per completed operation, by clock (warm-up included, as in every round). */
    perOperation(): Record<string, number> {
      return Object.fromEntries(Object.entries(spent).map(([name, micros]) => [name, micros / Math.max(operations, 1)]));
    },
  };
}

/** `gateway 120 µs, subgraphs 80 µs, …` */
export const describeCpu = (perOperation: Readonly<Record<string, number>>): string =>
  Object.entries(perOperation)
    .map(([name, micros]) => `${name} ${Math.round(micros).toLocaleString('en-US')} µs`)
    .join(', ');
