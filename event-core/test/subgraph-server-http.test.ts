import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'graphql';
import { silentLogger } from '../src/logger.ts';
import type { EventLog } from '../src/log/port.ts';
import type { Projector } from '../src/projector.ts';
import { startFailureMessage } from '../src/start-failure.ts';
import {
  NOT_SERVED_HEADER,
  startSubgraphServer,
  SUBGRAPH_SECRET_HEADER,
  type RunningSubgraph,
} from '../src/graphql/subgraph-server.ts';

const SECRET = 'subgraph-secret-0123456789';

/** What a subgraph's HTTP routes read of its projector and log: whether it has replayed, whether the log is up. */
const state = { replayed: false, logUp: true };
const projector = { isReady: () => state.replayed } as unknown as Projector;
const log = { healthy: async () => state.logUp } as unknown as EventLog;

const start = (port = 0): Promise<RunningSubgraph> =>
  startSubgraphServer({
    name: 'things',
    typeDefs: parse('type Query { hello: String }'),
    resolvers: { Query: { hello: () => 'hi' } },
    projector,
    log,
    logger: silentLogger,
    port,
    secret: SECRET,
  });

describe("a subgraph's HTTP routes", () => {
  let subgraph: RunningSubgraph;
  let base: string;
  beforeAll(async () => {
    subgraph = await start();
    base = `http://127.0.0.1:${subgraph.port}`;
  });
  afterAll(() => subgraph?.close());

  it('is alive on /healthz, and ready on /readyz once it has replayed and while its log is up', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok', service: 'things' });
    const replaying = await fetch(`${base}/readyz`);
    expect(replaying.status).toBe(503);
    expect(await replaying.json()).toEqual({ status: 'not ready', service: 'things', replayed: false, log: 'up' });
    state.replayed = true;
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', service: 'things', replayed: true, log: 'up' });
    state.logUp = false;
    expect(await (await fetch(`${base}/readyz`)).json()).toMatchObject({ status: 'not ready', log: 'down' });
    state.logUp = true;
  });

  it('serves /metrics to holders of its secret, in its header or as a bearer token, and to no one else', async () => {
    const refused = await fetch(`${base}/metrics`);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({
      errors: [{ message: 'subgraphs answer the gateway only', extensions: { code: 'UNAUTHENTICATED' } }],
    });
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer not-the-secret' } })).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { [SUBGRAPH_SECRET_HEADER]: SECRET } })).status).toBe(200);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${SECRET}` } })).status).toBe(200);
  });

  it('answers /graphql only with its secret', async () => {
    const ask = (headers: Record<string, string>) =>
      fetch(subgraph.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: '{ hello }' }),
      });
    expect((await ask({})).status).toBe(401);
    expect(await (await ask({ [SUBGRAPH_SECRET_HEADER]: SECRET })).json()).toEqual({ data: { hello: 'hi' } });
  });

  it('refuses /graphql while it replays, saying nothing ran (the gateway then asks another instance)', async () => {
    state.replayed = false;
    try {
      const refused = await fetch(subgraph.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SUBGRAPH_SECRET_HEADER]: SECRET },
        body: JSON.stringify({ query: '{ hello }' }),
      });
      expect(refused.status).toBe(503);
      expect(refused.headers.get(NOT_SERVED_HEADER)).toBe('replaying');
      expect(await refused.json()).toMatchObject({
        errors: [
          {
            message: expect.stringMatching(/the things subgraph is still replaying its events; retry in a moment$/),
            extensions: { code: 'UNAVAILABLE', stored: 'NO' },
          },
        ],
      });
    } finally {
      state.replayed = true;
    }
  });

  it('fails to start on a port in use with the error that names the setting to change', async () => {
    const error = await start(subgraph.port).catch((e: unknown) => e);
    expect(startFailureMessage(error, { host: '127.0.0.1', ports: [{ setting: 'THINGS_PORT', port: subgraph.port }] })).toMatch(
      new RegExp(`^Port ${subgraph.port} \\(THINGS_PORT\\) on 127\\.0\\.0\\.1 is already in use`),
    );
  });
});
