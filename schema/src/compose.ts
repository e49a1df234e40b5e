/** `npm run compose`: regenerates schema/supergraph.graphql from the subgraph SDLs. */
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { composeSupergraph, SUPERGRAPH_PATH } from './compose-lib.ts';

writeFileSync(SUPERGRAPH_PATH, composeSupergraph());
console.log(`wrote ${relative(process.cwd(), SUPERGRAPH_PATH)}`);
