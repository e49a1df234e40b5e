import { fileURLToPath } from 'node:url';
import { createdOnceChanges, type SubgraphManifest } from '@shop/event-core';
import { toPurchaseEvent } from '../events/purchases.ts';

const folder = (path: string): string => fileURLToPath(new URL(`../../../subgraphs/purchases/${path}`, import.meta.url));

/**
 * The purchases subgraph: purchases on their own topic, made once and never changed, their changes
 * as `purchaseMade`, which picks them by product and customer.
 */
export const purchases = {
  name: 'purchases',
  sdl: folder('schema.graphql'),
  start: { module: '@shop/purchases-subgraph', export: 'startPurchasesSubgraph' },
  main: folder('src/main.ts'),
  port: 4003,
  settings: 'PURCHASES',
  topic: 'eventbus.purchases',
  // Its products and customers are its own copies: it checks a purchase against them and keeps
  // their names and aggregates without asking the other subgraphs (@provides).
  follows: ['purchases', 'products', 'customers'],
  changes: createdOnceChanges({
    entity: 'purchase',
    type: 'Purchase',
    toEvent: toPurchaseEvent,
    // A purchase is an event of its product and of its customer too.
    refs: ({ data }) => ({
      productId: { type: 'Product', id: data.productId },
      customerId: { type: 'Customer', id: data.customerId },
    }),
  }),
  subscriptions: {
    purchaseMade: {
      entity: 'purchase',
      typename: 'PurchaseChange',
      query: 'purchase',
      includeDeleted: false,
      filters: ['productId', 'customerId'],
    },
  },
} as const satisfies SubgraphManifest;
