import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { createEmbeddedLog, createLogger, type EventLog } from '@shop/event-core';
import { eventTopics } from '@shop/schema';
import { startSystem, type RunningSystem } from '@shop/system';
import { graphql } from './support/graphql.ts';

const VIEWER = 'viewer-token-0123456789';
const EDITOR = 'editor-token-0123456789';
const SECRET = 'subgraph-secret-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'shop-security-'));

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: () => JSON.parse(text) as { errors?: { message: string; extensions?: Record<string, unknown> }[]; data?: unknown },
  };
}

/** A selection `depth` levels of customer → purchases → product deep: far past the depth limit. */
const nest = (depth: number): string =>
  depth === 0 ? '{ id }' : `{ customer { purchases { nodes { product { purchases { nodes ${nest(depth - 1)} } } } } } }`;

/** Opens a graphql-ws connection and reports how it ended: acknowledged, or closed with a code. */
function connect(
  url: string,
  params: Record<string, unknown>,
  origin?: string,
): Promise<{ acknowledged: boolean; code?: number }> {
  return new Promise((resolve) => {
    class OriginWebSocket extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, origin ? { headers: { origin } } : {});
      }
    }
    const client = createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: OriginWebSocket,
      lazy: false,
      retryAttempts: 0,
      connectionParams: params,
      on: {
        connected: () => {
          resolve({ acknowledged: true });
          void client.dispose();
        },
        closed: (event) => resolve({ acknowledged: false, code: (event as { code: number }).code }),
      },
      onNonLazyError: () => undefined,
    });
  });
}

