/**
 * A local multi-node Apache Kafka cluster (KRaft, every node both broker and controller), from the
 * same jars as the single node in `broker.ts`: what production runs (docs/deploy.md), on one
 * machine, so failover, under-replicated partitions and rolling restarts can be tried and tested.
 *
 * Layout, under the cluster's directory (default `<repo>/.kafka/cluster`, next to the single
 * node's files and sharing its `libs/`): `cluster.id`, written once, and one directory per node,
 * `node-<id>/`, laid out as the single node's (`data/`, `server.properties`, `kafka.log`,
 * `kafka.pid`). Node `i` listens on `port + 2(i - 1)` for clients and on the port after it for the
 * controllers. The cluster's settings are in `broker.ts` (`clusterProperties`).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  brokerAnswers,
  fetchKafka,
  kafkaPid,
  randomClusterId,
  startKafka,
  stopKafka,
  type ClusterNode,
  type StopKafkaOptions,
} from './broker.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const HOST = '127.0.0.1';

/** Where a cluster lives and listens. */
export interface KafkaClusterOptions {
  /** Number of nodes. Default 3: the smallest cluster that keeps serving with one node gone. */
  readonly brokers?: number;
  /** Client port of node 1 (node `i`: `port + 2(i - 1)`, its controller the port after). Default: env `KAFKA_CLUSTER_PORT`, else 9192. */
  readonly port?: number;
  /** Each node's ports, node 1 first; overrides `port` (tests use free ports). */
  readonly ports?: readonly { readonly port: number; readonly controllerPort: number }[];
  /** The cluster's directory. Default `<KAFKA_HOME_DIR or <repo>/.kafka>/cluster`. */
  readonly dir?: string;
  /** Where the jars are. Default `<KAFKA_HOME_DIR or <repo>/.kafka>/libs`, the single node's. */
  readonly libsDir?: string;
  /** Receives progress messages meant for a person. Default: `console.log`. */
  readonly log?: (message: string) => void;
}

export interface StartKafkaClusterOptions extends KafkaClusterOptions {
  /** How long to wait until every node answers and knows all the others, in ms. Default 180 000. */
  readonly readyTimeoutMs?: number;
  /** Each node's JVM maximum heap (`-Xmx`). Default `320m`: three of them on a laptop. */
  readonly maxHeap?: string;
}

/** One node of a running cluster, for fault tests and operators: stop, crash, freeze, start again. */
export interface KafkaClusterNode {
  readonly nodeId: number;
  /** Its client listener, `host:port`. */
  readonly address: string;
  /** Its JVM's process id while it runs. */
  pid(): number | null;
  /** Starts it again (same ports, same data) and resolves once it answers. */
  start(): Promise<void>;
  /** SIGTERM (a clean shutdown, leadership handed over) or, with `force`, SIGKILL (a crash). */
  stop(options?: Pick<StopKafkaOptions, 'force' | 'timeoutMs'>): Promise<void>;
  /** SIGSTOP: connections stay open and nothing answers, as with a long GC pause or a partition. */
  freeze(): void;
  /** SIGCONT. */
  thaw(): void;
}

export interface RunningKafkaCluster {
  /** Bootstrap servers for a client: every node. */
  readonly brokers: string[];
  readonly nodes: readonly KafkaClusterNode[];
  /** True when the whole cluster answered already, so this call started nothing. */
  readonly alreadyRunning: boolean;
  /** Stops every node (see {@link stopKafkaCluster}). */
  stop(options?: Pick<StopKafkaOptions, 'force' | 'timeoutMs'>): Promise<void>;
}

export interface KafkaClusterStatus {
  readonly brokers: string[];
  /** Each node's pid, `null` for a node not running. */
  readonly pids: (number | null)[];
  /** Every node answers, and the cluster counts them all. */
  readonly answering: boolean;
}

interface ResolvedCluster {
  readonly dir: string;
  readonly libsDir: string;
  readonly log: (message: string) => void;
  readonly nodes: readonly {
    readonly nodeId: number;
    readonly port: number;
    readonly controllerPort: number;
    readonly dir: string;
  }[];
}

