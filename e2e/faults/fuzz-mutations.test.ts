import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedLog, newEntityId, type EventLog } from '@shop/event-core';
import { eventTopics, type EventTopics } from '@shop/schema';
import type { RunningSystem } from '@shop/system';
import { recordCount } from '../support/faults.ts';
import { graphql, ok } from '../support/graphql.ts';
import { startTestSystem } from '../support/scenario.ts';

// Random input to every mutation, through the gateway. Whatever comes in, the
// answer is data or an error with a public code (never a 500 or INTERNAL_SERVER_ERROR), and the
// log grows by exactly the one event of each accepted mutation: never a partial or stray event.

/** 200 calls in all: most with variables (any JSON value), some with literals in the document. */
const RUNS = 170;
const LITERAL_RUNS = 30;

/** Each mutation with every argument as a variable, so any JSON value can be sent for any of them. */
const MUTATIONS = {
  createProduct: {
    topic: 'products',
    query: `mutation ($input: CreateProductInput!, $idempotencyKey: String) { createProduct(input: $input, idempotencyKey: $idempotencyKey) { id name price version } }`,
  },
  updateProduct: {
    topic: 'products',
    query: `mutation ($id: ID!, $input: UpdateProductInput!, $expectedVersion: Int, $idempotencyKey: String) {
      updateProduct(id: $id, input: $input, expectedVersion: $expectedVersion, idempotencyKey: $idempotencyKey) { id name price version } }`,
  },
  deleteProduct: {
    topic: 'products',
    query: `mutation ($id: ID!, $expectedVersion: Int, $idempotencyKey: String) {
      deleteProduct(id: $id, expectedVersion: $expectedVersion, idempotencyKey: $idempotencyKey) { id deletedAt } }`,
  },
  createCustomer: {
    topic: 'customers',
    query: `mutation ($input: CreateCustomerInput!, $idempotencyKey: String) { createCustomer(input: $input, idempotencyKey: $idempotencyKey) { id firstName lastName } }`,
  },
  updateCustomer: {
    topic: 'customers',
    query: `mutation ($id: ID!, $input: UpdateCustomerInput!, $expectedVersion: Int, $idempotencyKey: String) {
      updateCustomer(id: $id, input: $input, expectedVersion: $expectedVersion, idempotencyKey: $idempotencyKey) { id firstName version } }`,
  },
  deleteCustomer: {
    topic: 'customers',
    query: `mutation ($id: ID!, $expectedVersion: Int, $idempotencyKey: String) {
      deleteCustomer(id: $id, expectedVersion: $expectedVersion, idempotencyKey: $idempotencyKey) { id deletedAt } }`,
  },
  createPurchase: {
    topic: 'purchases',
    query: `mutation ($input: CreatePurchaseInput!, $idempotencyKey: String) {
      createPurchase(input: $input, idempotencyKey: $idempotencyKey) { id total product { id } customer { id } } }`,
  },
} as const satisfies Record<string, { topic: keyof EventTopics; query: string }>;
type MutationName = keyof typeof MUTATIONS;

/** Ids the system knows (the seeds, then every accepted create), so that many calls reach the log. */
const known = { products: [] as string[], customers: [] as string[] };

/** Anything JSON can carry, the awkward cases made likely. */
const anyJson = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    null,
    true,
    0,
    -1,
    -0.01,
    0.001,
    1.005,
    2 ** 31,
    2 ** 53,
    1e21,
    -1e21,
    '',
    ' ',
    '\u0000',
    '💥',
    [],
    {},
    { $where: '1' },
  ),
  fc.string({ maxLength: 2_000 }),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
);
// Valid values are weighted up, so that about half the calls reach the log.
const name = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.oneof(
      fc.constantFrom('Butter', '  Gum  ', 'é', '💥 Boom'),
      fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim().length > 0),
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom('', '   ', 'x'.repeat(201), '\u0000') },
  { weight: 1, arbitrary: fc.string({ maxLength: 250 }) },
  { weight: 1, arbitrary: anyJson },
);
const money = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.oneof(
      fc.constantFrom('0', '0.10', '1.50', 1.5, 2, 0.1, '999999999.99'),
      fc.nat(100_000).map((cents) => (cents / 100).toFixed(2)),
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '1000000000.01',
      '1.234',
      '-1',
      -0.01,
      '-0.00',
      '1e2',
      ' 1.00',
      'NaN',
      'Infinity',
      '0x10',
      '1,50',
      1e21,
    ),
  },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: anyJson },
);
const id = (kind: 'products' | 'customers') =>
  fc.oneof(
    { weight: 6, arbitrary: fc.nat(20).map((i) => known[kind][i % known[kind].length]!) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        ' ',
        'a'.repeat(65),
        '../etc/passwd',
        'id with spaces',
        '%00',
        '💥',
        'AAAAAAAAAAAAAAAAAAAAAA',
      ),
    },
    { weight: 1, arbitrary: fc.constant(null).map(() => newEntityId()) },
    { weight: 1, arbitrary: anyJson },
  );
