import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { createKafkaLog } from '@shop/event-core';
import { describeSystemScenario } from './support/scenario.ts';

const brokers = inject('kafkaBrokers').split(',');

describeSystemScenario('Kafka', { openLog: () => createKafkaLog({ brokers, clientId: `e2e-${randomUUID().slice(0, 8)}` }) });
