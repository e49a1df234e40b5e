import { describe, expect, it } from 'vitest';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { roundRobin, type GatewayContext } from '../src/data-source.ts';

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

const request = {} as Options;

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

  it('never sends again a request that may have reached an instance (a reset connection, an error answer)', async () => {
    const [a, b] = [instance('a'), instance('b')];
    a.state.fail = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const spread = roundRobin([a, b]);
    await expect(spread.process(request)).rejects.toThrow('socket hang up');
    expect(b.state.received).toBe(0);
    a.state.fail = () => new Error('a GraphQL error answer');
    await spread.process(request); // b's turn
    await expect(spread.process(request)).rejects.toThrow('a GraphQL error answer');
    expect(b.state.received).toBe(1);
  });

  it('fails with the last refusal when every instance refuses', async () => {
    const [a, b] = [instance('a'), instance('b')];
    a.state.fail = refused;
    b.state.fail = refused;
    await expect(roundRobin([a, b]).process(request)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(a.state.received + b.state.received).toBe(2);
  });
});
