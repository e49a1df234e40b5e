import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
// federation-internals' own printer: mixing its schema objects with another copy of graphql-js
// (ESM here, CommonJS there) fails the realm check.
import { printSchema, Supergraph } from '@apollo/federation-internals';
import { preset as clientPreset } from '@graphql-codegen/client-preset';
import { codegen } from '@graphql-codegen/core';
import { getCachedDocumentNodeFromSchema, type Types } from '@graphql-codegen/plugin-helpers';
import { CodeFileLoader } from '@graphql-tools/code-file-loader';
import { loadDocuments, loadSchema } from '@graphql-tools/load';

const dashboardDir = join(import.meta.dirname, '..');
const schemaDir = join(dashboardDir, '..', 'schema');

/**
 * What the dashboard's code generation reads and writes, relative to `dashboard/`: the documents
 * are every `graphql(...)` call in the sources, the output is the client preset's folder.
 */
export const CODEGEN_PATHS = {
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**'],
  outputDir: 'src/gql/',
} as const;

export interface GeneratedFile {
  /** Absolute path. */
  readonly path: string;
  readonly content: string;
}

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

/** Options of the client preset and the plugins it runs (`typescript`, `typescript-operations`, ...). */
const pluginConfig = {
  scalars: { Money: { input: 'string | number', output: 'string' }, DateTime: 'string', ID: 'string' },
  enumsAsTypes: true,
  useTypeImports: true,
  nonOptionalTypename: true,
  // Only what the operations use: a field added to the schema elsewhere leaves these files alone.
  onlyOperationTypes: true,
  dedupeFragments: true,
  // What the CLI passes when neither option is set: imports without an extension.
  emitLegacyCommonJSImports: true,
  importExtension: '',
} as const;

/**
 * Generates `src/gql/*` (typed documents for every `graphql(...)` call under `src/`) with
 * GraphQL Code Generator's client preset. Runs the preset the way `graphql-codegen` (the CLI)
 * does, loading the schema and the documents with the same options, so the output is the CLI's
 * byte for byte, without the CLI's URL, Git and GitHub loaders (and the Node 22 packages they
 * bring). Pure apart from reading the inputs: the caller writes (`npm run codegen -w dashboard`)
 * or compares (the staleness test).
 */
export async function generateDashboardFiles(): Promise<GeneratedFile[]> {
  // The CLI's defaults: types sorted by name, extensions merged into their types.
  const schemaAst = await loadSchema(apiSchemaSdl(), {
    loaders: [],
    assumeValidSDL: true,
    sort: true,
    convertExtensions: true,
    includeSources: true,
  });
  const documentPointers = clientPreset.prepareDocuments
    ? await clientPreset.prepareDocuments(CODEGEN_PATHS.outputDir, [...CODEGEN_PATHS.documents])
    : [...CODEGEN_PATHS.documents];
  // Throws when no file holds a document (the CLI's `ignoreNoDocuments: false`).
  const documents: Types.DocumentFile[] = await loadDocuments(documentPointers, {
    cwd: dashboardDir,
    loaders: [new CodeFileLoader({ pluckConfig: { skipIndent: true } })],
    sort: true,
    skipGraphQLImport: true,
  });
  const outputs = await clientPreset.buildGeneratesSection({
    baseOutputDir: CODEGEN_PATHS.outputDir,
    presetConfig: { fragmentMasking: false },
    plugins: [],
    pluginMap: {},
    schema: getCachedDocumentNodeFromSchema(schemaAst),
    schemaAst,
    documents,
    config: pluginConfig,
    pluginContext: {},
    documentTransforms: [],
  });
  return Promise.all(
    outputs.map(async (output) => ({
      path: resolve(dashboardDir, output.filename),
      content: await codegen({
        ...output,
        importExtension: pluginConfig.importExtension,
        emitLegacyCommonJSImports: pluginConfig.emitLegacyCommonJSImports,
      }),
    })),
  );
}
