export { changeKindOf, TOPICS, eventTopics, type EventTopics, moneyString } from './events/common.ts';
export * from './events/products.ts';
export * from './events/customers.ts';
export * from './events/purchases.ts';
export { SUBGRAPHS, loadSubgraphSdl, composeSupergraph, SUPERGRAPH_PATH, type SubgraphName } from './compose-lib.ts';
