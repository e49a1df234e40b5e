/** Replay rate of the purchases projection against a raw kafkajs consumer, and the projection's memory. */
import type { BenchContext } from '../context.ts';
import { startChild, type RunningChild } from '../processes.ts';
import { perSecond, type Row } from '../report.ts';
import type { ProjectionResult, ReplayConfig, ReplayResult } from '../services/replay.ts';

const MEMORY_TARGET_BYTES = 300e6;
const megabytes = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
const rate = (r: ReplayResult): number => r.events / r.seconds;

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

  const rawRate = (rate(rawBefore) + rate(rawAfter)) / 2;
  const ratio = rate(projection) / rawRate;
  const delta = projection.heapAfterBytes - projection.heapBeforeBytes;
  const deltaPerMillion = (delta * 1_000_000) / large.purchases;
  const judged = !options.quick;
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
        `rebuild ${projection.seconds.toFixed(1)} s wall, ${(projection.cpuMs / 1000).toFixed(1)} s CPU; ` +
        `raw ${rawBefore.seconds.toFixed(1)} s and ${rawAfter.seconds.toFixed(1)} s wall, ${(rawBefore.cpuMs / 1000).toFixed(1)} s and ${(rawAfter.cpuMs / 1000).toFixed(1)} s CPU`,
    },
    {
      scenario: 'projection memory',
      measured: { label: `heap growth, ${large.purchases.toLocaleString('en-US')} purchases`, value: `+${megabytes(delta)}` },
      baseline: { label: 'heap before the rebuild', value: megabytes(projection.heapBeforeBytes) },
      ratio: projection.heapAfterBytes / projection.heapBeforeBytes,
      target: '≤ 300 MB per 1,000,000 purchases',
      met: judged ? deltaPerMillion <= MEMORY_TARGET_BYTES : undefined,
      note: `${megabytes(deltaPerMillion)} per 1,000,000 purchases (${Math.round(delta / large.purchases)} bytes per purchase, products and customers included)`,
    },
  ];
}
