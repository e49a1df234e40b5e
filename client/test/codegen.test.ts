import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { CODEGEN_PATHS, clientSchema, generateClientFiles } from '../codegen/generate.ts';

describe('generated client code', () => {
  it('is up to date with the supergraph and src/graphql/operations.graphql (else: npm run codegen -w client)', async () => {
    for (const file of await generateClientFiles()) {
      expect(
        readFileSync(file.path, 'utf8'),
        `${relative(process.cwd(), file.path)} is stale: run npm run codegen -w client`,
      ).toBe(file.content);
    }
  }, 60_000);

  it('types every type and field of the public API contract', () => {
    const schema = clientSchema(readFileSync(CODEGEN_PATHS.supergraph, 'utf8'), readFileSync(CODEGEN_PATHS.contract, 'utf8'));
    const contract = parse(readFileSync(CODEGEN_PATHS.contract, 'utf8'));
    for (const definition of contract.definitions) {
      if (!('name' in definition) || !definition.name) continue;
      const type = schema.getType(definition.name.value);
      expect(type, definition.name.value).toBeDefined();
      if ('fields' in definition && definition.fields && type && 'getFields' in type) {
        expect(Object.keys(type.getFields())).toEqual(expect.arrayContaining(definition.fields.map((field) => field.name.value)));
      }
    }
    expect(schema.getSubscriptionType()?.name).toBe('Subscription');
    expect(schema.getType('join__Graph')).toBeUndefined();
  });

  it('takes types the supergraph lacks from the contract, subscription root included, and keeps the supergraph’s own', () => {
    const composed = composeServices([{ name: 'a', url: 'http://a/graphql', typeDefs: parse('type Query { a: Int }') }]);
    if (!composed.supergraphSdl) throw new Error(String(composed.errors));
    const contract = 'type Query { a: Int, b: Int }\ntype Subscription { ping(after: String): String! }';
    const schema = clientSchema(composed.supergraphSdl, contract);
    expect(Object.keys(schema.getSubscriptionType()?.getFields() ?? {})).toEqual(['ping']);
    // Query exists in the supergraph: the contract does not replace or extend it.
    expect(Object.keys(schema.getQueryType()?.getFields() ?? {})).toEqual(['a']);
  });
});
