import { GraphQLError, type ExecutionResult } from 'graphql';
import { setTimeout as sleep } from 'node:timers/promises';
import { inSpan, positionToken, SpanKind, type Logger } from '@shop/event-core';
import type { Change, ChangeFeed } from './change-feed.ts';
import { ENTITY_VARIABLE, isPast, type SubscriptionPlan } from './plan.ts';
import { createReplaySlots } from './replay-slots.ts';

/** Runs a hydration query through the federated graph, at least at `position` and as of it. */
export type Hydrator = (query: SubscriptionPlan, change: Change) => Promise<ExecutionResult>;

/** One change's payload for one selection: built once, serialized once, however many subscribers get it. */
export class Payload {
  #json: string | undefined;
  constructor(
    readonly result: ExecutionResult,
    private readonly serialize: (result: ExecutionResult) => string,
  ) {}
  /** The result as JSON, as every subscriber of this selection receives it. */
  get json(): string {
    return (this.#json ??= this.serialize(this.result));
  }
}

/**
 * Where a subscription's payloads go, in log order. A socket writes them straight out; `full` says
 * its buffer is over the high-water mark, and the engine then hands over the next payload with
 * `written` and sends nothing more until it is called: a subscriber that reads slowly is paced (a
 * replay reads no further) and, live, dropped once `maxQueued` changes wait for it.
 */
export interface SubscriptionSink {
  next(payload: Payload, written?: () => void): void;
  full(): boolean;
}

/** A running subscription. */
export interface Subscription {
  /** Settles once it ends: with undefined when stopped, with the error when it failed. */
  readonly ended: Promise<Error | undefined>;
  /** Stops it at once; resolves once its replay (if any) has stopped reading the log. Harmless twice. */
  stop(): Promise<void>;
}

export interface EngineOptions {
  readonly feed: ChangeFeed;
  readonly hydrate: Hydrator;
  readonly logger: Logger;
  /** How a payload becomes the JSON a socket sends; default `JSON.stringify`. */
  readonly serialize?: (result: ExecutionResult) => string;
  /**
   * Payloads one subscriber may have hydrating ahead of what it has been sent. Default 64. A
   * subscriber takes at most this many changes per hydration round trip (Little's law): 16 capped
   * a busy gateway, whose hydrations take ~0.2 s, below 100 changes a second.
   */
  readonly hydrationWindow?: number;
  /** Changes a live subscriber may have waiting before it is dropped as too slow. Default 10000. */
  readonly maxQueued?: number;
  /** Replays (subscriptions with `after`) reading the log at once, in all. Default 4; the others wait their turn. */
  readonly maxReplays?: number;
  /** Replays of one socket reading the log at once. Default 1. */
  readonly maxReplaysPerSocket?: number;
  /**
   * Hydrations a subscriber runs ahead while it catches up on a replay; the replay reads no more
   * than twice this many changes ahead of what the subscriber has taken. Default 8.
   */
  readonly replayWindow?: number;
  /**
   * How long a replay may wait for its subscriber to take a payload, in ms, before the
   * subscription fails and gives its slot to the next one. Default 30000.
   */
  readonly replayStallMs?: number;
  /**
   * How long a hydration that failed is tried again, in ms, before its subscribers end with
   * UNAVAILABLE (to subscribe again with `after`). Default 30000. A hydration query is valid by
   * construction, so its errors are the graph's, and passing: a subgraph instance behind the
   * others (CONSISTENCY_TIMEOUT, or a mirror that has not yet seen the product a purchase names),
   * a broker that froze, a subgraph that restarts. Delivering them as the payload would lose the
   * change for every subscriber.
   */
  readonly hydrationRetryMs?: number;
  /** The pause before the n-th retry of a hydration (from 0), in ms. Default: 100 ms doubling to 2 s. */
  readonly hydrationBackoffMs?: (attempt: number) => number;
}

/** A payload being built, shared by every subscriber of its change and selection. */
interface Entry {
  payload?: Payload;
  error?: Error;
  /** Subscribers whose next payload this is, to be sent it once it is built. */
  waiters?: Subscriber[];
}

/** One subscriber's state: small, because ten thousand idle ones must cost little. */
interface Subscriber {
  readonly plan: SubscriptionPlan;
  readonly sink: SubscriptionSink;
  /** Matched changes whose payloads are not started yet (beyond the window). */
  readonly queue: Change[];
  /** Payloads started, in log order, not yet sent. */
  readonly pending: Entry[];
  /** Live changes that arrived while the replay was read. */
  buffered?: Change[];
  replaying: boolean;
  /** Until the replay is read and sent: payloads run `replayWindow` ahead, not `hydrationWindow`. */
  catchingUp: boolean;
  /** The sink is over its high-water mark: nothing is sent until it has written the last payload. */
  blocked: boolean;
  /** The payload it waits to be built, if any. */
  waitingFor?: Entry;
  ended: boolean;
  /** The replay, waiting for the subscriber to take what it has read. */
  room?: () => void;
  /** Stops the replay's reading of the log. */
  stopReading?: AbortController;
  /** Settles once the replay has stopped reading. */
  replayed?: Promise<void>;
  finish(error: Error | undefined): void;
}

/**
 * Turns the change feed into subscriptions: filter first (no work for changes a subscriber does not
 * want), replay from `after`, hand over to live with no gap and no duplicate, hydrate through the
 * graph, and deliver in log order. Subscribers of one change with the same selection share one
 * hydration and one serialized payload; subscribers with the same plan share one feed listener and
 * one filter check, so what one more subscriber costs per change is little more than its socket's
 * write.
 */
export function createSubscriptionEngine({
  feed,
  hydrate,
  logger,
  serialize = JSON.stringify,
  hydrationWindow = 64,
  maxQueued = 10_000,
  maxReplays = 4,
  maxReplaysPerSocket = 1,
  replayWindow = 8,
  replayStallMs = 30_000,
  hydrationRetryMs = 30_000,
  hydrationBackoffMs = (attempt) => Math.min(2_000, 100 * 2 ** attempt),
}: EngineOptions) {
  // Work shared by the subscribers of one change, kept as long as the change object is (the feed
  // hands the same object to every listener): one hydration per hydration key, one payload per
  // payload key.
  const hydrations = new WeakMap<Change, Map<string, Promise<ExecutionResult>>>();
  const payloads = new WeakMap<Change, Map<string, Entry>>();
  const counters = { active: 0, hydrations: 0, delivered: 0 };
  const slots = createReplaySlots({ total: maxReplays, perOwner: maxReplaysPerSocket });
  /** Live subscribers by their plans' live key: one feed listener and one filter check per key and change. */
  const groups = new Map<string, { members: Set<Subscriber>; unlisten: () => void }>();

  const memo = <T>(map: WeakMap<Change, Map<string, T>>, change: Change, key: string, make: () => T): T => {
    let byKey = map.get(change);
    if (!byKey) map.set(change, (byKey = new Map()));
    let value = byKey.get(key);
    if (value === undefined) byKey.set(key, (value = make()));
    return value;
  };

  /** Hydrates a change, trying again while the graph answers with errors, until `hydrationRetryMs`. */
  const hydrateUntilAnswered = async (plan: SubscriptionPlan, change: Change): Promise<ExecutionResult> => {
    const deadline = Date.now() + hydrationRetryMs;
    for (let attempt = 0; ; attempt++) {
      let why: string;
      try {
        const result = await hydrate(plan, change);
        if (!result.errors?.length) return result;
        why = result.errors.map((e) => e.message).join('; ');
      } catch (error) {
        why = (error as Error).message;
      }
      if (Date.now() >= deadline) {
        throw unavailable(
          `the payload of the change at ${positionToken(change.position)} could not be built within ${hydrationRetryMs} ms (${why}); subscribe again with after: your last position`,
        );
      }
      logger.debug({ entity: plan.entity, entityId: change.entityId, attempt, why }, 'hydration failed; trying again');
      await sleep(hydrationBackoffMs(attempt));
    }
  };

  const hydrateShared = (plan: SubscriptionPlan, change: Change): Promise<ExecutionResult> => {
    if (!plan.query) return Promise.resolve({ data: null });
    return memo(hydrations, change, plan.hydrationKey, () => {
      counters.hydrations++;
      // With tracing on, the hydration (and the subgraph calls it makes) continue the trace of the
      // request that wrote the event.
      return inSpan(
        `hydrate ${plan.entity} change`,
        { kind: SpanKind.CONSUMER, ...(change.trace ? { continues: change.trace } : {}) },
        () => hydrateUntilAnswered(plan, change),
      );
    });
  };

  const settle = (entry: Entry) => {
    const waiters = entry.waiters;
    entry.waiters = undefined;
    if (waiters) for (const subscriber of waiters) pump(subscriber);
  };

  const payloadOf = (plan: SubscriptionPlan, change: Change): Entry =>
    memo(payloads, change, plan.payloadKey, () => {
      const entry: Entry = {};
      hydrateShared(plan, change).then(
        (hydrated) => {
          const result = { data: plan.payload(change, hydrated.data as Record<string, unknown> | null | undefined) };
          entry.payload = new Payload(result, serialize);
          settle(entry);
        },
        (error: unknown) => {
          entry.error = error instanceof Error ? error : new Error(String(error));
          settle(entry);
        },
      );
      return entry;
    });

  const tooSlow = () =>
    unavailable(`this subscriber fell more than ${maxQueued} changes behind; subscribe again with after: its last position`);

  /** Ends a subscriber: out of its group, its replay stopped, its `ended` settled. */
  const end = (subscriber: Subscriber, error?: Error) => {
    if (subscriber.ended) return;
    subscriber.ended = true;
    leave(subscriber);
    subscriber.stopReading?.abort();
    subscriber.room?.();
    subscriber.queue.length = 0;
    subscriber.pending.length = 0;
    counters.active--;
    logger.debug({ entity: subscriber.plan.entity, error: error?.message }, 'subscription ended');
    subscriber.finish(error);
  };

  /** Sends what is ready, in order, and starts payloads up to the window. */
  function pump(subscriber: Subscriber): void {
    const { queue, pending, sink, plan } = subscriber;
    while (!subscriber.ended && !subscriber.blocked) {
      const window = subscriber.catchingUp ? replayWindow : hydrationWindow;
      while (pending.length < window && queue.length > 0) pending.push(payloadOf(plan, queue.shift()!));
      const head = pending[0];
      if (!head) break;
      if (head.error) return end(subscriber, head.error);
      if (!head.payload) {
        // Sent on when it is built (once, however often it is asked for meanwhile).
        if (subscriber.waitingFor !== head) (head.waiters ??= []).push(subscriber);
        subscriber.waitingFor = head;
        break;
      }
      pending.shift();
      counters.delivered++;
      if (sink.full()) {
        subscriber.blocked = true;
        sink.next(head.payload, () => {
          subscriber.blocked = false;
          pump(subscriber);
        });
      } else sink.next(head.payload);
    }
    if (queue.length + pending.length < replayWindow * 2) subscriber.room?.();
    if (!subscriber.replaying && queue.length === 0 && pending.length === 0) subscriber.catchingUp = false;
  }

  const enqueue = (subscriber: Subscriber, change: Change) => {
    if (subscriber.queue.length + subscriber.pending.length >= maxQueued) return end(subscriber, tooSlow());
    subscriber.queue.push(change);
    pump(subscriber);
  };

  /** Live changes for a subscriber from now on (buffered while its replay is read). */
  const join = (subscriber: Subscriber) => {
    const key = subscriber.plan.liveKey;
    let group = groups.get(key);
    if (!group) {
      const plan = subscriber.plan;
      const members = new Set<Subscriber>();
      const unlisten = feed.listen((change) => {
        if (!plan.wants(change)) return;
        for (const member of members) {
          // Its own `after` still counts: it may lie ahead of what this gateway has seen.
          if (member.plan.after && !isPast(member.plan.after, change)) continue;
          if (!member.replaying) enqueue(member, change);
          else if (member.buffered!.length >= maxQueued) end(member, tooSlow());
          else member.buffered!.push(change);
        }
      });
      groups.set(key, (group = { members, unlisten }));
    }
    group.members.add(subscriber);
  };

  const leave = (subscriber: Subscriber) => {
    const group = groups.get(subscriber.plan.liveKey);
    if (!group?.members.delete(subscriber) || group.members.size > 0) return;
    group.unlisten();
    groups.delete(subscriber.plan.liveKey);
  };

  /** Waits until the subscriber has taken enough of the replay, or fails it after `replayStallMs`. */
  const roomForMore = (subscriber: Subscriber): Promise<void> | undefined => {
    if (subscriber.queue.length + subscriber.pending.length < replayWindow * 2 || subscriber.ended) return undefined;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        end(
          subscriber,
          unavailable(
            `this subscriber took no payload of its replay for ${replayStallMs} ms; subscribe again with after: its last position`,
          ),
        );
        resolve();
      }, replayStallMs);
      subscriber.room = () => {
        clearTimeout(timer);
        subscriber.room = undefined;
        resolve();
      };
    });
  };

  /** Reads the log from the plan's `after` to where live delivery takes over, then hands over. */
  async function replay(subscriber: Subscriber, owner: object): Promise<void> {
    const stopReading = (subscriber.stopReading = new AbortController());
    const release = await slots.acquire(owner, stopReading.signal);
    if (!release) return;
    try {
      // Listen before taking the replay's end position, in the same tick: whatever is dispatched
      // from now on is at or after it, so replay + live covers every change once.
      join(subscriber);
      const until = feed.position();
      for (const topic of Object.keys(until)) {
        if (subscriber.ended) return;
        await feed.replay(
          topic,
          subscriber.plan.after!,
          until,
          (change) => {
            if (subscriber.ended || !subscriber.plan.matches(change)) return;
            subscriber.queue.push(change);
            pump(subscriber);
            // Backpressure: the replay reads no further than the subscriber takes.
            return roomForMore(subscriber);
          },
          stopReading.signal,
        );
      }
    } finally {
      release();
    }
    if (subscriber.ended) return;
    subscriber.replaying = false;
    const buffered = subscriber.buffered!;
    subscriber.buffered = undefined;
    for (const change of buffered) enqueue(subscriber, change);
    pump(subscriber);
  }

  /**
   * Starts a subscription whose payloads go to `sink`. `owner` is what its replay limits count
   * per: the socket.
   */
  function subscribe(plan: SubscriptionPlan, sink: SubscriptionSink, owner: object = {}): Subscription {
    let finish!: (error: Error | undefined) => void;
    const ended = new Promise<Error | undefined>((resolve) => (finish = resolve));
    const subscriber: Subscriber = {
      plan,
      sink,
      queue: [],
      pending: [],
      replaying: Boolean(plan.after),
      catchingUp: Boolean(plan.after),
      blocked: false,
      ended: false,
      finish,
    };
    counters.active++;
    if (plan.after) {
      subscriber.buffered = [];
      subscriber.replayed = replay(subscriber, owner).catch((error: unknown) => end(subscriber, error as Error));
    } else join(subscriber);
    return {
      ended,
      stop: async () => {
        end(subscriber);
        await subscriber.replayed;
      },
    };
  }

  /**
   * A subscription as an async iterator of results (tests, and in-process consumers). A payload
   * counts as taken once `next()` has returned it. `return()` stops it at once, even while it waits.
   */
  function stream(plan: SubscriptionPlan, owner?: object): AsyncIterableIterator<ExecutionResult> {
    const results: ExecutionResult[] = [];
    const taken: ((() => void) | undefined)[] = [];
    let wake: (() => void) | undefined;
    let outcome: { error: Error | undefined } | undefined;
    const subscription = subscribe(
      plan,
      {
        next: (payload, written) => {
          results.push(payload.result);
          taken.push(written);
          wake?.();
        },
        full: () => results.length > 0,
      },
      owner,
    );
    void subscription.ended.then((error) => {
      outcome = { error };
      wake?.();
    });
    return {
      async next(): Promise<IteratorResult<ExecutionResult>> {
        for (;;) {
          if (results.length > 0) {
            const value = results.shift()!;
            taken.shift()?.();
            return { value, done: false };
          }
          if (outcome) {
            if (outcome.error) throw outcome.error;
            return { value: undefined, done: true };
          }
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      },
      async return(): Promise<IteratorResult<ExecutionResult>> {
        results.length = 0;
        await subscription.stop();
        return { value: undefined, done: true };
      },
      async throw(error?: unknown): Promise<IteratorResult<ExecutionResult>> {
        await subscription.stop();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  return {
    subscribe,
    stream,
    /** Open subscriptions, hydration queries run, and payloads delivered since start. */
    stats: () => ({ ...counters }),
    /** Replays reading the log now, and replays waiting for their turn. */
    replayStats: () => slots.stats(),
  };
}

/** Why a subscription ended early; the client may subscribe again from its last position. */
const unavailable = (message: string): GraphQLError => new GraphQLError(message, { extensions: { code: 'UNAVAILABLE' } });

export type SubscriptionEngine = ReturnType<typeof createSubscriptionEngine>;
export { ENTITY_VARIABLE };
