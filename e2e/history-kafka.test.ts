import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { createKafkaLog } from '@shop/event-core';
import { describeHistoryScenario } from './support/history-scenario.ts';

const brokers = inject('kafkaBrokers').split(',');

describeHistoryScenario('Kafka', { openLog: () => createKafkaLog({ brokers, clientId: `history-${randomUUID().slice(0, 8)}` }) });
