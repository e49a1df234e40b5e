/** `createPurchase` through the gateway against a trivial single-subgraph query, same clients. */
import { errorNote, interleave } from '../compare.ts';
import type { BenchContext } from '../context.ts';
import { childClock, describeCpu, metered, ownClock, pidClock, type CpuClock } from '../cpu.ts';
import { randomPair } from '../data.ts';
import { closedLoop, FRESH } from '../http-load.ts';
import { CREATE_PURCHASE, PRODUCT_BY_ID } from '../operations.ts';
import { requestSide, type Row } from '../report.ts';
import { throughput } from '../stats.ts';
import type { SystemUnderTest } from '../systems.ts';

export async function writesRow(ctx: BenchContext, system: SystemUnderTest): Promise<Row> {
  const { options, small } = ctx;
  ctx.progress(`writes: createPurchase vs product(id), ${options.concurrency} clients`);
  const writes = (seconds: number) =>
    closedLoop({
      url: system.url,
      concurrency: options.concurrency,
      seconds,
      next: () => ({ query: CREATE_PURCHASE, variables: { input: randomPair(small) } }),
    });
  const reads = (seconds: number) =>
    closedLoop({
      url: system.url,
      concurrency: options.concurrency,
      seconds,
      next: (i) => ({ query: PRODUCT_BY_ID, variables: { id: small.productIds[i % small.productIds.length] } }),
      // The baseline is a read through one subgraph. Between write rounds the log stands still, so
      // the gateway's response cache would answer every one of these after the first thousand, and
      // the row would compare a write against a hash lookup.
      headers: { ...FRESH },
    });
  // Where a request's CPU goes, on each side: what a write adds is what stands between the ratio and 1.
  const clocks: Record<string, CpuClock> = {
    gateway: childClock(system.gateway),
    subgraphs: childClock(system.subgraphs),
    ...(ctx.brokerPid ? { broker: pidClock(ctx.brokerPid) } : {}),
    'load generator': ownClock,
  };
  const writeSide = metered(writes, clocks);
  const readSide = metered(reads, clocks);
  const { measured, baseline } = await interleave(writeSide.run, readSide.run, options);
  const ratio = throughput(measured) / throughput(baseline);
  const notes = [
    `CPU per request, createPurchase: ${describeCpu(writeSide.perOperation())}; product(id): ${describeCpu(readSide.perOperation())}`,
    errorNote('createPurchase', measured),
    errorNote('product(id)', baseline),
  ].filter(Boolean);
  return {
    scenario: 'writes',
    measured: requestSide(`createPurchase, ${options.concurrency} clients`, measured),
    baseline: requestSide(`product(id) query, ${options.concurrency} clients`, baseline),
    ratio,
    target: 'throughput ≥ 0.7×',
    met: options.quick ? undefined : ratio >= 0.7,
    ...(notes.length ? { note: notes.join('; ') } : {}),
  };
}
