import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateAllResolverTypes, RESOLVER_TYPES_COMMAND } from '../codegen/resolver-types.ts';

describe('generated resolver types', () => {
  it(`are up to date with each subgraph's schema.graphql (else: ${RESOLVER_TYPES_COMMAND})`, async () => {
    for (const file of await generateAllResolverTypes()) {
      const path = relative(process.cwd(), file.path);
      expect(existsSync(file.path), `${path} is missing: run ${RESOLVER_TYPES_COMMAND}`).toBe(true);
      expect(readFileSync(file.path, 'utf8'), `${path} is stale: run ${RESOLVER_TYPES_COMMAND}`).toBe(file.content);
    }
  }, 60_000);
});