/**
 * Starts the cluster (fetching the jars and formatting each node's storage first when needed)
 * and resolves once every node answers and the cluster counts all of them. The JVMs run detached
 * until {@link stopKafkaCluster}. Nodes that run already are left as they are.
 *
 * Warm, it takes 15 to 60 s depending on how busy the machine is: three JVMs start at once.
 */
export async function startKafkaCluster(options: StartKafkaClusterOptions = {}): Promise<RunningKafkaCluster> {
  const cluster = resolveCluster(options);
  const { readyTimeoutMs = 180_000, maxHeap = '320m' } = options;
  const brokers = cluster.nodes.map((node) => `${HOST}:${node.port}`);
  const stop = (stopOptions?: Pick<StopKafkaOptions, 'force' | 'timeoutMs'>) =>
    stopKafkaCluster({ ...options, ...stopOptions }).then(() => undefined);
  const handle = (alreadyRunning: boolean): RunningKafkaCluster => ({
    brokers,
    nodes: cluster.nodes.map((node) => nodeHandle(cluster, node, maxHeap, readyTimeoutMs)),
    alreadyRunning,
    stop,
  });
  if (await brokerAnswers(brokers, cluster.nodes.length)) return handle(true);

  await fetchKafka({ dir: cluster.dir, libsDir: cluster.libsDir, log: cluster.log });
  mkdirSync(cluster.dir, { recursive: true });
  const formatted = formattedNodes(cluster.dir);
  if (formatted.length > 0 && formatted.length !== cluster.nodes.length) {
    throw new Error(
      `The Kafka cluster in ${cluster.dir} has ${formatted.length} nodes, not ${cluster.nodes.length}: ` +
        `start it with --brokers ${formatted.length}, or stop it and remove ${cluster.dir} for a new one.`,
    );
  }
  const clusterId = readOrCreateClusterId(cluster.dir);
  const started = Date.now();
  try {
    // Together: a node answers only once a majority of the controllers has elected a leader.
    // Settled, all of them, before a failure stops the others: a node still starting has no pid file yet.
    const starts = await Promise.allSettled(
      cluster.nodes.map((node) =>
        startKafka({
          ...nodeOptions(cluster, node),
          maxHeap,
          node: nodeSpec(cluster, node, clusterId),
          waitUntilReady: false,
        }),
      ),
    );
    const failed = starts.find((start) => start.status === 'rejected');
    if (failed) throw failed.reason;
    for (;;) {
      if (await brokerAnswers(brokers, cluster.nodes.length)) break;
      const gone = cluster.nodes.filter((node) => kafkaPid(nodeOptions(cluster, node)) === null);
      if (gone.length > 0) {
        const logs = gone.map((node) => join(node.dir, 'kafka.log')).join(', ');
        throw new Error(`Kafka node ${gone.map((node) => node.nodeId).join(', ')} exited during start-up; see ${logs}`);
      }
      if (Date.now() - started > readyTimeoutMs) {
        throw new Error(
          `The Kafka cluster did not answer with all ${cluster.nodes.length} nodes on ${brokers.join(',')} within ${readyTimeoutMs} ms; see the kafka.log of each node in ${cluster.dir}`,
        );
      }
      await new Promise((wake) => setTimeout(wake, 500));
    }
  } catch (error) {
    await stopKafkaCluster({ ...options, force: true });
    throw error;
  }
  return handle(false);
}

/**
 * Stops every node of the cluster in its directory, all at once (SIGTERM, SIGKILL after
 * `timeoutMs`, or SIGKILL at once with `force`). The data stays.
 *
 * @returns how many nodes were running.
 */
export async function stopKafkaCluster(options: KafkaClusterOptions & StopKafkaOptions = {}): Promise<number> {
  const cluster = resolveCluster({ ...options, brokers: Math.max(1, nodeDirs(clusterDir(options)).length) });
  const stopped = await Promise.all(
    cluster.nodes.map((node) =>
      stopKafka({
        ...nodeOptions(cluster, node),
        ...(options.force === undefined ? {} : { force: options.force }),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      }),
    ),
  );
  return stopped.filter(Boolean).length;
}