describe('security at the gateway and the subgraphs (production settings)', () => {
  let log: EventLog;
  let system: RunningSystem;
  let url: string;
  const as = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    log = createEmbeddedLog({ file: join(dir, 'events.sqlite') });
    system = await startSystem({
      log,
      logger: createLogger({ level: 'silent' }),
      topics: eventTopics(`sec.${randomUUID().slice(0, 8)}.`),
      ports: { gateway: 0, products: 0, customers: 0, purchases: 0 },
      production: true,
      security: {
        tokens: new Map([
          [VIEWER, 'viewer'],
          [EDITOR, 'editor'],
        ]),
        subgraphSecret: SECRET,
        allowIntrospection: false,
      },
    });
    url = system.gateway.url;
  });
  afterAll(async () => {
    await system?.close();
    await log?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('access', () => {
    it('refuses a request without a token, or with an unknown one, with 401 UNAUTHENTICATED', async () => {
      for (const headers of [{}, as('not-a-real-token-at-all'), { authorization: 'Basic abc' }]) {
        const result = await graphql(url, '{ products { totalCount } }', {}, headers);
        expect(result.status).toBe(401);
        expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      }
    });

    it('lets a viewer read but not mutate (403 FORBIDDEN), and an editor mutate', async () => {
      expect((await graphql(url, '{ products { totalCount } }', {}, as(VIEWER))).errors).toBeUndefined();
      const mutation = 'mutation { createProduct(input: { name: "Locked", price: 1 }) { id } }';
      const refused = await graphql(url, mutation, {}, as(VIEWER));
      expect(refused.status).toBe(403);
      expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect((await graphql(url, '{ products { totalCount } }', {}, as(VIEWER))).data).toEqual({ products: { totalCount: 0 } });
      const allowed = await graphql(url, mutation, {}, as(EDITOR));
      expect(allowed.errors).toBeUndefined();
    });

    it('subgraphs answer only the gateway: a direct request without the secret gets 401, health stays open', async () => {
      for (const subgraph of [system.subgraphs.products, system.subgraphs.customers, system.subgraphs.purchases]) {
        const direct = await post(subgraph.url, JSON.stringify({ query: '{ __typename }' }));
        expect(direct.status).toBe(401);
        const wrong = await post(subgraph.url, JSON.stringify({ query: '{ __typename }' }), {
          'x-subgraph-secret': 'x'.repeat(SECRET.length),
        });
        expect(wrong.status).toBe(401);
        const withSecret = await post(subgraph.url, JSON.stringify({ query: '{ __typename }' }), { 'x-subgraph-secret': SECRET });
        expect(withSecret.status).toBe(200);
        expect((await fetch(subgraph.url.replace(/\/graphql$/, '/healthz'))).status).toBe(200);
      }
    });

    it('authenticates graphql-ws in connection_init and checks the Origin', async () => {
      expect(await connect(url, {})).toEqual({ acknowledged: false, code: 4403 });
      expect(await connect(url, { authorization: 'Bearer wrong-token-0000000000' })).toEqual({ acknowledged: false, code: 4403 });
      expect(await connect(url, { authorization: `Bearer ${VIEWER}` })).toEqual({ acknowledged: true });
      expect(await connect(url, { token: VIEWER }, 'http://evil.example')).toEqual({ acknowledged: false, code: 4403 });
      expect(await connect(url, { token: VIEWER }, new URL(url).origin)).toEqual({ acknowledged: true });
    });
  });

  describe('the checks of graphql-cop, each refused', () => {
    const viewer = as(VIEWER);

    it('alias overloading', async () => {
      const query = `{ ${Array.from({ length: 101 }, (_, i) => `a${i}: product(id: "x") { id }`).join(' ')} }`;
      const result = await graphql(url, query, {}, viewer);
      expect(result.errors?.[0]?.message).toMatch(/[Aa]liases limit/);
    });

    it('batch queries (arrays of operations)', async () => {
      const result = await post(url, JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]), viewer);
      expect(result.status).toBe(400);
      expect(result.text).toMatch(/batch/i);
    });

    it('directive overloading', async () => {
      const query = `{ __typename ${'@include(if: true) '.repeat(50)} }`;
      const result = await graphql(url, query, {}, viewer);
      expect(result.errors?.[0]?.message).toMatch(/[Dd]irectives limit/);
    });

    it('field duplication and oversized documents, refused by the parser with 400', async () => {
      const query = `{ ${'__typename '.repeat(4000)} }`;
      const result = await graphql(url, query, {}, viewer);
      expect(result.status).toBe(400);
      expect(result.errors?.[0]?.message).toMatch(/more th.. 3000 tokens/);
    });

    it('circular introspection (introspection is off in production)', async () => {
      const query = '{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }';
      const result = await graphql(url, query, {}, viewer);
      expect(result.errors?.[0]?.message).toMatch(/introspection/i);
    });

    it('deep nesting beyond the depth limit, and a query too costly', async () => {
      const deep =
        '{ products { nodes { purchases { nodes { customer { purchases { nodes { product { purchases { nodes { customer { purchases { nodes { id } } } } } } } } } } } } } }';
      expect((await graphql(url, deep, {}, viewer)).errors?.[0]?.message).toMatch(/[Dd]epth limit/);
      const costly = '{ products(first: 500) { nodes { purchases(first: 500) { nodes { customer { firstName } } } } } }';
      expect((await graphql(url, costly, {}, viewer)).errors?.[0]?.message).toMatch(/[Cc]ost limit/);
    });

    it('GET-based mutations', async () => {
      const query = encodeURIComponent('mutation { createProduct(input: { name: "ViaGet", price: 1 }) { id } }');
      const response = await fetch(`${url}?query=${query}`, { headers: { ...as(EDITOR), 'apollo-require-preflight': 'true' } });
      expect(response.status).toBe(405);
    });

    it('CSRF: a simple cross-site request (text/plain, no preflight) is refused', async () => {
      const response = await fetch(`${url}?query=${encodeURIComponent('{ __typename }')}`, { headers: viewer });
      expect(response.status).toBe(400);
      expect(await response.text()).toMatch(/CSRF/i);
    });

    it('trace and debug leaks: no stack traces, no framework banner, no field suggestions', async () => {
      const result = await post(url, JSON.stringify({ query: '{ prodcts { totalCount } }' }), viewer);
      expect(result.headers.get('x-powered-by')).toBeNull();
      expect(result.text).not.toMatch(/stacktrace|Did you mean/);
      const failing = await post(
        url,
        JSON.stringify({ query: 'mutation { updateProduct(id: "nope!", input: { name: "x" }) { id } }' }),
        as(EDITOR),
      );
      expect(failing.text).not.toMatch(/stacktrace|node_modules|\.ts:/);
      expect(failing.json().errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });

    it('request bodies over the limit', async () => {
      const result = await post(
        url,
        JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(200_000) } }),
        viewer,
      );
      expect(result.status).toBe(413);
    });

    it('the same limits on graphql-ws subscriptions', async () => {
      const client = createClient({
        url: url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        connectionParams: { token: VIEWER },
      });
      const error = await new Promise<unknown>((resolve) => {
        client.subscribe(
          { query: `subscription { purchaseMade { purchase ${nest(7)} } }` },
          { next: () => undefined, error: resolve, complete: () => resolve(undefined) },
        );
      });
      await client.dispose();
      expect(JSON.stringify(error)).toMatch(/[Dd]epth limit/);
    });
  });
});
