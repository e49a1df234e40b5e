import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { generateClientFiles } from './generate.ts';

// `npm run codegen -w client`: regenerate the client's schema and typed documents after the
// supergraph or src/graphql/operations.graphql changed.
for (const file of await generateClientFiles()) {
  writeFileSync(file.path, file.content);
  console.log(`wrote ${relative(process.cwd(), file.path)}`);
}
