import type { DocumentNode } from 'graphql';
import * as generated from '../src/generated/graphql.ts';
import { prepareDocument } from '../src/transport.ts';

/**
 * The typed client's operations (and so the shell's and the CLI's) with the text its transports
 * send: each generated document printed by `prepareDocument`, the one function both use.
 */
export function clientOperations(): { name: string; body: string }[] {
  return Object.entries(generated)
    .filter(([name, value]) => name.endsWith('Document') && typeof value === 'object' && value !== null && 'kind' in value)
    .map(([exportName, value]) => {
      const { query, operationName } = prepareDocument(value as DocumentNode);
      return { name: operationName ?? exportName, body: query };
    });
}
