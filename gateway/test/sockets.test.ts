import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import fc from 'fast-check';
import { post, startTestSystem, until } from './support/system.ts';

const VIEWER = 'viewer-token-0123456789';
const EDITOR = 'editor-token-0123456789';

/** A raw graphql-transport-ws socket: sends what a test says, records every message and how it closed. */
async function rawSocket(url: string, { origin, host, params = {} }: { origin?: string; host?: string; params?: object } = {}) {
  const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws', {
    headers: { ...(origin ? { origin } : {}), ...(host ? { host } : {}) },
  });
  const messages: { id?: string; type: string; payload?: any }[] = [];
  let closed: { code: number; reason: string } | undefined;
  socket.on('message', (data) => messages.push(JSON.parse(String(data))));
  socket.on('close', (code, reason) => (closed = { code, reason: String(reason) }));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => {
    socket.once('open', () => resolve());
    socket.once('close', () => resolve());
  });
  if (!closed) socket.send(JSON.stringify({ type: 'connection_init', payload: params }));
  await until(() => closed !== undefined || messages.some((m) => m.type === 'connection_ack'), 'acknowledged or closed');
  return {
    socket,
    messages,
    get closed() {
      return closed;
    },
    acknowledged: () => messages.some((m) => m.type === 'connection_ack'),
    send: (message: object) => socket.send(JSON.stringify(message)),
    of: (id: string) => messages.filter((m) => m.id === id),
    close: () => socket.close(),
  };
}

