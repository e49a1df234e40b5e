/**
 * `npm run schema:check [-- --against <supergraph file>]`: composes the subgraphs' SDL and
 * compares the result with the checked-in schema/supergraph.graphql (or the given previous
 * supergraph). Exits 1 when a change breaks what a trusted document uses.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { composeSupergraph, SUPERGRAPH_PATH } from '../compose-lib.ts';
import { readTrustedDocuments } from '../trusted-documents/manifest.ts';
import { checkSchema, formatReport } from './check.ts';

const { values } = parseArgs({ options: { against: { type: 'string' } } });
const previousPath = values.against ?? SUPERGRAPH_PATH;
const report = await checkSchema({
  previousSupergraph: readFileSync(previousPath, 'utf8'),
  nextSupergraph: composeSupergraph(),
  manifest: readTrustedDocuments(),
});
console.log(`Schema check: the subgraphs composed now, against ${relative(process.cwd(), previousPath)}\n`);
console.log(formatReport(report));
if (report.breaking.length > 0) {
  console.error(
    `\n${report.breaking.length} breaking change(s) to what the clients use: keep the old field or argument (deprecate it), or change the clients first.`,
  );
  process.exitCode = 1;
}
