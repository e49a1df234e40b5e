/**
 * The local Kafka broker: command line and library entry point.
 *
 * Command line: `tsx infra/kafka/kafka.ts fetch|start|stop|status` (`npm run kafka:fetch`,
 * `kafka:start`, `kafka:stop`). Environment: `KAFKA_PORT` (default 9092), `KAFKA_CONTROLLER_PORT`
 * (default port + 1), `KAFKA_HOME_DIR` (default `<repo>/.kafka`), `JAVA_HOME` (default: `java` on
 * the PATH).
 *
 * Library: the test global setup and fault tests import {@link startKafka} and {@link stopKafka}
 * from here; importing this module runs no command. The implementation is in `broker.ts`.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fetchKafka, kafkaStatus, kafkaVersion, startKafka, stopKafka } from './broker.ts';

export { fetchKafka, kafkaStatus, kafkaVersion, startKafka, stopKafka } from './broker.ts';
export type { KafkaStatus, LocalKafkaOptions, RunningKafka, StartKafkaOptions, StopKafkaOptions } from './broker.ts';

const USAGE = 'usage: tsx infra/kafka/kafka.ts fetch|start|stop|status';

async function main(command: string | undefined): Promise<number> {
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
    case 'stop':
      console.log((await stopKafka()) ? 'Kafka stopped' : 'Kafka was not running');
      return 0;
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
  main(process.argv[2]).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