describe('graphql-ws: errors belong to their operation, limits hold under bursts, origins are checked', () => {
  let started: Awaited<ReturnType<typeof startTestSystem>>;
  beforeAll(async () => {
    started = await startTestSystem({ security: { allowedOrigins: ['https://shop.example.com'] } });
  }, 120_000);
  afterAll(async () => {
    await started?.close();
  });

  it('answers failing queries, mutations and subscriptions on their own id and keeps the socket and its other subscriptions', async () => {
    const { url } = started;
    const raw = await rawSocket(url);
    raw.send({ id: 'live', type: 'subscribe', payload: { query: 'subscription { productChanged { kind product { name } } }' } });
    await until(() => started.system.gateway.subscriptionStats().active >= 1, 'the live subscription is held');
    const failing: Record<string, object> = {
      notFound: { query: 'mutation { updateProduct(id: "missing", input: { name: "x" }) { id } }' },
      badInput: { query: 'mutation { createProduct(input: { name: "", price: 1 }) { id } }' },
      badMoney: { query: 'mutation { createProduct(input: { name: "x", price: 1e309 }) { id } }' },
      badVariable: { query: 'query Q($n: Int!) { products(first: $n) { totalCount } }', variables: { n: 'x' } },
      unknownField: { query: '{ prodcts { totalCount } }' },
      parse: { query: '{ products {' },
      badAfter: { query: 'subscription { productChanged(after: "nonsense") { kind } }' },
      unknownOperation: { query: '{ __typename }', operationName: 'Nope' },
      tooCostly: {
        query: 'query Q($n: Int) { products(first: $n) { nodes { purchases(first: $n) { nodes { id } } } } }',
        variables: { n: 500 },
      },
    };
    for (const [id, payload] of Object.entries(failing)) raw.send({ id, type: 'subscribe', payload });
    await until(
      () => Object.keys(failing).every((id) => raw.of(id).some((m) => m.type === 'error' || m.type === 'complete')),
      'every failing operation answered',
    );
    expect(raw.closed).toBeUndefined();
    for (const id of Object.keys(failing)) {
      const errors = raw.of(id).flatMap((m) => (m.type === 'error' ? m.payload : (m.payload?.errors ?? [])));
      expect(errors.length, id).toBeGreaterThan(0);
      for (const error of errors) {
        expect(String(error.extensions?.code), `${id}: ${JSON.stringify(error)}`).toMatch(/^[A-Z_]+$/);
        expect(error.extensions?.code, id).not.toBe('INTERNAL_SERVER_ERROR');
        expect(JSON.stringify(error), id).not.toMatch(/stacktrace|node_modules/);
      }
    }
    // The live subscription on the same socket still delivers.
    const created = await post(url, { query: 'mutation { createProduct(input: { name: "Still live", price: 1 }) { id } }' });
    expect(created.json.errors).toBeUndefined();
    await until(() => raw.of('live').some((m) => m.type === 'next'), 'the live subscription delivers after the errors');
    expect(raw.of('live')[0]!.payload.data.productChanged.product.name).toBe('Still live');
    raw.close();
    await until(() => started.system.gateway.subscriptionStats().active === 0, 'the socket closed');
  });

  it('answers random operations on their own ids and never closes the socket for them', async () => {
    const raw = await rawSocket(started.url);
    const piece = fc.constantFrom(
      '{',
      '}',
      '(',
      ')',
      '$n',
      ':',
      '...',
      'query',
      'mutation',
      'subscription',
      'Q',
      'productChanged',
      'purchaseMade',
      'after: "x"',
      'after: $n',
      'id',
      'kind',
      'product',
      'name',
      'products',
      'first: $n',
      'nodes',
      '__typename',
      'updateProduct(id: "missing", input: { name: "x" })',
      'createProduct(input: { name: "", price: -1 })',
    );
    const payload = fc.record(
      {
        query: fc.array(piece, { minLength: 1, maxLength: 20 }).map((pieces) => pieces.join(' ')),
        variables: fc.oneof(fc.constant(null), fc.dictionary(fc.constantFrom('n', 'x'), fc.jsonValue())),
        operationName: fc.oneof(fc.constant(null), fc.constantFrom('Q', 'Nope')),
      },
      { requiredKeys: ['query'] },
    );
    const sent: string[] = [];
    fc.assert(
      fc.property(payload, (p) => {
        const id = `r${sent.length}`;
        sent.push(id);
        raw.send({ id, type: 'subscribe', payload: p });
      }),
      { numRuns: 80 },
    );
    // A subscription that was accepted stays open; everything else is answered with error or complete.
    await until(
      () => sent.filter((id) => raw.of(id).length === 0).length <= started.system.gateway.subscriptionStats().active,
      'the unanswered ones are live subscriptions',
    );
    expect(raw.closed).toBeUndefined();
    for (const message of raw.messages.filter((m) => m.type === 'error')) {
      expect(JSON.stringify(message.payload)).not.toMatch(/INTERNAL_SERVER_ERROR|stacktrace/);
    }
    raw.close();
    await until(() => started.system.gateway.subscriptionStats().active === 0, 'the socket closed');
  });

  it('holds the per-socket limit when 300 subscribes arrive in one burst, and frees it as operations end', async () => {
    const { url } = started;
    const raw = await rawSocket(url);
    const burst = Array.from({ length: 300 }, (_, i) => ({
      id: `s${i}`,
      type: 'subscribe',
      payload: { query: 'subscription { productChanged { kind } }' },
    }));
    // In one go: the server reads them back to back, before any subscription has started.
    for (const message of burst) raw.socket.send(JSON.stringify(message));
    await until(() => burst.filter((m) => raw.of(m.id).some((r) => r.type === 'error')).length === 200, '200 subscribes refused');
    await until(() => started.system.gateway.subscriptionStats().active >= 100, 'the first 100 held');
    expect(started.system.gateway.subscriptionStats().active).toBe(100);
    expect(raw.of('s0').some((m) => m.type === 'error')).toBe(false);
    expect(raw.of('s299')[0]?.payload?.[0]?.message).toMatch(/at most 100/);
    // Completing one frees one place.
    raw.send({ id: 's0', type: 'complete' });
    await until(() => started.system.gateway.subscriptionStats().active === 99, 'one completed');
    raw.send({ id: 'again', type: 'subscribe', payload: { query: 'subscription { productChanged { kind } }' } });
    await until(() => started.system.gateway.subscriptionStats().active === 100, 'the freed place taken');
    expect(raw.of('again').some((m) => m.type === 'error')).toBe(false);
    raw.send({ id: 'over', type: 'subscribe', payload: { query: 'subscription { productChanged { kind } }' } });
    await until(() => raw.of('over').some((m) => m.type === 'error'), 'the 101st refused');
    raw.close();
    await until(() => started.system.gateway.subscriptionStats().active === 0, 'all ended with the socket');
  });

  it('accepts its own origins and the configured ones, never a foreign origin whatever the Host header says', async () => {
    const { url } = started;
    const port = new URL(url).port;
    for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`, 'https://shop.example.com', undefined]) {
      const raw = await rawSocket(url, origin ? { origin } : {});
      expect(raw.acknowledged(), String(origin)).toBe(true);
      raw.close();
    }
    for (const [origin, host] of [
      ['http://evil.example:5100', 'evil.example:5100'],
      [`http://evil.example:${port}`, `evil.example:${port}`],
      ['http://evil.example', undefined],
      [`http://127.0.0.1:${Number(port) + 1}`, undefined],
      ['https://shop.example.com.evil.example', 'shop.example.com.evil.example'],
      ['null', undefined],
      ['not a url', undefined],
    ] as const) {
      const raw = await rawSocket(url, { origin, ...(host ? { host } : {}) });
      expect(raw.acknowledged(), origin).toBe(false);
      expect(raw.closed?.code, origin).toBe(4403);
    }
  });

  it('closes a socket whose message is over 64 KiB, and one that never sends connection_init', async () => {
    const { url } = started;
    const raw = await rawSocket(url);
    raw.send({ id: 'big', type: 'subscribe', payload: { query: '{ __typename }', variables: { pad: 'x'.repeat(70 * 1024) } } });
    await until(() => raw.closed !== undefined, 'the oversized message closes the socket');
    expect(raw.closed?.code).toBe(1009);

    const silent = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    let code: number | undefined;
    silent.on('close', (c) => (code = c));
    await until(() => code !== undefined, 'a socket without connection_init is closed', 30_000);
    expect(code).toBe(4408);
  });
});

