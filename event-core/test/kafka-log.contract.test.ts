import { inject } from 'vitest';
import { createKafkaLog } from '../src/log/kafka/log.ts';
import { describeEventLogContract } from '../src/testing/index.ts';

// The integration project's global setup provides the brokers: KAFKA_BROKERS, or the local broker
// it started (npm run kafka:start). Every contract test uses topics of its own.
describeEventLogContract('kafka', async () =>
  createKafkaLog({ brokers: inject('kafkaBrokers').split(','), clientId: 'contract-test' }),
);
