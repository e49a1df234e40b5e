/**
 * `createPurchase` while the purchases subgraph takes snapshots back to back, against without: the
 * cost of a snapshot while it is being taken. A service takes far fewer (every 100,000 events or
 * 10 minutes: at this write rate about one a minute), so the same writes are also measured with
 * one snapshot per round, still many times the services' cadence, and reported in the row's note.
 */
import { errorNote, interleave } from '../compare.ts';
import type { BenchContext } from '../context.ts';
import { randomPair } from '../data.ts';
import { closedLoop } from '../http-load.ts';
import { CREATE_PURCHASE } from '../operations.ts';
import { requestSide, type Row } from '../report.ts';
import { throughput, type Measurement } from '../stats.ts';
import type { SnapshotsTaken } from '../services/subgraphs.ts';
import type { SystemUnderTest } from '../systems.ts';

const TARGET_RATIO = 0.9;

export async function snapshotWritesRow(ctx: BenchContext, system: SystemUnderTest): Promise<Row> {
  const { options, small } = ctx;
  ctx.progress(`writes while a snapshot is taken: createPurchase, ${options.concurrency} clients, with and without`);
  const writes = (seconds: number) =>
    closedLoop({
      url: system.url,
      concurrency: options.concurrency,
      seconds,
      next: () => ({ query: CREATE_PURCHASE, variables: { input: randomPair(small) } }),
    });
  const taken = { saved: 0, durationMs: 0, maxCaptureMs: 0, maxCaptureCpuMs: 0, bytes: 0 };
  const whileSnapshotting = async (seconds: number, everyMs = 0): Promise<Measurement> => {
    await system.subgraphs.request('snapshots', { on: true, everyMs });
    try {
      return await writes(seconds);
    } finally {
      const round = await system.subgraphs.request<SnapshotsTaken>('snapshots', { on: false });
      taken.saved += round.saved;
      taken.durationMs += round.durationMs;
      taken.maxCaptureMs = Math.max(taken.maxCaptureMs, round.maxCaptureMs);
      taken.maxCaptureCpuMs = Math.max(taken.maxCaptureCpuMs, round.maxCaptureCpuMs);
      taken.bytes = round.bytes;
    }
  };
  const { measured, baseline } = await interleave(whileSnapshotting, writes, options);
  const ratio = throughput(measured) / throughput(baseline);
  const backToBack = { ...taken };
  ctx.progress(`writes while a snapshot is taken: again, with one snapshot every ${options.roundSeconds} s`);
  const everyMs = options.roundSeconds * 1000;
  const paced = await interleave((seconds) => whileSnapshotting(seconds, everyMs), writes, options);
  const pacedRatio = throughput(paced.measured) / throughput(paced.baseline);
  const pacedSaved = taken.saved - backToBack.saved;
  const notes = [
    `${backToBack.saved} snapshot(s) of the purchases read model saved back to back during the measured side (warm-up included), ` +
      `${(backToBack.bytes / 1e6).toFixed(1)} MB each, ${(backToBack.durationMs / Math.max(1, backToBack.saved)).toFixed(0)} ms from capture to stored on average, ` +
      `the event loop held at most ${backToBack.maxCaptureMs.toFixed(1)} ms by a capture (at most ${backToBack.maxCaptureCpuMs.toFixed(1)} ms of the process's CPU; the rest was waiting for a core)`,
    `with one snapshot every ${options.roundSeconds} s instead (${pacedSaved} taken): ` +
      `${Math.round(throughput(paced.measured)).toLocaleString('en-US')} req/s against ${Math.round(throughput(paced.baseline)).toLocaleString('en-US')} without, ${pacedRatio.toFixed(2)}×`,
    errorNote('with snapshots', measured),
    errorNote('without', baseline),
    errorNote(`with a snapshot every ${options.roundSeconds} s`, paced.measured),
    errorNote('without (second comparison)', paced.baseline),
  ].filter(Boolean);
  return {
    scenario: 'writes while a snapshot is taken',
    measured: requestSide(`createPurchase during snapshots, ${options.concurrency} clients`, measured),
    baseline: requestSide(`createPurchase without, ${options.concurrency} clients`, baseline),
    ratio,
    target: `throughput ≥ ${TARGET_RATIO}×`,
    met: options.quick ? undefined : ratio >= TARGET_RATIO,
    note: notes.join('; '),
  };
}
