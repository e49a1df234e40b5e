import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CodegenConfig } from '@graphql-codegen/cli';
// federation-internals' own printer: mixing its schema objects with another copy of graphql-js
// (ESM here, CommonJS there) fails the realm check.
import { printSchema, Supergraph } from '@apollo/federation-internals';

const schemaDir = join(import.meta.dirname, '..', 'schema');

/**
 * The client types come from what the gateway serves: the API schema of the checked-in
 * supergraph (federation directives stripped). Until the supergraph carries the `Subscription`
 * type, the public API contract supplies it (the two agree on every shared type, a schema test
 * checks that), so the dashboard can be typed against subscriptions before they ship.
 */
export function apiSchemaSdl(): string[] {
  const sdl = printSchema(Supergraph.build(readFileSync(join(schemaDir, 'supergraph.graphql'), 'utf8')).apiSchema());
  return /^type Subscription\b/m.test(sdl) ? [sdl] : [sdl, readFileSync(join(schemaDir, 'api-contract.graphql'), 'utf8')];
}

const config: CodegenConfig = {
  schema: apiSchemaSdl(),
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**'],
  ignoreNoDocuments: false,
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: { Money: { input: 'string | number', output: 'string' }, DateTime: 'string', ID: 'string' },
        enumsAsTypes: true,
        useTypeImports: true,
        nonOptionalTypename: true,
        // Only what the operations use: a field added to the schema elsewhere leaves these files alone.
        onlyOperationTypes: true,
        dedupeFragments: true,
      },
    },
  },
};

export default config;
