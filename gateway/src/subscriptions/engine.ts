import { GraphQLError, type ExecutionResult } from 'graphql';
import { inSpan, SpanKind, type Logger } from '@shop/event-core';
import type { Change, ChangeFeed } from './change-feed.ts';
import { ENTITY_VARIABLE, type SubscriptionPlan } from './plan.ts';

/** Runs a hydration query through the federated graph, at least at `position` and as of it. */
export type Hydrator = (query: SubscriptionPlan, change: Change) => Promise<ExecutionResult>;

export interface EngineOptions {
  readonly feed: ChangeFeed;
  readonly hydrate: Hydrator;
  readonly logger: Logger;
  /**
   * Hydrations one subscriber runs ahead of what it has sent. Default 64. A subscriber can take at
   * most this many changes per hydration round trip (Little's law): 16 capped a busy gateway,
   * whose hydrations take ~0.2 s, below 100 changes a second.
   */
  readonly hydrationWindow?: number;
  /** Changes a live subscriber may have waiting before it is dropped as too slow. Default 10000. */
  readonly maxQueued?: number;
}

/**
 * Turns the change feed into subscription streams: filter first (no work for changes a subscriber
 * does not want), replay from `after`, hand over to live with no gap and no duplicate, hydrate
 * through the graph, and deliver in log order. Subscribers of the same change with the same
 * selection share one hydration.
 */
export function createSubscriptionEngine({ feed, hydrate, logger, hydrationWindow = 64, maxQueued = 10_000 }: EngineOptions) {
  // Work shared by the subscribers of one change, kept as long as the change object is (the feed
  // hands the same object to every listener): one hydration per hydration key, and one finished
  // payload per payload key, which graphql-ws then only has to serialize for each socket.
  const hydrations = new WeakMap<Change, Map<string, Promise<ExecutionResult>>>();
  const payloads = new WeakMap<Change, Map<string, Promise<ExecutionResult>>>();
  const counters = { active: 0, hydrations: 0, delivered: 0 };

  const shared = (
    memo: WeakMap<Change, Map<string, Promise<ExecutionResult>>>,
    change: Change,
    key: string,
    make: () => Promise<ExecutionResult>,
  ): Promise<ExecutionResult> => {
    let byKey = memo.get(change);
    if (!byKey) memo.set(change, (byKey = new Map()));
    let result = byKey.get(key);
    if (!result) byKey.set(key, (result = make()));
    return result;
  };

  const hydrateShared = (plan: SubscriptionPlan, change: Change): Promise<ExecutionResult> => {
    if (!plan.query) return Promise.resolve({ data: null });
    return shared(hydrations, change, plan.hydrationKey, () => {
      counters.hydrations++;
      // With tracing on, the hydration (and the subgraph calls it makes) continue the trace of the
      // request that wrote the event.
      return inSpan(
        `hydrate ${plan.entity} change`,
        { kind: SpanKind.CONSUMER, ...(change.trace ? { continues: change.trace } : {}) },
        () => hydrate(plan, change),
      );
    });
  };

  const payloadOf = (plan: SubscriptionPlan, change: Change): Promise<ExecutionResult> =>
    shared(payloads, change, plan.payloadKey, async () => {
      const hydrated = await hydrateShared(plan, change);
      // Apollo hands back formatted plain objects; graphql-ws needs real GraphQLErrors (toJSON).
      const errors = hydrated.errors?.map((e) => new GraphQLError(e.message, { extensions: e.extensions ?? {} }));
      return {
        data: plan.payload(change, hydrated.data as Record<string, unknown> | null | undefined),
        ...(errors?.length ? { errors } : {}),
      };
    });

  /**
   * One subscription as an async iterator. `return()` stops it at once, even while it waits for
   * the next change (an async generator alone would wait for that change before finishing).
   */
  function stream(plan: SubscriptionPlan): AsyncIterableIterator<ExecutionResult> {
    const controller = new AbortController();
    const generator = run(plan, controller.signal);
    return {
      next: () => generator.next(),
      return: (value?: unknown) => {
        controller.abort();
        return generator.return(value as ExecutionResult);
      },
      throw: (error?: unknown) => {
        controller.abort();
        return generator.throw(error);
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  async function* run(plan: SubscriptionPlan, signal: AbortSignal): AsyncGenerator<ExecutionResult> {
    const queue: Change[] = [];
    let wake: (() => void) | undefined;
    let failure: Error | undefined;
    let replaying = Boolean(plan.after);
    const buffered: Change[] = [];
    const notify = () => {
      wake?.();
      wake = undefined;
    };
    const enqueue = (change: Change) => {
      if (queue.length >= maxQueued) {
        failure ??= new Error(
          `this subscriber fell more than ${maxQueued} changes behind; subscribe again with after: its last position`,
        );
      } else queue.push(change);
      notify();
    };
    // Listen before taking the replay's end position: whatever is dispatched from now on is at or
    // after it, so replay + live covers every change exactly once.
    const unlisten = feed.listen((change) => {
      if (!plan.matches(change)) return;
      if (replaying) buffered.push(change);
      else enqueue(change);
    });
    signal.addEventListener('abort', notify, { once: true });

    const replay = plan.after
      ? (async () => {
          const until = feed.position();
          const topics = Object.keys(until);
          for (const topic of topics) {
            await feed.replay(topic, plan.after!, until, async (change) => {
              if (!plan.matches(change)) return;
              queue.push(change);
              notify();
              // Backpressure: the replay reads no further than the subscriber can take.
              while (queue.length > hydrationWindow * 4 && !signal.aborted)
                await new Promise<void>((resolve) => setTimeout(resolve, 5));
            });
          }
          replaying = false;
          for (const change of buffered.splice(0)) enqueue(change);
        })().catch((error: unknown) => {
          failure = error as Error;
          notify();
        })
      : undefined;

    const inflight: Promise<ExecutionResult>[] = [];
    counters.active++;
    try {
      while (!signal.aborted) {
        while (inflight.length < hydrationWindow && queue.length > 0) {
          const change = queue.shift()!;
          inflight.push(payloadOf(plan, change));
        }
        if (inflight.length > 0) {
          const payload = await inflight.shift()!;
          counters.delivered++;
          yield payload;
          continue;
        }
        if (failure) throw failure;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      counters.active--;
      unlisten();
      signal.removeEventListener('abort', notify);
      await replay?.catch(() => undefined);
      logger.debug({ entity: plan.entity }, 'subscription ended');
    }
  }

  return {
    stream,
    /** Open subscriptions, hydration queries run, and payloads delivered since start. */
    stats: () => ({ ...counters }),
  };
}

export type SubscriptionEngine = ReturnType<typeof createSubscriptionEngine>;
export { ENTITY_VARIABLE };