const version = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.constantFrom(null, 1, 2, 3, 4) },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, 2 ** 31, 1.5, '1') },
  { weight: 1, arbitrary: anyJson },
);
const key = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: fc.constantFrom(null, 'k1', 'k2', 'k3') },
  { weight: 1, arbitrary: fc.constantFrom('', 'x'.repeat(201)) },
  { weight: 1, arbitrary: anyJson },
);
/** An input object with the given fields, sometimes missing one, sometimes with extras, sometimes not an object at all. */
const input = (fields: Record<string, fc.Arbitrary<unknown>>) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.record(fields) },
    { weight: 2, arbitrary: fc.record(fields, { requiredKeys: [] }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.record(fields), fc.dictionary(fc.string({ maxLength: 10 }), anyJson, { maxKeys: 3 }))
        .map(([a, b]) => ({ ...b, ...a })),
    },
    { weight: 1, arbitrary: anyJson },
  );
/** Variables: usually all present, sometimes one left out. */
const variables = (vars: Record<string, fc.Arbitrary<unknown>>) =>
  fc.record(vars, { requiredKeys: Object.keys(vars).filter((k) => k !== 'idempotencyKey' && k !== 'expectedVersion') });

const of = (mutation: MutationName, vars: Record<string, fc.Arbitrary<unknown>>) =>
  variables(vars).map((v) => ({ mutation, variables: v }));
// Deletes are rarer: each one retires an id the other calls would use.
const call: fc.Arbitrary<{ mutation: MutationName; variables: Record<string, unknown> }> = fc.oneof(
  { weight: 3, arbitrary: of('createProduct', { input: input({ name, price: money }), idempotencyKey: key }) },
  {
    weight: 2,
    arbitrary: of('updateProduct', {
      id: id('products'),
      input: input({ name, price: money }),
      expectedVersion: version,
      idempotencyKey: key,
    }),
  },
  { weight: 1, arbitrary: of('deleteProduct', { id: id('products'), expectedVersion: version, idempotencyKey: key }) },
  { weight: 3, arbitrary: of('createCustomer', { input: input({ firstName: name, lastName: name }), idempotencyKey: key }) },
  {
    weight: 2,
    arbitrary: of('updateCustomer', {
      id: id('customers'),
      input: input({ firstName: name, lastName: name }),
      expectedVersion: version,
      idempotencyKey: key,
    }),
  },
  { weight: 1, arbitrary: of('deleteCustomer', { id: id('customers'), expectedVersion: version, idempotencyKey: key }) },
  {
    weight: 3,
    arbitrary: of('createPurchase', {
      input: input({ productId: id('products'), customerId: id('customers'), total: money }),
      idempotencyKey: key,
    }),
  },
);

/** GraphQL literals, written into the document itself: the scalars' `parseLiteral` side, and syntax errors. */
const literal = fc.constantFrom(
  '1.5',
  '1.50',
  '0',
  '1.234',
  '-1',
  '1e3',
  '"1.50"',
  '"abc"',
  'true',
  'null',
  '[1]',
  '{ a: 1 }',
  '99999999999999999999',
  'RED',
  '$missing',
  '1.50.0',
  '"\\u0000"',
  '""',
);
const literalCall = fc.oneof(
  fc.tuple(literal, literal).map(([n, p]) => ({
    mutation: 'createProduct' as const,
    query: `mutation { createProduct(input: { name: ${n}, price: ${p} }) { id } }`,
  })),
  fc.tuple(literal, literal, literal).map(([i, p, v]) => ({
    mutation: 'updateProduct' as const,
    query: `mutation { updateProduct(id: ${i}, input: { price: ${p} }, expectedVersion: ${v}) { id } }`,
  })),
  fc.tuple(fc.nat(20), literal).map(([i, p]) => ({
    mutation: 'updateProduct' as const,
    query: `mutation { updateProduct(id: "${known.products[i % known.products.length]}", input: { price: ${p} }) { id } }`,
  })),
  // No literal idempotency key: the check could not tell a replay from a lost append.
  fc.tuple(fc.nat(20), literal).map(([i, t]) => ({
    mutation: 'createPurchase' as const,
    query: `mutation { createPurchase(input: { productId: "${known.products[i % known.products.length]}", customerId: "${known.customers[i % known.customers.length]}", total: ${t} }) { id } }`,
  })),
);

