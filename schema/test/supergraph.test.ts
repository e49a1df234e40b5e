import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { buildSchema, isInputObjectType, isInterfaceType, isObjectType, type GraphQLArgument, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { composeSupergraph, SUPERGRAPH_PATH } from '../src/compose-lib.ts';

describe('the supergraph', () => {
  it('is checked in exactly as the subgraph SDLs compose (run `npm run compose` when this fails)', () => {
    expect(readFileSync(SUPERGRAPH_PATH, 'utf8')).toBe(composeSupergraph());
  });

  it('serves every type, field and argument of the public API contract, with the same types', () => {
    const api: GraphQLSchema = Supergraph.build(readFileSync(SUPERGRAPH_PATH, 'utf8')).apiSchema().toGraphQLJSSchema();
    const contract = buildSchema(readFileSync(join(import.meta.dirname, '..', 'api-contract.graphql'), 'utf8'));
    const missing: string[] = [];
    const argType = (args: readonly GraphQLArgument[], name: string) => args.find((a) => a.name === name)?.type.toString();
    for (const type of Object.values(contract.getTypeMap())) {
      if (type.name.startsWith('__')) continue;
      const served = api.getType(type.name);
      if (!served) {
        // Subscriptions come with their own issue; everything else must be there.
        if (!['Subscription', 'ProductChange', 'CustomerChange', 'PurchaseChange', 'ChangeKind'].includes(type.name))
          missing.push(type.name);
        continue;
      }
      if ((isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) && 'getFields' in served) {
        const servedFields = (served as typeof type).getFields() as Record<
          string,
          { type: { toString(): string }; args?: readonly GraphQLArgument[] }
        >;
        for (const field of Object.values(type.getFields())) {
          const mine = servedFields[field.name];
          if (!mine) {
            missing.push(`${type.name}.${field.name}`);
            continue;
          }
          if (mine.type.toString() !== field.type.toString())
            missing.push(`${type.name}.${field.name}: ${mine.type} ≠ ${field.type}`);
          for (const arg of 'args' in field ? field.args : []) {
            if (argType(mine.args ?? [], arg.name) !== arg.type.toString())
              missing.push(`${type.name}.${field.name}(${arg.name}: ${arg.type})`);
          }
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
