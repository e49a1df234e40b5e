import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import express from 'express';
import { listen, requestHeader, sendError } from '../src/http/server.ts';
import { serviceRoutes, type ServiceRoutesOptions } from '../src/http/service-routes.ts';
import { startFailureMessage } from '../src/start-failure.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))));
});

/** A server that the test closes, listening on a free port. */
async function started(server = createServer()): Promise<{ server: Server; port: number; url: string }> {
  servers.push(server);
  return { server, ...(await listen(server, { host: '127.0.0.1', port: 0, path: '/graphql' })) };
}

/** The routes on a server of their own; the base URL to fetch them from. */
async function routes(options: ServiceRoutesOptions): Promise<string> {
  const app = express();
  app.use(serviceRoutes(options));
  const { port } = await started(createServer(app));
  return `http://127.0.0.1:${port}`;
}

describe('listening', () => {
  it('resolves with the port taken and the URL of the path there', async () => {
    const { server, port, url } = await started();
    expect(port).toBeGreaterThan(0);
    expect(url).toBe(`http://127.0.0.1:${port}/graphql`);
    expect(server.listening).toBe(true);
  });

  it('names another host in the URL when asked', async () => {
    const server = createServer();
    servers.push(server);
    const { port, url } = await listen(server, { host: '127.0.0.1', port: 0, path: '/graphql', urlHost: 'localhost' });
    expect(url).toBe(`http://localhost:${port}/graphql`);
  });

  it('fails on a port in use with the error that names the setting to change', async () => {
    const { port } = await started();
    const error = await listen(createServer(), { host: '127.0.0.1', port, path: '/graphql' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'EADDRINUSE', port });
    expect(startFailureMessage(error, { host: '127.0.0.1', ports: [{ setting: 'SHOP_PORT', port }] })).toBe(
      `Port ${port} (SHOP_PORT) on 127.0.0.1 is already in use, perhaps by another instance of the shop: stop it, or set SHOP_PORT to a free port.`,
    );
  });
});

describe('the routes every service serves', () => {
  const ready = { ready: true, parts: { log: 'up' } };

  it('is alive on /healthz', async () => {
    const base = await routes({ service: 'things', readiness: () => ready });
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', service: 'things' });
  });

  it('says on /readyz whether it is ready, with each part, in order after status and service', async () => {
    let state = { ready: true, parts: { replayed: true, log: 'up' } };
    const base = await routes({ service: 'things', readiness: async () => state });
    const up = await fetch(`${base}/readyz`);
    expect(up.status).toBe(200);
    expect(await up.text()).toBe('{"status":"ready","service":"things","replayed":true,"log":"up"}');
    state = { ready: false, parts: { replayed: true, log: 'down' } };
    const down = await fetch(`${base}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: 'not ready', service: 'things', replayed: true, log: 'down' });
  });

  it('serves /metrics to anyone when no access is set', async () => {
    const base = await routes({ service: 'things', readiness: () => ready });
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  });

  it('serves /metrics only to the requests its access allows, and tells the others what to send', async () => {
    const base = await routes({
      service: 'things',
      readiness: () => ready,
      metricsAccess: { allows: (req) => requestHeader(req, 'authorization') === 'Bearer right', refusal: 'send the right token' },
    });
    const refused = await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer wrong' } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await refused.json()).toEqual({
      errors: [{ message: 'send the right token', extensions: { code: 'UNAUTHENTICATED' } }],
    });
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer right' } })).status).toBe(200);
  });
});

describe('plain HTTP answers', () => {
  it("sends one error in GraphQL's shape", async () => {
    const { port } = await started(createServer((_req, res) => sendError(res, 413, 'BAD_REQUEST', 'too large')));
    const response = await fetch(`http://127.0.0.1:${port}/`);
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toEqual({ errors: [{ message: 'too large', extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('reads a header repeated by the client as one string', () => {
    expect(requestHeader({ headers: { 'x-one': 'a' } }, 'x-one')).toBe('a');
    expect(requestHeader({ headers: { 'x-many': ['a', 'b'] } }, 'x-many')).toBe('a, b');
    expect(requestHeader({ headers: {} }, 'x-none')).toBeUndefined();
  });
});
