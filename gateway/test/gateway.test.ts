import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, silentLogger, startFailureMessage } from '@shop/event-core';
import { responseCacheFrom, startGateway, type RunningGateway } from '../src/index.ts';

// Port 9 (discard) is closed on a test machine: every subgraph is unreachable.
const nowhere = 'http://127.0.0.1:9/graphql';

describe('the gateway without its subgraphs', () => {
  let gateway: RunningGateway;
  let base: string;

  beforeAll(async () => {
    gateway = await startGateway({
      logger: silentLogger,
      port: 0,
      readinessTimeoutMs: 500,
      subgraphUrls: { products: nowhere, customers: nowhere, purchases: nowhere },
    });
    base = gateway.url.replace(/\/graphql$/, '');
  });
  afterAll(() => gateway.close());

  it('is alive: /healthz answers 200', async () => {
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', service: 'gateway' });
  });

  it('is not ready: /readyz answers 503 and names each unreachable subgraph', async () => {
    const response = await fetch(`${base}/readyz`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as { subgraphs: Record<string, string> };
    expect(Object.keys(body.subgraphs).sort()).toEqual(['customers', 'products', 'purchases']);
    for (const state of Object.values(body.subgraphs)) expect(state).toMatch(/^unreachable/);
  });

  it('refuses a malformed X-Consistency-Token with BAD_USER_INPUT before calling any subgraph', async () => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-consistency-token': '%%%' },
      body: JSON.stringify({ query: '{ products { totalCount } }' }),
    });
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
  });

  it('fails to start on a port in use with the error that names GATEWAY_PORT', async () => {
    const error = await startGateway({ logger: silentLogger, port: gateway.port }).catch((e: unknown) => e);
    expect(startFailureMessage(error, { host: '127.0.0.1', ports: [{ setting: 'GATEWAY_PORT', port: gateway.port }] })).toBe(
      `Port ${gateway.port} (GATEWAY_PORT) on 127.0.0.1 is already in use, perhaps by another instance of the shop: stop it, or set GATEWAY_PORT to a free port.`,
    );
  });

  it('answers a query with an error, not a crash, when a subgraph is down', async () => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ products { totalCount } }' }),
    });
    const body = (await response.json()) as { data: unknown; errors: unknown[] };
    expect(body.errors.length).toBeGreaterThan(0);
  });
});

describe('the response cache settings of a gateway process', () => {
  it('keeps 1,000 answers and 32 MiB by default', () => {
    expect(responseCacheFrom(loadConfig({}))).toEqual({ maxEntries: 1000, maxBytes: 32 * 1024 * 1024 });
  });

  it('takes its bounds from RESPONSE_CACHE_ENTRIES and RESPONSE_CACHE_MB, and 0 entries turns it off', () => {
    expect(responseCacheFrom(loadConfig({ RESPONSE_CACHE_ENTRIES: '50', RESPONSE_CACHE_MB: '2' }))).toEqual({
      maxEntries: 50,
      maxBytes: 2 * 1024 * 1024,
    });
    expect(responseCacheFrom(loadConfig({ RESPONSE_CACHE_ENTRIES: '0' }))).toBe(false);
    expect(() => loadConfig({ RESPONSE_CACHE_ENTRIES: '-1' })).toThrow(/RESPONSE_CACHE_ENTRIES/);
  });
});
