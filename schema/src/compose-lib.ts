import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { parse, type DocumentNode } from 'graphql';
import { checkManifests, type SubgraphManifest } from '@shop/event-core';
import { SUBGRAPHS } from './subgraphs/index.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the composed supergraph is checked in. */
export const SUPERGRAPH_PATH = join(root, 'schema', 'supergraph.graphql');

/** A subgraph's SDL, parsed. */
export function loadSubgraphSdl(subgraph: Pick<SubgraphManifest, 'sdl'>): DocumentNode {
  return parse(readFileSync(subgraph.sdl, 'utf8'));
}

/**
 * Composes the SDLs of `subgraphs` (default the shop's), each at its default port on 127.0.0.1
 * (the gateway overrides the URLs at run time); throws with every composition error when they do
 * not fit.
 */
export function composeSupergraph(subgraphs: readonly SubgraphManifest[] = SUBGRAPHS): string {
  checkManifests(subgraphs);
  const result = composeServices(
    subgraphs.map((subgraph) => ({
      name: subgraph.name,
      url: `http://127.0.0.1:${subgraph.port}/graphql`,
      typeDefs: loadSubgraphSdl(subgraph),
    })),
  );
  if (result.errors) {
    throw new Error(`Composition failed:\n${result.errors.map((error) => `  - ${error.message}`).join('\n')}`);
  }
  return result.supergraphSdl;
}
