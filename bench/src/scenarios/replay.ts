/**
 * Replay rate of the purchases projection against a raw kafkajs consumer, the projection's memory,
 * and the purchases subgraph's restart from a snapshot at both sizes.
 */
import type { BenchContext } from '../context.ts';
import { startChild, type RunningChild } from '../processes.ts';
import { perSecond, type Row } from '../report.ts';
import type { ProjectionResult, ReplayConfig, ReplayResult, RestartResult } from '../services/replay.ts';

const MEMORY_TARGET_BYTES = 300e6;
const RESTART_TARGET_SECONDS = 3;
const RESTART_TARGET_RATIO = 2;
const megabytes = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
const rate = (r: ReplayResult): number => r.events / r.seconds;
const perEvent = (ms: number, events: number): string => `${((ms * 1000) / events).toFixed(1)} µs an event`;
const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export function startReplayChild(
  brokers: readonly string[],
  nodeFlags: readonly string[],
): Promise<RunningChild<{ pid: number }>> {
  return startChild<{ pid: number }>('replay', 'replay.ts', {
    config: { brokers } satisfies ReplayConfig,
    // --expose-gc: the heap is compared after full collections, not at whatever point V8 left it.
    nodeFlags: ['--expose-gc', ...nodeFlags],
  });
}

export async function replayRows(ctx: BenchContext, child: RunningChild<{ pid: number }>): Promise<Row[]> {
  const { small, large, options } = ctx;
  ctx.progress('replay: warm-up on the small data set');
  await child.request('raw', { topic: small.topics.purchases, records: small.purchases });
  await child.request('projection', { prefix: small.prefix });
  await child.request('release');
  ctx.progress(`replay: raw kafkajs consume of ${large.purchases.toLocaleString('en-US')} purchases`);
  const rawBefore = await child.request<ReplayResult>('raw', { topic: large.topics.purchases, records: large.purchases });
  ctx.progress(`replay: rebuilding the purchases projection from ${large.purchases.toLocaleString('en-US')} purchases`);
  const projection = await child.request<ProjectionResult>('projection', { prefix: large.prefix });
  // The model is measured: let it go, or the second baseline read pays for collecting around half
  // a gigabyte of live heap that the first did not have.
  await child.request('release');
  ctx.progress('replay: raw kafkajs consume again');
  const rawAfter = await child.request<ReplayResult>('raw', { topic: large.topics.purchases, records: large.purchases });

  // Both data sets have a snapshot now (the projections above left one each): restart on each in
  // turn, so that load from elsewhere on the machine hits both.
  const restarts: Record<'large' | 'small', RestartResult[]> = { large: [], small: [] };
  // Three restarts a side per round: a restart is short (under a second) and its median over a
  // handful swung by a fifth on a busy machine.
  const restartRounds = options.rounds * 3;
  for (let round = 0; round < restartRounds; round++) {
    for (const side of ['large', 'small'] as const) {
      ctx.progress(`replay: restart of the purchases subgraph from a snapshot, ${side} data set, round ${round + 1}`);
      restarts[side].push(await child.request<RestartResult>('restart', { prefix: ctx[side].prefix }));
    }
  }

  const rawRate = (rate(rawBefore) + rate(rawAfter)) / 2;
  const ratio = rate(projection) / rawRate;
  const delta = projection.heapAfterBytes - projection.heapBeforeBytes;
  const deltaPerMillion = (delta * 1_000_000) / large.purchases;
  const judged = !options.quick;
  const restartLarge = median(restarts.large.map((r) => r.seconds));
  const restartSmall = median(restarts.small.map((r) => r.seconds));
  const restartRatio = restartLarge / restartSmall;
  const seconds = (s: number): string => `${s.toFixed(2)} s`;
  const range = (results: RestartResult[]): string =>
    `${seconds(Math.min(...results.map((r) => r.seconds)))}–${seconds(Math.max(...results.map((r) => r.seconds)))}`;
  const startedFrom = (results: RestartResult[]): string =>
    `from a snapshot of ${results[0]!.fromSnapshot.toLocaleString('en-US')} events, ${results[0]!.replayed.toLocaleString('en-US')} replayed after it`;
  return [
    {
      scenario: 'replay',
      measured: {
        label: `purchases projection rebuild, ${projection.events.toLocaleString('en-US')} events`,
        value: perSecond(rate(projection), 'events'),
      },
      baseline: {
        label: `raw kafkajs consume, ${large.purchases.toLocaleString('en-US')} records`,
        value: perSecond(rawRate, 'events'),
      },
      ratio,
      target: '≥ 0.7×',
      met: judged ? ratio >= 0.7 : undefined,
      note:
        `rebuild ${projection.seconds.toFixed(1)} s wall, ${(projection.cpuMs / 1000).toFixed(1)} s CPU` +
        (projection.mainThreadCpuMs === undefined
          ? '; '
          : ` (${perEvent(projection.mainThreadCpuMs, projection.events)} on the main thread, ${perEvent(projection.cpuMs - projection.mainThreadCpuMs, projection.events)} on the others); `) +
        `raw ${rawBefore.seconds.toFixed(1)} s and ${rawAfter.seconds.toFixed(1)} s wall, ${(rawBefore.cpuMs / 1000).toFixed(1)} s and ${(rawAfter.cpuMs / 1000).toFixed(1)} s CPU`,
    },
    {
      scenario: 'projection memory',
      measured: {
        label: `heap and array buffers growth, ${large.purchases.toLocaleString('en-US')} purchases`,
        value: `+${megabytes(delta)}`,
      },
      baseline: { label: 'heap and array buffers before the rebuild', value: megabytes(projection.heapBeforeBytes) },
      ratio: projection.heapAfterBytes / projection.heapBeforeBytes,
      target: '≤ 300 MB per 1,000,000 purchases',
      met: judged ? deltaPerMillion <= MEMORY_TARGET_BYTES : undefined,
      note: `${megabytes(deltaPerMillion)} per 1,000,000 purchases (${Math.round(delta / large.purchases)} bytes per purchase, products and customers included)`,
    },
    {
      scenario: 'restart from a snapshot',
      measured: {
        label: `purchases subgraph at ${large.purchases.toLocaleString('en-US')} purchases`,
        value: `ready in ${seconds(restartLarge)}`,
      },
      baseline: { label: `at ${small.purchases.toLocaleString('en-US')} purchases`, value: `ready in ${seconds(restartSmall)}` },
      ratio: restartRatio,
      target: `≤ ${RESTART_TARGET_SECONDS} s; ≤ ${RESTART_TARGET_RATIO}×`,
      met: judged ? restartLarge <= RESTART_TARGET_SECONDS && restartRatio <= RESTART_TARGET_RATIO : undefined,
      note:
        `median of ${restartRounds} restart(s) a side; large ${range(restarts.large)}, ${startedFrom(restarts.large)}, ` +
        `${(median(restarts.large.map((r) => r.cpuMs)) / 1000).toFixed(2)} s CPU; small ${range(restarts.small)}, ${startedFrom(restarts.small)}`,
    },
  ];
}
