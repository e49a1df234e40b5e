import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema, parse } from 'graphql';
import { printSchema, Supergraph } from '@apollo/federation-internals';
import { readFileSync } from 'node:fs';
import { decodePosition, encodePosition, silentLogger } from '@shop/event-core';
import { SUPERGRAPH_PATH } from '@shop/schema';
import { ChangeFeed, type Change } from '../src/subscriptions/change-feed.ts';
import { createSubscriptionEngine } from '../src/subscriptions/engine.ts';
import { planSubscription } from '../src/subscriptions/plan.ts';
import { createReplaySlots } from '../src/subscriptions/replay-slots.ts';
import { post, seedProducts, socketClient, startTestSystem, until } from './support/system.ts';

const EVENTS = 1200;
const START = encodePosition({});
const apiSchema = buildSchema(printSchema(Supergraph.build(readFileSync(SUPERGRAPH_PATH, 'utf8')).apiSchema()));

/** Lets every queued callback and I/O callback run a few rounds, so work that could run ahead has. */
const settle = async () => {
  for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('replay slots', () => {
  it('lets at most `perOwner` replays of one owner and `total` in all read, the rest in line', async () => {
    const slots = createReplaySlots({ total: 3, perOwner: 1 });
    const [a, b, c, d] = [{}, {}, {}, {}];
    const never = new AbortController().signal;
    const releaseA = await slots.acquire(a, never);
    let secondOfA: (() => void) | undefined;
    void slots.acquire(a, never).then((release) => (secondOfA = release));
    const releaseB = await slots.acquire(b, never);
    const releaseC = await slots.acquire(c, never);
    let ofD: (() => void) | undefined;
    void slots.acquire(d, never).then((release) => (ofD = release));
    await settle();
    expect(slots.stats()).toEqual({ reading: 3, waiting: 2 });
    expect(secondOfA).toBeUndefined();
    releaseB!();
    await settle();
    // B's slot goes to D: A's second replay still waits for A's first.
    expect(ofD).toBeDefined();
    expect(secondOfA).toBeUndefined();
    releaseA!();
    await settle();
    expect(secondOfA).toBeDefined();
    releaseC!();
    secondOfA!();
    ofD!();
    ofD!(); // twice is harmless
    expect(slots.stats()).toEqual({ reading: 0, waiting: 0 });
  });

  it('drops a waiter that goes away, without a slot', async () => {
    const slots = createReplaySlots({ total: 1, perOwner: 1 });
    const release = await slots.acquire({}, new AbortController().signal);
    const leaving = new AbortController();
    const waiting = slots.acquire({}, leaving.signal);
    leaving.abort();
    expect(await waiting).toBeUndefined();
    release!();
    expect(slots.stats()).toEqual({ reading: 0, waiting: 0 });
  });
});

describe('a replay is paced by its subscriber and bounded per socket and in total', () => {
  let started: Awaited<ReturnType<typeof startTestSystem>>;

  beforeAll(async () => {
    started = await startTestSystem();
    await seedProducts(started.log, started.topics.products, EVENTS);
    await until(
      async () => (await post(started.url, { query: '{ products { totalCount } }' })).json.data?.products.totalCount === EVENTS,
      'seeded products applied',
    );
  }, 120_000);
  afterAll(async () => {
    await started?.close();
  });

  /** A started change feed that counts the changes its replays read from the log. */
  async function countingFeed() {
    const feed = new ChangeFeed(started.topics, started.log, silentLogger);
    await feed.start();
    let read = 0;
    const replay = feed.replay.bind(feed);
    feed.replay = (topic, from, until, onChange, signal) =>
      replay(
        topic,
        from,
        until,
        (change: Change) => {
          read++;
          return onChange(change);
        },
        signal,
      );
    return { feed, read: () => read };
  }

  it('reads no further ahead than the subscriber takes, and stops reading when it goes', async () => {
    const { feed, read: readSoFar } = await countingFeed();
    let hydrated = 0;
    const engine = createSubscriptionEngine({
      feed,
      logger: silentLogger,
      hydrate: async () => {
        hydrated++;
        return { data: null };
      },
      replayWindow: 8,
    });
    const plan = planSubscription(
      apiSchema,
      parse(`subscription { productChanged(after: "${START}") { kind product { id } } }`),
      null,
      {},
    );
    const stream = engine.stream(plan);
    expect(await stream.next()).toMatchObject({ done: false });
    await settle();
    // Without pacing the replay reads the whole log at once (1,200 changes queued).
    expect(readSoFar()).toBeLessThanOrEqual(3 * 8 + 1);
    expect(hydrated).toBeLessThanOrEqual(2 * 8 + 1);
    const readBeforeMore = readSoFar();
    for (let i = 0; i < 20; i++) await stream.next();
    await settle();
    expect(readSoFar()).toBeGreaterThan(readBeforeMore);
    expect(readSoFar()).toBeLessThanOrEqual(21 + 3 * 8 + 1);
    await stream.return!();
    expect(engine.replayStats()).toEqual({ reading: 0, waiting: 0 });
    const readAtEnd = readSoFar();
    await settle();
    expect(readSoFar()).toBe(readAtEnd);
    expect(engine.stats().active).toBe(0);
    await feed.stop();
  });

  it('fails a replay whose subscriber takes nothing, gives up its slot and reads no further', async () => {
    const { feed, read: readSoFar } = await countingFeed();
    const engine = createSubscriptionEngine({
      feed,
      logger: silentLogger,
      hydrate: async () => ({ data: null }),
      replayWindow: 8,
      replayStallMs: 300,
    });
    const plan = planSubscription(apiSchema, parse(`subscription { productChanged(after: "${START}") { kind } }`), null, {});
    const stream = engine.stream(plan);
    expect(await stream.next()).toMatchObject({ done: false });
    // The subscriber takes nothing more: after replayStallMs its replay stops and its slot is free.
    await until(() => engine.replayStats().reading === 0, 'the stalled replay gave up its slot');
    const readWhenStopped = readSoFar();
    expect(readWhenStopped).toBeLessThanOrEqual(3 * 8 + 1);
    let error: unknown;
    for (let i = 0; i < 100 && !error; i++) await stream.next().catch((e: unknown) => (error = e));
    expect(JSON.stringify(error)).toMatch(/UNAVAILABLE/);
    expect((error as Error).message).toMatch(/took no payload of its replay/);
    await settle();
    expect(readSoFar()).toBe(readWhenStopped);
    await stream.return!();
    await feed.stop();
  });

  it('50 replays on one socket: one reads at a time, another client is answered meanwhile, and all stop when the socket closes', async () => {
    const { system, url } = started;
    const client = socketClient(url);
    const received = new Array<number>(50).fill(0);
    const errors: unknown[] = [];
    for (let i = 0; i < 50; i++) {
      client.subscribe(
        { query: `subscription { productChanged(after: "${START}") { kind position product { id name price } } }` },
        {
          next: () => void received[i]!++,
          error: (error) => void errors.push(error),
          complete: () => undefined,
        },
      );
    }
    await until(() => system.gateway.subscriptionStats().active === 50, '50 subscriptions open');
    let mostReading = 0;
    const sampler = setInterval(() => {
      mostReading = Math.max(mostReading, system.gateway.subscriptionStats().replaysReading);
    }, 5);
    await until(() => received.some((n) => n > 0), 'the first replay delivers');
    // Another client's query, while 50 replays of the whole log are under way.
    const other = await post(url, { query: '{ products(first: 5) { totalCount } }' }, { 'cache-control': 'no-cache' });
    expect(other.json.data?.products.totalCount).toBe(EVENTS);
    const total = received.reduce((a, b) => a + b, 0);
    expect(total).toBeLessThan(50 * EVENTS);
    clearInterval(sampler);
    expect(mostReading).toBe(1);
    expect(system.gateway.subscriptionStats().replaysWaiting).toBeGreaterThan(0);

    await client.dispose();
    await until(() => {
      const stats = system.gateway.subscriptionStats();
      return stats.active === 0 && stats.replaysReading === 0 && stats.replaysWaiting === 0;
    }, 'every replay stopped once the socket closed');
    const hydrations = system.gateway.subscriptionStats().hydrations;
    await settle();
    expect(system.gateway.subscriptionStats().hydrations).toBe(hydrations);
    expect(errors).toEqual([]);
  });

  it('a replay still delivers every change, in log order, then live ones', async () => {
    const { url } = started;
    const client = socketClient(url);
    const positions: string[] = [];
    let failed: unknown;
    client.subscribe(
      { query: `subscription { productChanged(after: "${START}") { position } }` },
      {
        next: (r) => void positions.push((r.data as { productChanged: { position: string } }).productChanged.position),
        error: (e) => (failed = e),
        complete: () => undefined,
      },
    );
    await until(() => positions.length === EVENTS || failed !== undefined, 'the whole replay');
    const created = await post(url, { query: 'mutation { createProduct(input: { name: "After replay", price: 2 }) { id } }' });
    expect(created.json.errors).toBeUndefined();
    await until(() => positions.length === EVENTS + 1 || failed !== undefined, 'the live change after the replay');
    expect(failed).toBeUndefined();
    const offsets = positions.map((p) => Object.values(Object.values(decodePosition(p))[0]!)[0]!);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(new Set(offsets).size).toBe(EVENTS + 1);
    await client.dispose();
  });
});
