import { fileURLToPath } from 'node:url';
import { wholeStateChanges, type SubgraphManifest } from '@shop/event-core';
import { changeKindOf } from '../events/common.ts';
import { toCustomerEvent } from '../events/customers.ts';

const folder = (path: string): string => fileURLToPath(new URL(`../../../subgraphs/customers/${path}`, import.meta.url));

/** The customers subgraph: customers on their own topic, their changes as `customerChanged`. */
export const customers = {
  name: 'customers',
  sdl: folder('schema.graphql'),
  start: { module: '@shop/customers-subgraph', export: 'startCustomersSubgraph' },
  main: folder('src/main.ts'),
  port: 4002,
  settings: 'CUSTOMERS',
  topic: 'eventbus.customers',
  follows: ['customers'],
  changes: wholeStateChanges({
    entity: 'customer',
    type: 'Customer',
    isCreate: (event) => event.type === 'CustomerCreated',
    toEvent: toCustomerEvent,
    changeKind: changeKindOf,
  }),
  subscriptions: {
    customerChanged: { entity: 'customer', typename: 'CustomerChange', query: 'customer', includeDeleted: true },
  },
} as const satisfies SubgraphManifest;
