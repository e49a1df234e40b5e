export { changeKindOf, TOPICS, eventTopics, type EventTopics, moneyString } from './events/common.ts';
export * from './events/products.ts';
export * from './events/customers.ts';
export * from './events/purchases.ts';
export { SUBGRAPHS, loadSubgraphSdl, composeSupergraph, SUPERGRAPH_PATH, type SubgraphName } from './compose-lib.ts';
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
