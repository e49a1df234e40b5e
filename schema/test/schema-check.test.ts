import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkSchema, coordinatesUsed, apiSchemaOf, formatReport } from '../src/schema-check/check.ts';
import { composeSupergraph, SUPERGRAPH_PATH } from '../src/compose-lib.ts';
import { readTrustedDocuments } from '../src/trusted-documents/manifest.ts';

const supergraph = readFileSync(SUPERGRAPH_PATH, 'utf8');
const manifest = readTrustedDocuments();

/** The supergraph with `edit` applied to the body of `type Customer` only. */
const editCustomer = (edit: (body: string) => string): string =>
  supergraph.replace(
    /(^type Customer\b[^{]*\{)([\s\S]*?)(^\})/m,
    (_all, head: string, body: string, end: string) => head + edit(body) + end,
  );

describe('schema check (npm run schema:check)', () => {
  it('passes on the subgraphs as they are: the checked-in supergraph is what they compose to', async () => {
    const report = await checkSchema({ previousSupergraph: supergraph, nextSupergraph: composeSupergraph(), manifest });
    expect(report.breaking).toEqual([]);
  });

  it('fails on a removed field a dashboard query uses, naming the operations and their clients', async () => {
    const removed = editCustomer((body) => body.replace(/^\s*purchaseCount:.*$/m, ''));
    expect(removed).not.toBe(supergraph);
    const report = await checkSchema({ previousSupergraph: supergraph, nextSupergraph: removed, manifest });
    expect(report.breaking.map((c) => c.path)).toEqual(['Customer.purchaseCount']);
    const users = report.breaking[0]!.brokenOperations.map((o) => `${o.client} ${o.name}`);
    expect(users).toContain('dashboard Customers');
    expect(users).toContain('client Customers');
    expect(users).toContain('playground Dashboard');
    expect(formatReport(report)).toMatch(
      /Field 'purchaseCount' was removed from object type 'Customer'[\s\S]*used by .*dashboard Customers/,
    );
  });

  it('passes on an additive change and lists it as safe', async () => {
    const added = editCustomer((body) => `${body}  nickname: String @join__field(graph: CUSTOMERS)\n`);
    const report = await checkSchema({ previousSupergraph: supergraph, nextSupergraph: added, manifest });
    expect(report.breaking).toEqual([]);
    expect(report.safe.map((c) => c.path)).toEqual(['Customer.nickname']);
  });

  it('counts an argument, the input types sent and their fields as used', () => {
    const schema = apiSchemaOf(supergraph);
    const used = new Set([
      ...coordinatesUsed(schema, 'mutation M($input: CreateProductInput!) { createProduct(input: $input) { id } }'),
      ...coordinatesUsed(schema, '{ products(first: 1) { totalCount } }'),
    ]);
    for (const coordinate of [
      'Mutation.createProduct',
      'Mutation.createProduct.input',
      'CreateProductInput.price',
      'Query.products.first',
    ]) {
      expect(used).toContain(coordinate);
    }
    expect(used).not.toContain('Query.products.after');
  });
});
