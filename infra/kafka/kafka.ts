/**
 * The local Kafka broker, or cluster: command line and library entry point.
 *
 * Command line: `tsx infra/kafka/kafka.ts fetch|start|stop|status [--brokers N]` (`npm run
 * kafka:fetch`, `kafka:start`, `kafka:stop`). One broker by default; `--brokers 3` starts a
 * three-node cluster instead (`cluster.ts`), on its own ports and data. `stop` stops both.
 * Environment: `KAFKA_PORT` (default 9092), `KAFKA_CONTROLLER_PORT` (default port + 1),
 * `KAFKA_CLUSTER_PORT` (the cluster's first port, default 9192), `KAFKA_HOME_DIR` (default
 * `<repo>/.kafka`), `JAVA_HOME` (default: `java` on the PATH).
 *
 * Library: the test global setup and fault tests import {@link startKafka} and {@link stopKafka}
 * (or {@link startKafkaCluster}) from here; importing this module runs no command. The
 * implementation is in `broker.ts` and `cluster.ts`.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fetchKafka, kafkaStatus, kafkaVersion, startKafka, stopKafka } from './broker.ts';
import { kafkaClusterStatus, startKafkaCluster, stopKafkaCluster } from './cluster.ts';

export { fetchKafka, kafkaStatus, kafkaVersion, startKafka, stopKafka } from './broker.ts';
export type { KafkaStatus, LocalKafkaOptions, RunningKafka, StartKafkaOptions, StopKafkaOptions } from './broker.ts';
export { kafkaClusterStatus, startKafkaCluster, stopKafkaCluster } from './cluster.ts';
export type {
  KafkaClusterNode,
  KafkaClusterOptions,
  KafkaClusterStatus,
  RunningKafkaCluster,
  StartKafkaClusterOptions,
} from './cluster.ts';

const USAGE = 'usage: tsx infra/kafka/kafka.ts fetch|start|stop|status [--brokers N]';

/** `--brokers N` or `--brokers=N`; 1 when absent. */
function brokersArgument(args: readonly string[]): number {
  const at = args.findIndex((arg) => arg === '--brokers' || arg.startsWith('--brokers='));
  if (at < 0) return 1;
  const raw = args[at]!.includes('=') ? args[at]!.slice('--brokers='.length) : args[at + 1];
  const brokers = Number(raw);
  if (!Number.isInteger(brokers) || brokers < 1 || brokers > 9) {
    throw new Error(`--brokers ${raw ?? ''} is not a number of brokers: use 1 (the default) or 3 for a cluster.`);
  }
  return brokers;
}

async function main(command: string | undefined, args: readonly string[]): Promise<number> {
  const brokerCount = brokersArgument(args);
  if (brokerCount > 1) return cluster(command, brokerCount);
  switch (command) {
    case 'fetch': {
      const fetched = await fetchKafka();
      console.log(fetched ? `Fetched Kafka ${kafkaVersion()} jars` : `Kafka ${kafkaVersion()} jars are up to date`);
      return 0;
    }
    case 'start': {
      const startedAt = Date.now();
      const kafka = await startKafka();
      const brokers = kafka.brokers.join(',');
      if (kafka.alreadyRunning) {
        const owner = kafka.pid === null ? 'not started from this directory' : `pid ${kafka.pid}`;
        console.log(`Kafka is already running on ${brokers} (${owner})`);
      } else {
        console.log(`Kafka ready on ${brokers} (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
      }
      return 0;
    }
    case 'stop': {
      console.log((await stopKafka()) ? 'Kafka stopped' : 'Kafka was not running');
      const nodes = await stopKafkaCluster();
      if (nodes > 0) console.log(`Kafka cluster stopped (${nodes} nodes)`);
      return 0;
    }
    case 'status': {
      const { brokers, pid, answering } = await kafkaStatus();
      const where = brokers.join(',');
      if (pid !== null) {
        console.log(`Kafka is running (pid ${pid}) and ${answering ? 'answers' : 'does not answer yet'} on ${where}`);
      } else if (answering) {
        console.log(`A Kafka broker not started from this directory answers on ${where}`);
      } else {
        console.log(`Kafka is not running on ${where}`);
      }
      // Like an init script's status: 0 running, 3 not running.
      return pid !== null || answering ? 0 : 3;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

async function cluster(command: string | undefined, brokers: number): Promise<number> {
  switch (command) {
    case 'start': {
      const startedAt = Date.now();
      const running = await startKafkaCluster({ brokers });
      const where = running.brokers.join(',');
      if (running.alreadyRunning) console.log(`The Kafka cluster is already running on ${where}`);
      else console.log(`Kafka cluster of ${brokers} ready on ${where} (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
      return 0;
    }
    case 'stop': {
      const nodes = await stopKafkaCluster({ brokers });
      console.log(nodes > 0 ? `Kafka cluster stopped (${nodes} nodes)` : 'The Kafka cluster was not running');
      return 0;
    }
    case 'status': {
      const { brokers: where, pids, answering } = await kafkaClusterStatus({ brokers });
      const running = pids.filter((pid) => pid !== null).length;
      console.log(
        `Kafka cluster: ${running} of ${pids.length} nodes running (${pids.map((pid) => pid ?? '-').join(', ')}); ` +
          `${answering ? 'answers' : 'does not answer with every node'} on ${where.join(',')}`,
      );
      return running > 0 || answering ? 0 : 3;
    }
    case 'fetch':
      return main('fetch', []);
    default:
      console.error(USAGE);
      return 2;
  }
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv[2], process.argv.slice(3)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
