import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { parse, type DocumentNode } from 'graphql';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the composed supergraph is checked in. */
export const SUPERGRAPH_PATH = join(root, 'schema', 'supergraph.graphql');

/** The subgraphs, their SDL files and the URLs composed into the supergraph (overridable at run time). */
export const SUBGRAPHS = {
  products: { sdl: join(root, 'subgraphs', 'products', 'schema.graphql'), url: 'http://127.0.0.1:4001/graphql' },
  customers: { sdl: join(root, 'subgraphs', 'customers', 'schema.graphql'), url: 'http://127.0.0.1:4002/graphql' },
  purchases: { sdl: join(root, 'subgraphs', 'purchases', 'schema.graphql'), url: 'http://127.0.0.1:4003/graphql' },
} as const;

export type SubgraphName = keyof typeof SUBGRAPHS;

/** A subgraph's SDL, parsed. */
export function loadSubgraphSdl(name: SubgraphName): DocumentNode {
  return parse(readFileSync(SUBGRAPHS[name].sdl, 'utf8'));
}

/** Composes the three subgraph SDLs; throws with every composition error when they do not fit. */
export function composeSupergraph(): string {
  const result = composeServices(
    (Object.keys(SUBGRAPHS) as SubgraphName[]).map((name) => ({
      name,
      url: SUBGRAPHS[name].url,
      typeDefs: loadSubgraphSdl(name),
    })),
  );
  if (result.errors) {
    throw new Error(`Composition failed:\n${result.errors.map((error) => `  - ${error.message}`).join('\n')}`);
  }
  return result.supergraphSdl;
}
