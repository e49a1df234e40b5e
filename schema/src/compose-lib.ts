import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { parse, type DocumentNode } from 'graphql';
import type { EventTopics } from './events/common.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the composed supergraph is checked in. */
export const SUPERGRAPH_PATH = join(root, 'schema', 'supergraph.graphql');

/**
 * The subgraphs, their SDL files, the URLs composed into the supergraph (overridable at run time)
 * and the topics their read models follow (`EventTopics` keys): nothing else changes their answers.
 */
export const SUBGRAPHS = {
  products: {
    sdl: join(root, 'subgraphs', 'products', 'schema.graphql'),
    url: 'http://127.0.0.1:4001/graphql',
    follows: ['products'],
  },
  customers: {
    sdl: join(root, 'subgraphs', 'customers', 'schema.graphql'),
    url: 'http://127.0.0.1:4002/graphql',
    follows: ['customers'],
  },
  purchases: {
    sdl: join(root, 'subgraphs', 'purchases', 'schema.graphql'),
    url: 'http://127.0.0.1:4003/graphql',
    // Names of the products and customers of its purchases are its own copies (@provides).
    follows: ['purchases', 'products', 'customers'],
  },
} as const satisfies Record<string, { sdl: string; url: string; follows: readonly (keyof EventTopics)[] }>;

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
