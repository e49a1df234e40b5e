/**
 * Trusted documents (docs/decisions/0021-trusted-documents.md): the dashboard's customers page
 * sent by its hash alone, as the built dashboard sends it, against the same document sent as text.
 */
import { readTrustedDocuments } from '@shop/schema';
import { errorNote, interleave } from '../compare.ts';
import type { BenchContext } from '../context.ts';
import { closedLoop, FRESH, graphqlData, type GraphQLRequest } from '../http-load.ts';
import { requestSide, type Row } from '../report.ts';
import { throughput } from '../stats.ts';
import type { SystemUnderTest } from '../systems.ts';

/** The dashboard's first customers page, as its list asks for it by default (by name, 20 rows). */
const CUSTOMERS_PAGE_VARIABLES = { first: 20, offset: 0, orderBy: { field: 'NAME', direction: 'ASC' } };

/**
 * The two requests of the row: the manifest's document for the dashboard's `Customers` operation
 * (the text its Apollo Client sends, byte for byte), by hash and as text.
 */
export function customersPageRequests(): { byHash: GraphQLRequest; asText: GraphQLRequest } {
  const manifest = readTrustedDocuments();
  const hash = manifest.clients.dashboard.Customers;
  const text = hash === undefined ? undefined : manifest.documents[hash];
  if (hash === undefined || text === undefined) {
    throw new Error('schema/trusted-documents.json has no dashboard operation Customers: run npm run trusted-documents');
  }
  const common = { operationName: 'Customers', variables: CUSTOMERS_PAGE_VARIABLES };
  return {
    byHash: { ...common, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } },
    asText: { ...common, query: text },
  };
}

/**
 * The customers page by hash against as text through the same gateway, `options.concurrency`
 * clients, answers from the subgraphs (`Cache-Control: no-cache`: a cached answer would cost the
 * same whatever the request looked like), rounds alternating.
 */
export async function trustedDocumentsRow(ctx: BenchContext, system: SystemUnderTest): Promise<Row> {
  const { options } = ctx;
  const { byHash, asText } = customersPageRequests();
  // Both must answer the same thing, or the comparison compares nothing.
  const same = JSON.stringify(await graphqlData(system.url, byHash)) === JSON.stringify(await graphqlData(system.url, asText));
  ctx.progress(`trusted documents: customers page by hash vs as text, ${options.concurrency} clients`);
  const load = (body: GraphQLRequest) => (seconds: number) =>
    closedLoop({ url: system.url, concurrency: options.concurrency, seconds, next: () => body, headers: { ...FRESH } });
  const { measured, baseline } = await interleave(load(byHash), load(asText), options);
  const bytes = (body: GraphQLRequest) => Buffer.byteLength(JSON.stringify(body));
  return {
    scenario: 'trusted documents: dashboard customers page',
    measured: requestSide(`by hash, ${options.concurrency} clients`, measured),
    baseline: requestSide(`as text, ${options.concurrency} clients`, baseline),
    ratio: throughput(measured) / throughput(baseline),
    // A figure to report, not a threshold.
    target: 'reported',
    met: undefined,
    note: [
      same ? undefined : 'the two requests answered differently',
      `request body ${bytes(byHash)} B by hash, ${bytes(asText)} B as text`,
      errorNote('by hash', measured),
      errorNote('as text', baseline),
    ]
      .filter((part): part is string => part !== undefined)
      .join('; '),
  };
}
