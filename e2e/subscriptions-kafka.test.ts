import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { createKafkaLog } from '@shop/event-core';
import { describeSubscriptionScenario } from './support/subscriptions.ts';

const brokers = inject('kafkaBrokers').split(',');

describeSubscriptionScenario('Kafka', {
  openLog: () => createKafkaLog({ brokers, clientId: `subs-${randomUUID().slice(0, 8)}` }),
});
