export { changeKindOf, moneyString } from './events/common.ts';
export * from './events/products.ts';
export * from './events/customers.ts';
export * from './events/purchases.ts';
export { SUBGRAPHS, subgraphNamed, eventTopics, TOPICS, type EventTopics, type SubgraphName } from './subgraphs/index.ts';
export { loadSubgraphSdl, composeSupergraph, SUPERGRAPH_PATH } from './compose-lib.ts';
export {
  buildManifest,
  documentHash,
  manifestText,
  readTrustedDocuments,
  TRUSTED_DOCUMENTS_PATH,
  usesOf,
  type ClientOperation,
  type TrustedClient,
  type TrustedDocumentsManifest,
} from './trusted-documents/manifest.ts';
