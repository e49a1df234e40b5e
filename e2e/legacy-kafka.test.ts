import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { createKafkaLog } from '@shop/event-core';
import { describeLegacyScenario } from './support/legacy-scenario.ts';

const brokers = inject('kafkaBrokers').split(',');

describeLegacyScenario('Kafka', { openLog: () => createKafkaLog({ brokers, clientId: `legacy-${randomUUID().slice(0, 8)}` }) });
