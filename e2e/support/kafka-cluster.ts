import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startKafkaCluster, type KafkaClusterNode, type RunningKafkaCluster } from '../../infra/kafka/kafka.ts';
import { freePort, REPO_ROOT, waitUntil } from './faults.ts';

/** A three-node cluster of one test file's own, in a scratch directory on free ports. */
export interface PrivateCluster extends RunningKafkaCluster {
  /** Stops every node at once (SIGKILL: the data is thrown away) and deletes the directory. */
  dispose(): Promise<void>;
}

/**
 * Starts a three-node KRaft cluster next to the shared single broker (which other test files use
 * and which must never be stopped here), sharing its jars when they were fetched already. Each
 * node gets a small heap: three JVMs, the services and the test share two cores.
 */
export async function startPrivateCluster(): Promise<PrivateCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'shop-kafka-cluster-'));
  const sharedLibs = join(process.env.KAFKA_HOME_DIR || join(REPO_ROOT, '.kafka'), 'libs');
  const ports = [];
  for (let i = 0; i < 3; i++) ports.push({ port: await freePort(), controllerPort: await freePort() });
  try {
    const cluster = await startKafkaCluster({
      ports,
      dir,
      ...(existsSync(sharedLibs) ? { libsDir: sharedLibs } : {}),
      maxHeap: '256m',
      readyTimeoutMs: 240_000,
      log: () => {},
    });
    if (cluster.alreadyRunning) throw new Error(`the free ports ${JSON.stringify(ports)} are taken by another cluster`);
    return {
      ...cluster,
      async dispose() {
        // A frozen JVM ignores SIGTERM until it resumes; SIGKILL ends it either way.
        for (const node of cluster.nodes) if (node.pid() !== null) node.thaw();
        await cluster.stop({ force: true });
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** A partition of a topic, as the controller sees it. */
export interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  readonly leader: number;
  readonly isr: readonly number[];
  readonly replicas: readonly number[];
}

/** Leader, replicas and in-sync replicas of every partition of `topics`, from whichever node answers. */
export async function partitionStates(brokers: readonly string[], topics: readonly string[]): Promise<PartitionState[]> {
  const admin = new Kafka({
    clientId: 'cluster-probe',
    brokers: [...brokers],
    connectionTimeout: 1_000,
    requestTimeout: 3_000,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 },
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    const { topics: described } = await admin.fetchTopicMetadata({ topics: [...topics] });
    return described.flatMap(({ name, partitions }) =>
      partitions.map((p) => ({ topic: name, partition: p.partitionId, leader: p.leader, isr: p.isr, replicas: p.replicas })),
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** The node that leads the most partitions of `topics` (the first such node on a tie). */
export async function busiestLeader(cluster: RunningKafkaCluster, topics: readonly string[]): Promise<KafkaClusterNode> {
  const leaders = new Map<number, number>();
  for (const { leader } of await partitionStates(cluster.brokers, topics)) leaders.set(leader, (leaders.get(leader) ?? 0) + 1);
  const [nodeId] = [...leaders].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]!;
  return cluster.nodes.find((node) => node.nodeId === nodeId)!;
}

/** Waits until every partition of `topics` has all its replicas in sync again. */
export async function waitInSync(cluster: RunningKafkaCluster, topics: readonly string[], timeoutMs = 180_000): Promise<number> {
  return waitUntil(
    async () => {
      try {
        const states = await partitionStates(cluster.brokers, topics);
        return states.length > 0 && states.every((state) => state.isr.length === state.replicas.length);
      } catch {
        return false;
      }
    },
    `every replica of ${topics.join(', ')} in sync`,
    timeoutMs,
    500,
  );
}

/** A topic's settings as the brokers report them (`min.insync.replicas`, `cleanup.policy`, ...). */
export async function topicConfig(brokers: readonly string[], topic: string): Promise<Record<string, string>> {
  const admin = new Kafka({ clientId: 'cluster-probe', brokers: [...brokers], logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2 /* TOPIC */, name: topic }],
    });
    return Object.fromEntries((resources[0]?.configEntries ?? []).map((entry) => [entry.configName, entry.configValue]));
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
