import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { NOT_SERVED_HEADER } from '@shop/event-core';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ConsistentDataSource, roundRobin, type GatewayContext } from '../src/data-source.ts';
import { createHttpFetcher } from '../src/http-fetcher.ts';

type Options = GraphQLDataSourceProcessOptions<GatewayContext>;
type Answer = Awaited<ReturnType<ReturnType<typeof roundRobin>['process']>>;

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });

/** An instance that answers with its name, or fails as it is told to; it counts what it was sent. */
function instance(name: string) {
  const state = { fail: undefined as (() => Error) | undefined, received: 0 };
  return {
    state,
    process: async (): Promise<Answer> => {
      state.received++;
      if (state.fail) throw state.fail();
      return { data: { from: name } } as Answer;
    },
  };
}

const request = { request: { query: 'query { products { totalCount } }' } } as Options;
const mutation = {
  request: { query: 'mutation CreateProduct { createProduct(input: { name: "Tea", price: 1 }) { id } }' },
} as Options;

describe('roundRobin over the instances of a subgraph', () => {
  it('takes the instances in turn', async () => {
    const [a, b] = [instance('a'), instance('b')];
    const spread = roundRobin([a, b]);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push((await spread.process(request)).data);
    expect(answers).toEqual([{ from: 'a' }, { from: 'b' }, { from: 'a' }, { from: 'b' }]);
  });

  it('sends a request an instance refused to the next one, passes the refusing one over for a while, then tries it again', async () => {
    let clock = 0;
    const [a, b] = [instance('a'), instance('b')];
    a.state.fail = refused;
    const spread = roundRobin([a, b], { downMs: 1_000, now: () => clock });
    expect((await spread.process(request)).data).toEqual({ from: 'b' });
    expect((await spread.process(request)).data).toEqual({ from: 'b' });
    expect(a.state.received).toBe(1);
    a.state.fail = undefined;
    clock = 1_000;
    const answers = [(await spread.process(request)).data, (await spread.process(request)).data];
    expect(answers).toContainEqual({ from: 'a' });
  });

  it('never sends again a mutation that may have reached an instance (a reset connection), nor any request it answered with an error', async () => {
    const [a, b] = [instance('a'), instance('b')];
    a.state.fail = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const spread = roundRobin([a, b]);
    await expect(spread.process(mutation)).rejects.toThrow('socket hang up');
    expect(b.state.received).toBe(0);
    a.state.fail = () => new Error('a GraphQL error answer');
    await spread.process(request); // b's turn
    await expect(spread.process(request)).rejects.toThrow('a GraphQL error answer');
    expect(b.state.received).toBe(1);
  });

  it('sends a query whose connection broke (an instance killed mid-answer) to the next instance: it changed nothing', async () => {
    let clock = 0;
    const [a, b] = [instance('a'), instance('b')];
    const spread = roundRobin([a, b], { downMs: 1_000, now: () => clock });
    for (const fail of [
      () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      () => new Error('socket hang up'),
      () => Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }),
    ]) {
      // Past the last one's time out: each failure is met afresh.
      clock += 1_000;
      a.state.fail = fail;
      const triedBefore = a.state.received;
      const answers = [(await spread.process(request)).data, (await spread.process(request)).data];
      expect(answers).toEqual([{ from: 'b' }, { from: 'b' }]);
      expect(a.state.received).toBe(triedBefore + 1);
    }
  });

  it('fails with the last refusal when every instance refuses', async () => {
    const [a, b] = [instance('a'), instance('b')];
    a.state.fail = refused;
    b.state.fail = refused;
    await expect(roundRobin([a, b]).process(request)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(a.state.received + b.state.received).toBe(2);
  });

  it('sends a request an instance answered without running (it is still replaying) to the next one, a mutation too, and only then', async () => {
    // Two real instances over HTTP: one still replaying (503 with X-Not-Served, as every subgraph
    // answers then), one ready; and one that fails a request it did run (503 without the header).
    const answered: string[] = [];
    const server = (answer: (res: ServerResponse) => void, name: string) =>
      createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          answered.push(name);
          answer(res);
        });
      });
    const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const unavailable = { errors: [{ message: 'not now', extensions: { code: 'UNAVAILABLE' } }] };
    const replaying = server((res) => json(res, 503, unavailable, { [NOT_SERVED_HEADER]: 'replaying' }), 'replaying');
    const failing = server((res) => json(res, 503, unavailable), 'failing');
    const ready = server((res) => json(res, 200, { data: { from: 'ready' } }), 'ready');
    const fetcher = createHttpFetcher();
    try {
      const urls = await Promise.all(
        [replaying, failing, ready].map(
          (s) =>
            new Promise<string>((resolve) =>
              s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}/graphql`)),
            ),
        ),
      );
      const source = (url: string) => new ConsistentDataSource({ url, fetcher });
      const mutation = {
        request: { query: 'mutation { createProduct(input: { name: "Tea", price: 1 }) { id } }' },
        context: { written: {} },
      } as unknown as Options;
      const spread = roundRobin([source(urls[0]!), source(urls[2]!)]);
      expect((await spread.process(mutation)).data).toEqual({ from: 'ready' });
      expect(answered).toEqual(['replaying', 'ready']);
      // An instance that ran the request and failed is never asked to let another one try.
      answered.length = 0;
      await expect(roundRobin([source(urls[1]!), source(urls[2]!)]).process(mutation)).rejects.toThrow('not now');
      expect(answered).toEqual(['failing']);
    } finally {
      fetcher.close();
      for (const s of [replaying, failing, ready]) s.close();
    }
  });
});
