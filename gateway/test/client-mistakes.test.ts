import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { buildSchema, parse } from 'graphql';
import { printSchema, Supergraph } from '@apollo/federation-internals';
import { SUPERGRAPH_PATH } from '@shop/schema';
import { operationCost } from '../src/operation-checks.ts';
import { post, socketClient, startTestSystem } from './support/system.ts';

const apiSchema = buildSchema(printSchema(Supergraph.build(readFileSync(SUPERGRAPH_PATH, 'utf8')).apiSchema()));
const cost = (query: string, variables: Record<string, unknown> = {}, operationName?: string) =>
  operationCost(apiSchema, parse(query), operationName, variables);

const NESTED = (first: string, inner: string) =>
  `products(first: ${first}) { nodes { name purchases(first: ${inner}) { nodes { total customer { firstName } } } } }`;

describe('the cost of an operation counts list sizes whatever form they take', () => {
  it('counts `first` the same as a literal, a variable, a variable default and a schema default', () => {
    const literal = cost(`{ ${NESTED('500', '500')} }`);
    expect(literal).toBeGreaterThan(1e6);
    expect(cost(`query Q($n: Int) { ${NESTED('$n', '$n')} }`, { n: 500 })).toBe(literal);
    expect(cost(`query Q($n: Int = 500) { ${NESTED('$n', '$n')} }`)).toBe(literal);
    expect(cost(`query Q($n: Int = 1) { ${NESTED('$n', '$n')} }`, { n: 500 })).toBe(literal);
    // `products(first:)` defaults to 50 in the schema; `purchases(first:)` has no default: the subgraphs' 50.
    expect(cost(`{ products { nodes { name purchases { nodes { total customer { firstName } } } } } }`)).toBe(
      cost(`{ ${NESTED('50', '50')} }`),
    );
  });

  it('counts through fragments, inline fragments and aliases, and ignores other arguments', () => {
    const direct = cost(`{ ${NESTED('500', '500')} }`);
    const viaFragments = cost(
      `query Q($n: Int!) { a: products(first: $n, orderBy: { field: NAME }) { ...P } }
       fragment P on ProductConnection { nodes { ... on Product { name purchases(first: $n, offset: 3) { nodes { total customer { firstName } } } } } }`,
      { n: 500 },
    );
    expect(viaFragments).toBeGreaterThan(1e6);
    expect(viaFragments).toBeCloseTo(direct, -3);
  });

  it('keeps the dashboard-sized query (500 rows) under the default limit', () => {
    expect(
      cost(`{ customers(first: 500) { nodes { id firstName lastName purchaseCount totalSpent } }
              products(first: 500) { nodes { id name price purchaseCount customerCount totalSpent } } }`),
    ).toBeLessThan(25_000);
  });
});

