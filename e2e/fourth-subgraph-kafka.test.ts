import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { createKafkaLog } from '@shop/event-core';
import { describeFourthSubgraph } from './support/fourth-subgraph.ts';

const brokers = inject('kafkaBrokers');

describeFourthSubgraph('Kafka', {
  openLog: () => createKafkaLog({ brokers: brokers.split(','), clientId: `fourth-${randomUUID().slice(0, 8)}` }),
  topicPrefix: `fourth.${randomUUID().slice(0, 8)}.`,
  processEnv: { KAFKA_BROKERS: brokers },
});
