/**
 * The systems under test: the subgraphs and our gateway as bench children, and the Hive gateway
 * (the peer of the dashboard-reads scenario) as its own CLI would run it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONSISTENCY_HEADER, encodePosition, type EventLog } from '@shop/event-core';
import { SUPERGRAPH_PATH } from '@shop/schema';
import { sleep } from './compare.ts';
import type { BenchContext } from './context.ts';
import type { Dataset } from './data.ts';
import { postGraphQL } from './http-load.ts';
import { hiveGatewayBin } from './peers.ts';
import { CHILD_ENV, freePorts, startChild, startProgram, type RunningChild } from './processes.ts';
import type { GatewayConfig, GatewayInfo } from './services/gateway.ts';
import type { SubgraphsConfig, SubgraphsInfo } from './services/subgraphs.ts';

/** What starting a system needs: known before any data is loaded. */
export type SystemsContext = Pick<BenchContext, 'options' | 'brokers' | 'progress' | 'nodeFlags'>;

export interface SystemUnderTest {
  readonly name: string;
  readonly subgraphs: RunningChild<SubgraphsInfo>;
  readonly gateway: RunningChild<GatewayInfo>;
  /** The gateway's `/graphql`. */
  readonly url: string;
  stop(): Promise<void>;
}

export type SubgraphUrls = SubgraphsInfo['urls'];

/** Where a system's subgraphs will listen, chosen before anything starts. */
export async function planSubgraphs(): Promise<{ ports: SubgraphsConfig['ports']; urls: SubgraphUrls }> {
  const [products, customers, purchases] = (await freePorts(3)) as [number, number, number];
  const url = (port: number) => `http://127.0.0.1:${port}/graphql`;
  return {
    ports: { products, customers, purchases },
    urls: { products: url(products), customers: url(customers), purchases: url(purchases) },
  };
}

/**
 * Starts the subgraphs on the topics under `prefix` and our gateway in front of them, at the same
 * time (the gateway calls no subgraph before its first request); resolves once both have replayed
 * what the topics held and follow them live.
 */
export async function startSystem(
  ctx: SystemsContext,
  name: string,
  prefix: string,
  plan: Awaited<ReturnType<typeof planSubgraphs>>,
): Promise<SystemUnderTest> {
  const started = Date.now();
  const [subgraphs, gateway] = await Promise.allSettled([
    startChild<SubgraphsInfo>(`${name} subgraphs`, 'subgraphs.ts', {
      config: {
        brokers: ctx.brokers,
        prefix,
        partitions: ctx.options.partitions,
        ports: plan.ports,
      } satisfies SubgraphsConfig,
      nodeFlags: ctx.nodeFlags('subgraphs', `${name}-subgraphs`),
    }),
    startChild<GatewayInfo>(`${name} gateway`, 'gateway.ts', {
      config: { brokers: ctx.brokers, prefix, subgraphUrls: plan.urls } satisfies GatewayConfig,
      // The fan-out scenario weighs idle subscriptions after a full GC.
      nodeFlags: ['--expose-gc', ...ctx.nodeFlags('gateway', `${name}-gateway`)],
    }),
  ]);
  if (subgraphs.status === 'rejected' || gateway.status === 'rejected') {
    for (const child of [subgraphs, gateway]) if (child.status === 'fulfilled') await child.value.stop();
    throw subgraphs.status === 'rejected' ? subgraphs.reason : (gateway as PromiseRejectedResult).reason;
  }
  ctx.progress(
    `${name} system ready in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
      `(subgraphs replayed in ${subgraphs.value.info.replaySeconds.toFixed(1)} s, gateway in ${gateway.value.info.replaySeconds.toFixed(1)} s)`,
  );
  return {
    name,
    subgraphs: subgraphs.value,
    gateway: gateway.value,
    url: gateway.value.info.url,
    async stop() {
      await gateway.value.stop();
      await subgraphs.value.stop();
    },
  };
}

export interface PeerGateway {
  readonly url: string;
  /** Its process, whose CPU the comparison reports. */
  readonly pid: number;
  stop(): Promise<void>;
}

/** The supergraph with each subgraph's URL replaced by where the bench runs it. */
function supergraphFor(urls: SubgraphUrls): string {
  let sdl = readFileSync(SUPERGRAPH_PATH, 'utf8');
  for (const [name, url] of Object.entries(urls)) {
    const pattern = new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]*(")`);
    if (!pattern.test(sdl)) throw new Error(`the supergraph has no join__graph named ${name}`);
    sdl = sdl.replace(pattern, `$1${url}$2`);
  }
  return sdl;
}

/**
 * `@graphql-hive/gateway` as its users run it: `hive-gateway supergraph <file>`, one process
 * (`--fork 1`), its defaults otherwise, in an empty working directory so no config file is picked up.
 */
export async function startHiveGateway(ctx: SystemsContext, urls: SubgraphUrls): Promise<PeerGateway> {
  const bin = hiveGatewayBin(ctx.progress);
  const dir = mkdtempSync(join(tmpdir(), 'bench-hive-'));
  const file = join(dir, 'supergraph.graphql');
  writeFileSync(file, supergraphFor(urls));
  const [port] = (await freePorts(1)) as [number];
  const program = startProgram(
    'hive gateway',
    process.execPath,
    [bin, 'supergraph', file, '--host', '127.0.0.1', '--port', String(port), '--fork', '1'],
    {
      cwd: dir,
      env: { ...process.env, ...CHILD_ENV, NODE_ENV: 'development' },
    },
  );
  const url = `http://127.0.0.1:${port}/graphql`;
  const stop = async () => {
    await program.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const response = await postGraphQL(url, { query: '{ __typename }' }, 1);
      if (response.status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (program.exited() || Date.now() > deadline) {
      await stop();
      throw new Error(
        `@graphql-hive/gateway ${program.exited() ? 'exited' : 'did not answer within 120 s'}; its output:\n${program.output()}`,
      );
    }
    await sleep(250);
  }
  ctx.progress('@graphql-hive/gateway ready');
  return { url, pid: program.pid, stop };
}

/**
 * Waits until every subgraph of `system` has applied everything in `dataset`'s topics: a read with
 * an `X-Consistency-Token` of their high-water marks is answered only then (the system's own
 * read-your-writes mechanism), and fails with CONSISTENCY_TIMEOUT meanwhile.
 */
export async function waitUntilCaughtUp(
  ctx: BenchContext,
  system: SystemUnderTest,
  log: EventLog,
  dataset: Dataset,
): Promise<void> {
  const startedAt = Date.now();
  const marks = await Promise.all(
    Object.values(dataset.topics).map(async (topic) => [topic, await log.highWaterMarks(topic)] as const),
  );
  const token = encodePosition(Object.fromEntries(marks));
  // Touches all three subgraphs: products and customers each follow their topic, purchases all three.
  const query = '{ products(first: 1) { totalCount nodes { purchaseCount } } customers(first: 1) { totalCount } }';
  let last = '';
  while (Date.now() - startedAt < 30 * 60_000) {
    const response = await postGraphQL(system.url, { query }, 1, { [CONSISTENCY_HEADER]: token }).catch((error: unknown) => ({
      status: 0,
      text: String(error),
    }));
    if (response.status === 200 && !response.text.includes('"errors"')) {
      ctx.progress(
        `${system.name} system caught up with its data ${((Date.now() - startedAt) / 1000).toFixed(1)} s after the load`,
      );
      return;
    }
    last = response.text.slice(0, 300);
    await sleep(500);
  }
  throw new Error(`the ${system.name} system did not catch up with its data within 30 minutes; last answer: ${last}`);
}