describe('client mistakes are 4xx with a public code, never 5xx, and carry no stack trace', () => {
  let started: Awaited<ReturnType<typeof startTestSystem>>;
  beforeAll(async () => {
    started = await startTestSystem();
  }, 120_000);
  afterAll(async () => {
    await started?.close();
  });

  it('refuses a costly nested query whether `first` is a literal, a variable or a default', async () => {
    const { url } = started;
    const bodies = [
      { query: `{ ${NESTED('500', '500')} }` },
      { query: `query Q($n: Int) { ${NESTED('$n', '$n')} }`, variables: { n: 500 } },
      { query: `query Q($n: Int = 500) { ${NESTED('$n', '$n')} }` },
      { query: `query Q($n: Int!) { ${NESTED('$n', '$n')} }`, variables: { n: '500' } },
    ];
    for (const body of bodies) {
      const answer = await post(url, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.json.errors?.[0]?.message).toMatch(/[Cc]ost limit/);
      expect(answer.json.data).toBeUndefined();
    }
    // The same limit on a subscription over graphql-ws.
    const client = socketClient(url);
    const error = await new Promise<unknown>((resolve) => {
      client.subscribe(
        {
          query: `subscription S($n: Int) { productChanged { product { purchases(first: $n) { nodes { product { purchases(first: $n) { nodes { id } } } } } } } }`,
          variables: { n: 500 },
        },
        { next: () => undefined, error: resolve, complete: () => resolve(undefined) },
      );
    });
    await client.dispose();
    expect(JSON.stringify(error)).toMatch(/[Cc]ost limit/);
  });

  it('answers an unknown operationName, or several operations without one, with 400', async () => {
    const { url } = started;
    for (const body of [
      { query: '{ __typename }', operationName: 'Nope' },
      { query: 'query A { __typename } query B { __typename }' },
      { query: 'query A { __typename } query B { __typename }', operationName: 'C' },
      { query: 'fragment F on Query { __typename }' },
      { query: '{ __typename }', operationName: 'x'.repeat(5000) },
    ]) {
      const answer = await post(url, body);
      expect(answer.status, JSON.stringify(body).slice(0, 100)).toBe(400);
      // Nothing long is echoed back.
      expect(answer.text.length).toBeLessThan(1000);
      expect(answer.json.errors?.[0]?.extensions?.code).toMatch(/OPERATION_RESOLUTION_FAILURE|GRAPHQL_VALIDATION_FAILED/);
    }
  });

  it('gives a bad money value the same answer, BAD_USER_INPUT naming the field, as a literal or a variable', async () => {
    const { url } = started;
    const asLiteral = (price: string) => ({ query: `mutation { createProduct(input: { name: "x", price: ${price} }) { id } }` });
    const asVariable = (price: unknown) => ({
      query: 'mutation M($input: CreateProductInput!) { createProduct(input: $input) { id } }',
      variables: { input: { name: 'x', price } },
    });
    const asScalarVariable = (price: unknown) => ({
      query: 'mutation M($p: Money!) { createProduct(input: { name: "x", price: $p }) { id } }',
      variables: { p: price },
    });
    const cases: [object, string][] = [
      [asLiteral('1e309'), '1e309'],
      [asLiteral('-1'), '-1'],
      [asLiteral('"abc"'), 'abc'],
      [asLiteral('1.234'), '1.234'],
      [asLiteral('99999999999999999999'), 'huge'],
      [asVariable('1e309'), '1e309'],
      [asVariable(1e308), '1e308 number'],
      [asVariable('abc'), 'abc'],
      [asScalarVariable('1.234'), '1.234'],
      [asScalarVariable(-1), '-1'],
    ];
    for (const [body, label] of cases) {
      const answer = await post(url, body);
      expect(answer.status, label).toBeLessThan(500);
      const error = answer.json.errors?.[0];
      expect(error?.extensions?.code, label).toBe('BAD_USER_INPUT');
      expect(error?.extensions?.field, label).toBe('price');
      expect(answer.text, label).not.toMatch(/\[3\dm|stacktrace|node_modules/);
    }
    // Nothing was created by any of them.
    expect(
      (await post(url, { query: '{ products { totalCount } }' }, { 'cache-control': 'no-cache' })).json.data?.products.totalCount,
    ).toBe(0);
  });

  it('answers a hash of no trusted document, or one that does not match its query, with a 4xx', async () => {
    const { url } = started;
    for (const extensions of [
      { persistedQuery: { version: 1, sha256Hash: 'abc' } },
      { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } },
    ]) {
      const alone = await post(url, { extensions });
      expect(alone.status).toBeLessThan(500);
      expect(alone.json.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
      const mismatched = await post(url, { query: '{ __typename }', extensions });
      expect(mismatched.status).toBe(400);
      expect(mismatched.json.errors?.[0]?.message).toMatch(/does not match/);
    }
  });

  it('never answers a batch of odd requests with a 5xx or a stack trace', async () => {
    const { url } = started;
    const bodies: unknown[] = [
      '{"query": 1}',
      '{"query": "{ __typename }", "variables": "x"}',
      '{"query": "{ __typename }", "operationName": 5}',
      '{"query": "{ product(id: 1e309) { id } }"}',
      '{"query": "{ products(first: 1e309) { totalCount } }"}',
      '{"query": "{ products(first: 99999999999) { totalCount } }"}',
      '{"query": "query Q($n: Int) { products(first: $n) { totalCount } }", "variables": {"n": 1e309}}',
      '{"query": "query Q($n: Int) { products(first: $n) { totalCount } }", "variables": {"n": "abc"}}',
      '{"query": "query Q($at: DateTime) { products(asOf: $at) { totalCount } }", "variables": {"at": "yesterday"}}',
      '{"query": "{ products(asOf: \\"not a date\\") { totalCount } }"}',
      '{"query": "subscription { productChanged { kind } }"}',
      '{"query": "{ __typename }", "extensions": {"persistedQuery": 5}}',
      '{"query": "mutation { __typename }"}',
      '{"query": "{ products { nodes { ...Missing } } }"}',
      '[]',
      '{}',
    ];
    for (const body of bodies) {
      const answer = await post(url, body as string);
      expect(answer.status, String(body)).toBeLessThan(500);
      expect(answer.text, String(body)).not.toMatch(/\[3\dm|stacktrace|node_modules/);
    }
  });

  it('answers random requests built from GraphQL pieces with a 2xx or 4xx, never a 5xx or a stack trace', async () => {
    const { url } = started;
    const piece = fc.constantFrom(
      '{',
      '}',
      '(',
      ')',
      '$n',
      '$p',
      ':',
      '...',
      'query',
      'mutation',
      'subscription',
      'fragment F on Query',
      'products',
      'product(id: "x")',
      'first: 500',
      'first: $n',
      'nodes',
      'id',
      'name',
      'price',
      '__typename',
      'createProduct(input: { name: "x", price: $p })',
      'price: 1e309',
      '@include(if: $n)',
      'purchases',
      'Q',
      '"',
    );
    const document = fc.array(piece, { minLength: 1, maxLength: 25 }).map((pieces) => pieces.join(' '));
    const body = fc.record(
      {
        query: fc.oneof(
          document,
          fc.string(),
          fc.constant('query Q($n: Int, $p: Money) { products(first: $n) { nodes { id } } }'),
        ),
        variables: fc.oneof(
          fc.constant(undefined),
          fc.dictionary(fc.constantFrom('n', 'p', 'x'), fc.jsonValue()),
          fc.jsonValue(),
        ),
        operationName: fc.oneof(fc.constant(undefined), fc.constantFrom('Q', 'F', ''), fc.jsonValue()),
        extensions: fc.oneof(fc.constant(undefined), fc.jsonValue()),
      },
      { requiredKeys: ['query'] },
    );
    await fc.assert(
      fc.asyncProperty(body, async (request) => {
        const answer = await post(url, request);
        expect(answer.status, JSON.stringify(request)).toBeLessThan(500);
        expect(answer.text, JSON.stringify(request)).not.toMatch(/stacktrace|node_modules|INTERNAL_SERVER_ERROR/);
      }),
      { numRuns: 300 },
    );
  });
});
