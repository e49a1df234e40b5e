import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
  }
}

/**
 * Integration tests run on a real Kafka broker, never skipped: `KAFKA_BROKERS` when it is set,
 * else the local broker from Maven Central jars, started here and stopped afterwards (left
 * running if it was already up).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const configured = process.env.KAFKA_BROKERS?.trim();
  if (configured) {
    project.provide('kafkaBrokers', configured);
    return async () => {};
  }
  const { startKafka } = await import('../infra/kafka/kafka.ts');
  const broker = await startKafka({});
  project.provide('kafkaBrokers', broker.brokers.join(','));
  return async () => {
    await broker.stop();
  };
}
