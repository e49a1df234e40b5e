// @vitest-environment node
import { readdirSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODEGEN_PATHS, generateDashboardFiles } from '../codegen/generate.ts';

const checkedIn = resolve(import.meta.dirname, '..', CODEGEN_PATHS.outputDir);

describe('the generated GraphQL types', () => {
  it('match the schema and the operations (run `npm run codegen -w dashboard` when this fails)', async () => {
    const generated = await generateDashboardFiles();
    // The same files, no more and no fewer, each with the same content.
    expect(generated.map((file) => relative(checkedIn, file.path)).sort()).toEqual(readdirSync(checkedIn).sort());
    for (const file of generated) expect(readFileSync(file.path, 'utf8'), relative(checkedIn, file.path)).toBe(file.content);
  }, 60_000);
});