/** Which nodes run, and does the whole cluster answer? */
export async function kafkaClusterStatus(options: KafkaClusterOptions = {}): Promise<KafkaClusterStatus> {
  const formatted = formattedNodes(clusterDir(options)).length;
  const cluster = resolveCluster({ ...options, brokers: options.brokers ?? Math.max(formatted, 1) });
  const brokers = cluster.nodes.map((node) => `${HOST}:${node.port}`);
  return {
    brokers,
    pids: cluster.nodes.map((node) => kafkaPid(nodeOptions(cluster, node))),
    answering: await brokerAnswers(brokers, cluster.nodes.length),
  };
}

function clusterDir(options: KafkaClusterOptions): string {
  return resolve(options.dir ?? join(homeDir(), 'cluster'));
}

function homeDir(): string {
  return process.env.KAFKA_HOME_DIR || join(REPO_ROOT, '.kafka');
}

function resolveCluster(options: KafkaClusterOptions): ResolvedCluster {
  const count = options.ports?.length ?? options.brokers ?? 3;
  if (!Number.isInteger(count) || count < 1 || count > 9) {
    throw new Error(`A local Kafka cluster has 1 to 9 brokers, not ${count}: use 3 for a production-like one.`);
  }
  const first = options.port ?? envPort('KAFKA_CLUSTER_PORT') ?? 9192;
  const dir = clusterDir(options);
  return {
    dir,
    libsDir: resolve(options.libsDir ?? join(homeDir(), 'libs')),
    log: options.log ?? ((message) => console.log(message)),
    nodes: Array.from({ length: count }, (_, i) => {
      const ports = options.ports?.[i] ?? { port: first + 2 * i, controllerPort: first + 2 * i + 1 };
      return { nodeId: i + 1, ...ports, dir: join(dir, `node-${i + 1}`) };
    }),
  };
}

function nodeOptions(cluster: ResolvedCluster, node: ResolvedCluster['nodes'][number]) {
  return {
    port: node.port,
    controllerPort: node.controllerPort,
    dir: node.dir,
    libsDir: cluster.libsDir,
    log: (message: string) => cluster.log(`[node ${node.nodeId}] ${message}`),
  };
}

function nodeSpec(cluster: ResolvedCluster, node: ResolvedCluster['nodes'][number], clusterId: string): ClusterNode {
  return {
    nodeId: node.nodeId,
    voters: cluster.nodes.map(({ nodeId, controllerPort }) => ({ nodeId, controllerPort })),
    clusterId,
  };
}

function nodeHandle(
  cluster: ResolvedCluster,
  node: ResolvedCluster['nodes'][number],
  maxHeap: string,
  readyTimeoutMs: number,
): KafkaClusterNode {
  const options = nodeOptions(cluster, node);
  const signal = (name: NodeJS.Signals): void => {
    const pid = kafkaPid(options);
    if (pid === null) throw new Error(`Kafka node ${node.nodeId} is not running`);
    process.kill(pid, name);
  };
  return {
    nodeId: node.nodeId,
    address: `${HOST}:${node.port}`,
    pid: () => kafkaPid(options),
    async start() {
      const clusterId = readOrCreateClusterId(cluster.dir);
      await startKafka({ ...options, maxHeap, readyTimeoutMs, node: nodeSpec(cluster, node, clusterId) });
    },
    async stop(stopOptions = {}) {
      await stopKafka({ ...options, ...stopOptions });
    },
    freeze: () => signal('SIGSTOP'),
    thaw: () => signal('SIGCONT'),
  };
}

/** The node directories in the cluster's directory. */
function nodeDirs(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((name) => /^node-\d+$/.test(name)) : [];
}

/** Node directories whose storage is formatted. */
function formattedNodes(dir: string): string[] {
  return nodeDirs(dir).filter((name) => existsSync(join(dir, name, 'data', 'meta.properties')));
}

/** Every node's storage is formatted with the same cluster id, kept in `cluster.id`. */
function readOrCreateClusterId(dir: string): string {
  const file = join(dir, 'cluster.id');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const id = randomClusterId();
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, `${id}\n`);
  return id;
}

function envPort(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535 - 20) {
    throw new Error(`${name}=${raw} is not a TCP port for a cluster: use a whole number from 1 to 65515.`);
  }
  return port;
}