describe('random input to every mutation through the gateway', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shop-fuzz-'));
  const topics = eventTopics('fuzz.');
  let log: EventLog;
  let system: RunningSystem;
  let url: string;

  beforeAll(async () => {
    log = createEmbeddedLog({ file: join(dir, 'events.sqlite') });
    system = await startTestSystem(log, topics);
    url = system.gateway.url;
    for (const i of [1, 2, 3]) {
      known.products.push(
        (await ok(url, MUTATIONS.createProduct.query, { input: { name: `Seed ${i}`, price: `${i}.00` } })).createProduct.id,
      );
      known.customers.push(
        (await ok(url, MUTATIONS.createCustomer.query, { input: { firstName: `Seed ${i}`, lastName: 'Fuzz' } })).createCustomer
          .id,
      );
    }
  });

  afterAll(async () => {
    await system?.close();
    await log?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`answers ${RUNS + LITERAL_RUNS} random mutations with data or a coded error, and appends exactly one event per accepted one`, async () => {
    /** Idempotency keys of accepted mutations, per topic: a repeat appends nothing. */
    const keysUsed: Record<keyof EventTopics, Set<unknown>> = { products: new Set(), customers: new Set(), purchases: new Set() };
    const tally = { accepted: 0, refused: 0, replays: 0, codes: {} as Record<string, number> };
    const total = async (): Promise<number> =>
      (await recordCount(log, topics.products)) +
      (await recordCount(log, topics.customers)) +
      (await recordCount(log, topics.purchases));

    /** Sends one call and checks the answer and what it did to the log. */
    const check = async (mutation: MutationName, query: string, vars: Record<string, unknown>): Promise<void> => {
      const { topic } = MUTATIONS[mutation];
      const before = await total();
      const result = await graphql<Record<string, unknown>>(url, query, vars);
      const after = await total();

      expect(result.status).toBeLessThan(500);
      for (const error of result.errors ?? []) {
        expect(error.extensions?.code).toBeTypeOf('string');
        expect(error.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
        tally.codes[String(error.extensions?.code)] = (tally.codes[String(error.extensions?.code)] ?? 0) + 1;
      }
      const accepted = result.data?.[mutation] !== undefined && result.data[mutation] !== null && !result.errors?.length;
      const replay =
        accepted && vars.idempotencyKey !== undefined && vars.idempotencyKey !== null && keysUsed[topic].has(vars.idempotencyKey);
      expect(after - before).toBe(accepted && !replay ? 1 : 0);
      if (accepted) {
        tally.accepted++;
        const created = result.data?.[mutation] as { id: string };
        if (mutation === 'createProduct') known.products.push(created.id);
        if (mutation === 'createCustomer') known.customers.push(created.id);
        if (replay) tally.replays++;
        if (vars.idempotencyKey !== undefined && vars.idempotencyKey !== null) keysUsed[topic].add(vars.idempotencyKey);
      } else {
        tally.refused++;
      }
    };

    await fc.assert(
      fc.asyncProperty(call, ({ mutation, variables: vars }) => check(mutation, MUTATIONS[mutation].query, vars)),
      { numRuns: RUNS },
    );
    await fc.assert(
      fc.asyncProperty(literalCall, ({ mutation, query }) => check(mutation, query, {})),
      { numRuns: LITERAL_RUNS },
    );

    // Everything in the log is a whole, valid event that every reader applied.
    for (const subgraph of [system.subgraphs.products, system.subgraphs.customers, system.subgraphs.purchases]) {
      expect(subgraph.projector.stats()).toMatchObject({ rejected: 0, skipped: 0 });
    }
    console.info(
      `fuzz: ${RUNS + LITERAL_RUNS} mutations, ${tally.accepted} accepted (${tally.replays} idempotent replays), ${tally.refused} refused`,
      tally.codes,
    );
    expect(tally.accepted).toBeGreaterThan(0);
  });
});
