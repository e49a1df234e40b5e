import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { generateAllResolverTypes } from './resolver-types.ts';

// `npm run codegen:resolvers`: regenerate each subgraph's src/generated/resolvers-types.ts after
// its schema.graphql changed.
for (const file of await generateAllResolverTypes()) {
  mkdirSync(dirname(file.path), { recursive: true });
  writeFileSync(file.path, file.content);
  console.log(`wrote ${relative(process.cwd(), file.path)}`);
}