describe('production settings over graphql-ws and HTTP', () => {
  let started: Awaited<ReturnType<typeof startTestSystem>>;
  beforeAll(async () => {
    started = await startTestSystem({
      production: true,
      security: {
        tokens: new Map([
          [VIEWER, 'viewer'],
          [EDITOR, 'editor'],
        ]),
        subgraphSecret: 'subgraph-secret-0123456789',
        allowIntrospection: false,
      },
    });
  }, 120_000);
  afterAll(async () => {
    await started?.close();
  });

  it('suggests no field names and shows no internals over graphql-ws', async () => {
    const raw = await rawSocket(started.url, { params: { token: VIEWER } });
    raw.send({ id: 'q', type: 'subscribe', payload: { query: '{ prodcts { totalCount } }' } });
    raw.send({ id: 's', type: 'subscribe', payload: { query: 'subscription { productChangd { kind } }' } });
    raw.send({ id: 'f', type: 'subscribe', payload: { query: 'subscription { productChanged { kind prodct { id } } }' } });
    raw.send({
      id: 'm',
      type: 'subscribe',
      payload: { query: 'mutation { createProduct(input: { name: "x", price: 1 }) { id } }' },
    });
    await until(() => ['q', 's', 'f', 'm'].every((id) => raw.of(id).length > 0), 'all answered');
    const text = JSON.stringify(raw.messages);
    expect(text).not.toMatch(/Did you mean|stacktrace|node_modules/);
    expect(raw.of('m')[0]?.payload).toSatisfy((payload: any) => JSON.stringify(payload).includes('FORBIDDEN'));
    expect(raw.closed).toBeUndefined();
    raw.close();
  });

  it('serves no playground, and /metrics only with a token', async () => {
    const base = started.url.replace(/\/graphql$/, '');
    expect((await fetch(`${base}/playground`)).status).toBe(404);
    expect((await fetch(`${base}/playground/`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer not-a-token-at-all' } })).status).toBe(401);
    const metrics = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${VIEWER}` } });
    expect(metrics.status).toBe(200);
    for (const subgraph of [
      started.system.subgraphs.products,
      started.system.subgraphs.customers,
      started.system.subgraphs.purchases,
    ]) {
      expect((await fetch(new URL('/metrics', subgraph.url))).status).toBe(401);
    }
  });

  it('refuses bodies over the limits: 100 KiB at the gateway, 1 MiB at a subgraph', async () => {
    const padded = (bytes: number) => ({ query: '{ __typename }', variables: { pad: 'x'.repeat(bytes) } });
    const viewer = { authorization: `Bearer ${VIEWER}` };
    expect((await post(started.url, padded(90 * 1024), viewer)).status).toBe(200);
    expect((await post(started.url, padded(110 * 1024), viewer)).status).toBe(413);
    const secret = { 'x-subgraph-secret': 'subgraph-secret-0123456789' };
    expect((await post(started.system.subgraphs.products.url, padded(900 * 1024), secret)).status).toBe(200);
    expect((await post(started.system.subgraphs.products.url, padded(1100 * 1024), secret)).status).toBe(413);
  });

  it('serves no landing page that loads from the internet, on the gateway or a subgraph', async () => {
    for (const url of [started.url, started.system.subgraphs.products.url]) {
      const response = await fetch(url, { headers: { accept: 'text/html' }, redirect: 'manual' });
      expect(await response.text()).not.toMatch(/https?:\/\/(?!localhost|127\.0\.0\.1)/);
    }
  });

  // Last: it stops a subgraph.
  it('tells a probe which subgraph is not ready, never its address or error', async () => {
    const base = started.url.replace(/\/graphql$/, '');
    await started.system.subgraphs.customers.close();
    const response = await fetch(`${base}/readyz`);
    expect(response.status).toBe(503);
    const text = await response.text();
    expect(JSON.parse(text).subgraphs.customers).toBe('not ready');
    expect(text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|unreachable|http:/);
  });
});
