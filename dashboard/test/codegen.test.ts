// @vitest-environment node
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../codegen.ts';

const root = join(import.meta.dirname, '..');

describe('the generated GraphQL types', () => {
  it('match the schema and the operations (run `npm run codegen -w dashboard` when this fails)', async () => {
    // Generated into a scratch folder by the CLI's own writer, then compared file by file.
    const scratch = mkdtempSync(join(tmpdir(), 'dashboard-gql-'));
    const cwd = process.cwd();
    process.chdir(root);
    try {
      const [output] = Object.values(config.generates);
      await generate({ ...config, silent: true, generates: { [`${scratch}/`]: output! } }, true);
      const checkedIn = join(root, 'src', 'gql');
      const files = readdirSync(scratch).sort();
      expect(files).toEqual(readdirSync(checkedIn).sort());
      for (const file of files)
        expect(readFileSync(join(checkedIn, file), 'utf8'), file).toBe(readFileSync(join(scratch, file), 'utf8'));
    } finally {
      process.chdir(cwd);
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
