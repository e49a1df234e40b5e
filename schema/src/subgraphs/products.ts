import { fileURLToPath } from 'node:url';
import { wholeStateChanges, type SubgraphManifest } from '@shop/event-core';
import { changeKindOf } from '../events/common.ts';
import { toProductEvent } from '../events/products.ts';

const folder = (path: string): string => fileURLToPath(new URL(`../../../subgraphs/products/${path}`, import.meta.url));

/** The products subgraph: products on their own topic, their changes as `productChanged`. */
export const products = {
  name: 'products',
  sdl: folder('schema.graphql'),
  start: { module: '@shop/products-subgraph', export: 'startProductsSubgraph' },
  main: folder('src/main.ts'),
  port: 4001,
  settings: 'PRODUCTS',
  topic: 'eventbus.products',
  follows: ['products'],
  changes: wholeStateChanges({
    entity: 'product',
    type: 'Product',
    isCreate: (event) => event.type === 'ProductCreated',
    toEvent: toProductEvent,
    changeKind: changeKindOf,
  }),
  subscriptions: {
    productChanged: { entity: 'product', typename: 'ProductChange', query: 'product', includeDeleted: true },
  },
} as const satisfies SubgraphManifest;
