import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { generateDashboardFiles } from './generate.ts';

// `npm run codegen -w dashboard`: regenerate src/gql/ after an operation under src/ or the
// supergraph changed.
for (const file of await generateDashboardFiles()) {
  mkdirSync(dirname(file.path), { recursive: true });
  writeFileSync(file.path, file.content);
  console.log(`wrote ${relative(process.cwd(), file.path)}`);
}
